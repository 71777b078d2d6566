import { describe, expect, it } from 'vitest';
import { checkResponse, routeFor } from './response-check';
import { routeContracts } from './routes';

// The response contract catches drift either way: a field the server adds that the contract does
// not name, a field the contract requires that the server left out, a status or an error code
// the route does not declare.

const channel = {
  id: 'ch_1',
  tenantId: 'tn_1',
  type: 'whatsapp',
  status: 'active',
  phoneNumberId: '1090000000',
  autoAssignment: { enabled: false, memberIds: [] },
  createdAt: '2026-12-01T00:00:00.000Z',
};
const json = 'application/json; charset=UTF-8';

describe('checkResponse', () => {
  const route = routeContracts['channels.list'];

  it('accepts an answer that matches its route', () => {
    expect(checkResponse(route, 200, json, { items: [channel], nextCursor: null })).toBeUndefined();
  });

  it('names a field the schema does not declare, at its path', () => {
    const violation = checkResponse(route, 200, json, {
      items: [{ ...channel, accessToken: 'EAAG-secret' }],
      nextCursor: null,
    });
    expect(violation?.problems).toEqual(['items[0].accessToken: not in the response schema']);
  });

  it('names a required field that is missing', () => {
    const { createdAt: _createdAt, ...partial } = channel;
    const violation = checkResponse(route, 200, json, { items: [partial], nextCursor: null });
    expect(violation?.problems.join()).toContain('items.0.createdAt');
  });

  it('refuses a status or an error code the route does not declare', () => {
    expect(checkResponse(route, 201, json, {})?.problems).toEqual([
      "status 201 is not among the route's responses",
    ]);
    const error = (code: string) => ({ error: { code, message: 'x' } });
    expect(checkResponse(route, 429, json, error('rate_limited'))).toBeUndefined();
    expect(checkResponse(route, 422, json, error('window_closed'))?.problems).toEqual([
      "error code window_closed is not among the route's errors",
    ]);
    expect(checkResponse(route, 400, json, error('not_found'))?.problems).toEqual([
      'error code not_found answered 400, the catalog says 404',
    ]);
  });

  it('finds the route of a request by method and path', () => {
    expect(routeFor('GET', '/leads/export.csv?stage=new')?.id).toBe('leads.export');
    expect(routeFor('GET', '/leads/ld_123')?.id).toBe('leads.get');
    expect(routeFor('POST', '/conversations/cv_1/assign')?.id).toBe('conversations.assign');
    expect(routeFor('GET', '/nope')).toBeUndefined();
  });
});

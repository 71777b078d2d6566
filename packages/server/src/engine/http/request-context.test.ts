import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../log';
import { requestContext, requestIdOf, requestLog } from './request-context';

type Line = { msg: string; fields?: LogFields };

function capturingLogger(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const keep = (msg: string, fields?: LogFields) => void lines.push({ msg, fields });
  return { lines, log: { debug: keep, info: keep, warn: keep, error: keep } };
}

/** An app as createApp builds it: the middleware first, then routes, an error handler. */
function appWith(log: Logger) {
  const app = new Hono();
  app.use('*', requestContext(log));
  app.get('/who', (c) => {
    requestLog(c, log).info('handled');
    return c.json({ requestId: requestIdOf(c) });
  });
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.onError((_err, c) => c.json({ error: 'internal_error' }, 500));
  return app;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestContext', () => {
  it("keeps the caller's valid x-request-id, echoes it and logs with it", async () => {
    // Prepare
    const { log, lines } = capturingLogger();
    const app = appWith(log);

    // Act
    const res = await app.request('/who', { headers: { 'x-request-id': 'Client.req_42-a' } });

    // Assess
    expect(res.headers.get('x-request-id')).toBe('Client.req_42-a');
    expect(await res.json()).toEqual({ requestId: 'Client.req_42-a' });
    expect(lines).toEqual([{ msg: 'handled', fields: { requestId: 'Client.req_42-a' } }]);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['a space', 'abc def'],
    ['a slash', '../etc'],
    ['two values', 'a, b'],
    ['a quote', 'abc"}'],
    ['empty', ''],
  ])('replaces an x-request-id with %s by a new UUID', async (_what, sent) => {
    // Prepare
    const app = appWith(capturingLogger().log);
    const headers = { 'x-request-id': sent };

    // Act
    const res = await app.request('/who', { headers });

    // Assess
    expect(res.headers.get('x-request-id')).toMatch(uuid);
    expect(res.headers.get('x-request-id')).not.toBe(sent);
  });

  it('accepts a 128-character id', async () => {
    // Prepare
    const app = appWith(capturingLogger().log);
    const id = 'A'.repeat(128);

    // Act
    const res = await app.request('/who', { headers: { 'x-request-id': id } });

    // Assess
    expect(res.headers.get('x-request-id')).toBe(id);
  });

  it("uses API Gateway's request id on Lambda when the caller sent none", async () => {
    // Prepare
    const { log, lines } = capturingLogger();
    const app = appWith(log);
    const env = {
      event: { requestContext: { requestId: 'JKJaXmPLvHcESHA=' } },
      lambdaContext: { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678' },
    };

    // Act
    const res = await app.request('/who', {}, env);

    // Assess
    expect(res.headers.get('x-request-id')).toBe('JKJaXmPLvHcESHA=');
    expect(lines[0]?.fields).toEqual({
      requestId: 'JKJaXmPLvHcESHA=',
      lambdaRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    });
  });

  it('echoes the id on error and not-found responses', async () => {
    // Prepare
    const app = appWith(capturingLogger().log);

    // Act
    const failed = await app.request('/boom', { headers: { 'x-request-id': 'r-500' } });
    const missing = await app.request('/nowhere', { headers: { 'x-request-id': 'r-404' } });

    // Assess
    expect(failed.status).toBe(500);
    expect(failed.headers.get('x-request-id')).toBe('r-500');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-request-id')).toBe('r-404');
  });
});

describe('requestLog', () => {
  it('falls back to the given logger when the middleware did not run', async () => {
    // Prepare
    const { log, lines } = capturingLogger();
    const app = new Hono();
    app.get('/', (c) => {
      requestLog(c, log).info('no middleware');
      return c.text(String(requestIdOf(c)));
    });

    // Act
    const res = await app.request('/');

    // Assess
    expect(await res.text()).toBe('undefined');
    expect(lines).toEqual([{ msg: 'no middleware', fields: undefined }]);
  });
});

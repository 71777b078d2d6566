import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleRank } from '../../src/engine/http/auth-context';
import { routes, type ApiKeyScope, type RouteSpec, type Role } from '../../src/engine/topology';
import { addMember, createApiKey, onboard, startAuthSandbox, type AuthSandbox } from './helpers';
import {
  routeCases,
  tenantRoutes,
  type CaseRequest,
  type TenantFixture,
  type TenantRoute,
} from './route-cases';

// Generated from the route table: every role against every tenant route (allowed iff its rank is at
// least the route's role, otherwise 403 `forbidden`), and API keys against every tenant route
// (allowed iff the route names a scope the key holds, otherwise 403 `insufficient_scope`). Requests
// aim at objects that do not exist or carry bodies the handler rejects, so a granted request proves
// the access layer let it through without changing anything: never 401/403, never 5xx.

const roles: Role[] = ['owner', 'admin', 'agent', 'viewer'];
const scopes: ApiKeyScope[] = ['leads:write', 'messages:send', 'read'];

let t: AuthSandbox;
const tokens = {} as Record<Role, string>;
const keyWithScopes = {} as Record<ApiKeyScope | 'all', string>;

/** Ids no object has (typed, so a new TenantFixture field needs a ghost here too). */
const ghost: TenantFixture = {
  tenantId: 'tn_00000000000000000000',
  channelId: 'ch_00000000000000000000',
  wabaId: '1',
  phoneNumberId: '2',
  customerId: 'wa-0',
  conversationId: 'cv_00000000000000000000',
  memberUserId: 'us_00000000000000000000',
  apiKeyId: 'ak_00000000000000000000',
  invitationId: 'iv_00000000000000000000',
  formId: 'fm_00000000000000000000',
  leadId: 'ld_0000000000000000000000',
  crmDestinationId: 'crm_00000000000000000000',
  mediaUploadId: 'med_00000000000000000000',
  labelId: 'lbl_00000000000000000000',
  noteId: 'nt_00000000000000000000',
  cannedReplyId: 'cr_00000000000000000000',
  contactId: 'ct-0',
  eventDestinationId: 'evd_00000000000000000000',
  campaignId: 'cmp_000000000000000000000000000',
};

/** A request that cannot change anything once access is granted: missing ids, or a body to reject. */
function probe(route: TenantRoute): CaseRequest {
  const routeCase = routeCases[route.id];
  if (routeCase?.roleProbe) return routeCase.roleProbe(ghost);
  const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => `missing-${name}`);
  return { path, body: ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined };
}

beforeAll(async () => {
  t = await startAuthSandbox();
  const tenant = await onboard(t, 'Matrix');
  tokens.owner = tenant.owner.session.accessToken;
  for (const role of ['admin', 'agent', 'viewer'] as const) {
    tokens[role] = (await addMember(t, tokens.owner, role)).session.accessToken;
  }
  keyWithScopes.all = (await createApiKey(t, tokens.owner, scopes)).key;
  for (const scope of scopes)
    keyWithScopes[scope] = (await createApiKey(t, tokens.owner, [scope])).key;
});

afterAll(async () => {
  await t?.stop();
});

const cases = tenantRoutes.map((route) => [route.id, route] as const);

describe('role matrix', () => {
  it.each(cases)('%s: allowed iff the role ranks at least the route’s', async (_id, route) => {
    for (const role of roles) {
      const request = probe(route);
      const res = await t.api.request(route.method, request.path, {
        token: tokens[role],
        body: request.body,
      });
      const where = `${role} → ${route.method} ${request.path}: ${res.status} ${res.text.slice(0, 200)}`;
      expect(res.status, where).toBeLessThan(500);
      if (roleRank[role] >= roleRank[route.access.role]) {
        expect([401, 403], where).not.toContain(res.status);
      } else {
        expect(res.status, where).toBe(403);
        expect(res.json.error.code, where).toBe('forbidden');
      }
    }
  });
});

describe('API key matrix', () => {
  it.each(cases)('%s: an API key gets in iff the route names its scope', async (_id, route) => {
    const request = probe(route);
    const send = (key: string) =>
      t.api.request(route.method, request.path, {
        headers: { 'x-api-key': key },
        body: request.body,
      });
    const all = await send(keyWithScopes.all);
    const where = `${route.method} ${request.path} (scope ${route.access.scope ?? 'none'}): ${all.status} ${all.text.slice(0, 200)}`;
    expect(all.status, where).toBeLessThan(500);
    if (!route.access.scope) {
      expect(all.status, where).toBe(403);
      expect(all.json.error.code, where).toBe('insufficient_scope');
      return;
    }
    expect([401, 403], where).not.toContain(all.status);
    for (const scope of scopes) {
      const res = await send(keyWithScopes[scope]);
      const detail = `${where} with only ${scope}: ${res.status}`;
      if (scope === route.access.scope) {
        expect([401, 403], detail).not.toContain(res.status);
      } else {
        expect(res.status, detail).toBe(403);
        expect(res.json.error.code, detail).toBe('insufficient_scope');
      }
    }
  });

  it('refuses API keys on routes that are not tenant routes', async () => {
    for (const [method, path] of [
      ['GET', '/auth/me'],
      ['GET', '/admin/tenants'],
      ['POST', '/auth/logout'],
    ] as const) {
      const res = await t.api.request(method, path, {
        headers: { authorization: `Bearer ${keyWithScopes.all}` },
      });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json.error.code).toBe('insufficient_scope');
    }
  });
});

describe('path ids', () => {
  const withIds = (routes as readonly RouteSpec[]).filter(
    (route) =>
      route.path.includes('{') &&
      (route.access.kind === 'tenant' || route.access.kind === 'platformAdmin'),
  );
  it.each(withIds.map((route) => [route.id, route] as const))(
    '%s: an id no object can have answers 404, never 5xx',
    async (_id, route) => {
      const path = route.path.replace(/\{(\w+)\}/g, 'x'.repeat(3000));
      const token = route.access.kind === 'tenant' ? tokens.owner : t.adminToken;
      const res = await t.api.request(route.method, path, {
        token,
        body: ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined,
      });
      expect(res.status, res.text).toBe(404);
    },
  );
});

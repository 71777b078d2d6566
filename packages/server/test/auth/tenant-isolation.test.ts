import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  onboard,
  startAuthSandbox,
  tenantSnapshot,
  type AuthSandbox,
} from './helpers';
import {
  buildTenantFixture,
  missingCaseMessage,
  routeCases,
  tenantPartitions,
  tenantRoutes,
  type TenantFixture,
} from './route-cases';

// The cross-tenant matrix, generated from the route table: for every tenant-scoped route, tenant B's
// credentials (an owner's JWT and, where the route takes keys, an all-scope API key) aimed at tenant
// A's objects get 404/403 (or only their own data) and change nothing of A's.

let t: AuthSandbox;
let a: TenantFixture;
let aOwnerToken: string;
let bOwnerToken: string;
let bApiKey: string;

beforeAll(async () => {
  t = await startAuthSandbox();
  const tenantA = await onboard(t, 'Tenant A');
  const tenantB = await onboard(t, 'Tenant B');
  const aToken = tenantA.owner.session.accessToken;
  aOwnerToken = aToken;
  bOwnerToken = tenantB.owner.session.accessToken;
  // B has data of its own, so "own-data" answers are not trivially empty.
  await buildTenantFixture(t, tenantB.tenantId, bOwnerToken);
  a = await buildTenantFixture(t, tenantA.tenantId, aToken);
  bApiKey = (await createApiKey(t, bOwnerToken, ['read', 'messages:send', 'leads:write'])).key;
});

afterAll(async () => {
  await t?.stop();
});

function snapshotA(): Promise<string> {
  return tenantSnapshot(t.sb.db, a.tenantId, tenantPartitions(a));
}

describe('cross-tenant matrix', () => {
  it('has a case for every tenant-scoped route in the route table', () => {
    const missing = tenantRoutes.filter((route) => !routeCases[route.id]);
    expect(missing.map(missingCaseMessage).join('\n\n')).toBe('');
    const known = new Set(tenantRoutes.map((route) => route.id));
    const stale = Object.keys(routeCases).filter((id) => !known.has(id));
    expect(
      stale,
      'routeCases (test/auth/route-cases.ts) names routes that are gone or no longer tenant-scoped: remove them',
    ).toEqual([]);
  });

  it.each(tenantRoutes.map((route) => [route.id, route] as const))(
    "%s: tenant B's credentials cannot see or change tenant A's objects",
    async (_id, route) => {
      const routeCase = routeCases[route.id];
      if (!routeCase) return; // reported by the coverage test above, with what to add
      const credentials: [string, { token?: string; headers?: Record<string, string> }][] = [
        ["B owner's JWT", { token: bOwnerToken }],
      ];
      if (route.access.scope)
        credentials.push(["B's API key", { headers: { 'x-api-key': bApiKey } }]);
      for (const [who, credential] of credentials) {
        const request = routeCase.request(a);
        const before = await snapshotA();
        const res = await t.api.request(route.method, request.path, {
          ...credential,
          body: request.body,
        });
        const where = `${route.method} ${request.path} as ${who} → ${res.status} ${res.text.slice(0, 300)}`;
        if (routeCase.crossTenant === 'hidden') {
          expect([403, 404], where).toContain(res.status);
        } else {
          expect(res.status, where).toBeLessThan(500);
          // Ids the request itself carries may be echoed back; any other of A's ids is a leak.
          const sent = JSON.stringify(request);
          const aIds = [
            a.tenantId,
            a.channelId,
            a.customerId,
            a.conversationId,
            a.memberUserId,
            a.apiKeyId,
          ];
          for (const id of aIds.filter((id) => !sent.includes(id))) {
            expect(res.text, `${where}: leaks ${id}`).not.toContain(id);
          }
        }
        expect(await snapshotA(), `${where}: changed tenant A`).toBe(before);
      }
    },
  );

  it("answers A's own owner for the same ids (so the 404s above mean isolation, not typos)", async () => {
    for (const path of [
      `/conversations/${a.conversationId}`,
      `/conversations/${a.conversationId}/messages`,
      `/customers/${a.customerId}`,
    ]) {
      expect((await t.api.request('GET', path, { token: aOwnerToken })).status, path).toBe(200);
    }
    const members = await t.api.request('GET', '/users', { token: aOwnerToken });
    expect(members.json.items.map((m: { id: string }) => m.id)).toContain(a.memberUserId);
    const apiKeys = await t.api.request('GET', '/api-keys', { token: aOwnerToken });
    expect(apiKeys.json.items.map((k: { id: string }) => k.id)).toContain(a.apiKeyId);
  });
});

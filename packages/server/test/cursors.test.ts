import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deployedRoutes } from '../src/engine/topology';
import { waitFor, type TestSandbox } from './helpers/harness';
import {
  newWaId,
  startOutboundSandbox,
  waInbound,
  waTenant,
  type WaTenant,
} from './outbound/outbound-harness';

// Every paginated route's cursor belongs to its query: the route, the caller's tenant, the path
// and the filters. One taken from anywhere else, or edited, is a 400 before any read — never a
// 500 from the store, never another list's page.

let t: TestSandbox;
let a: WaTenant;
let b: WaTenant;
type Fixture = { conversationId: string; customerId: string; leadId: string };
/** The same kinds of objects, in the same tenant: a cursor of one is no cursor of the other. */
const siblings = new Map<string, Fixture>();
const fixtures = new Map<string, Fixture>();

async function seed(tenant: WaTenant): Promise<[Fixture, Fixture]> {
  const from = newWaId();
  let conversationId = '';
  for (let i = 0; i < 3; i++) {
    const got = await waInbound(t, tenant, { from, text: `message ${i}` });
    conversationId = got.conversation.id;
  }
  const otherFrom = newWaId();
  let otherConversationId = '';
  for (let i = 0; i < 2; i++) {
    otherConversationId = (await waInbound(t, tenant, { from: otherFrom })).conversation.id;
  }
  await waitFor(
    async () =>
      (
        await t.api.request('GET', `/conversations/${conversationId}/messages?limit=10`, {
          token: tenant.token,
        })
      ).json.items?.length === 3,
    { what: 'three messages' },
  );
  for (let i = 0; i < 3; i++) {
    const note = await t.api.request('POST', `/conversations/${conversationId}/notes`, {
      token: tenant.token,
      body: { text: `note ${i}` },
    });
    expect(note.status, note.text).toBe(201);
  }
  for (let i = 0; i < 3; i++) {
    const key = await t.api.request('POST', '/api-keys', {
      token: tenant.token,
      body: { name: `key ${i}`, scopes: ['read'] },
    });
    expect(key.status, key.text).toBe(201);
  }
  const submissions: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await t.api.request('POST', '/leads', {
      token: tenant.token,
      body: { fields: { name: `Lead ${i}`, email: `lead${i}-${tenant.id}@example.com` } },
    });
    expect(res.status, res.text).toBe(202);
    submissions.push(res.json.submissionId);
  }
  const leads = await waitFor(
    async () => {
      const res = await t.api.request('GET', '/leads?limit=10', { token: tenant.token });
      return res.json.items?.length === 3 && res.json.items;
    },
    { what: 'three leads' },
  );
  const leadId = leads[0].id as string;
  for (let i = 0; i < 3; i++) {
    const note = await t.api.request('POST', `/leads/${leadId}/notes`, {
      token: tenant.token,
      body: { body: `note ${i}` },
    });
    expect(note.status, note.text).toBe(201);
  }
  return [
    { conversationId, customerId: `wa-${from}`, leadId },
    {
      conversationId: otherConversationId,
      customerId: `wa-${otherFrom}`,
      leadId: leads[1].id as string,
    },
  ];
}

type ListCase = {
  route: string;
  token: () => string;
  /** The first page's path for tenant a (limit 1), and a same-route path with another filter or id. */
  path: (f: Fixture) => string;
  other?: (f: Fixture) => string;
  next: (json: any) => string | null;
};

const tokenA = () => a.token;
const admin = () => t.adminToken;
const cases: ListCase[] = [
  {
    route: 'admin.tenants.list',
    token: admin,
    path: () => '/admin/tenants?limit=1',
    next: (j) => j.nextCursor,
  },
  {
    route: 'admin.audit.list',
    token: admin,
    path: () => '/admin/audit-events?limit=1',
    next: (j) => j.nextCursor,
  },
  {
    route: 'admin.replays.list',
    token: admin,
    path: () => '/admin/replays?limit=1',
    next: (j) => j.nextCursor,
  },
  {
    route: 'audit.list',
    token: tokenA,
    path: () => '/audit-events?limit=1',
    next: (j) => j.nextCursor,
  },
  {
    route: 'api-keys.list',
    token: tokenA,
    path: () => '/api-keys?limit=1',
    next: (j) => j.nextCursor,
  },
  {
    route: 'conversations.list',
    token: tokenA,
    path: () => '/conversations?limit=1',
    other: () => '/conversations?limit=1&channel=whatsapp',
    next: (j) => j.nextCursor,
  },
  {
    route: 'conversations.messages',
    token: tokenA,
    path: (f) => `/conversations/${f.conversationId}/messages?limit=1`,
    next: (j) => j.nextCursor,
  },
  {
    route: 'conversations.notes.list',
    token: tokenA,
    path: (f) => `/conversations/${f.conversationId}/notes?limit=1`,
    next: (j) => j.nextCursor,
  },
  {
    route: 'customers.search',
    token: tokenA,
    path: () => '/customers?limit=1',
    other: () => '/customers?limit=1&search=lead',
    next: (j) => j.nextCursor,
  },
  {
    route: 'customers.get',
    token: tokenA,
    path: (f) => `/customers/${f.customerId}?limit=1`,
    next: (j) => j.timeline.nextCursor,
  },
  {
    route: 'leads.list',
    token: tokenA,
    path: () => '/leads?limit=1',
    other: () => '/leads?limit=1&from=2020-01-01T00:00:00.000Z',
    next: (j) => j.nextCursor,
  },
  {
    route: 'leads.notes.list',
    token: tokenA,
    path: (f) => `/leads/${f.leadId}/notes?limit=1`,
    next: (j) => j.nextCursor,
  },
];

const dummy = (n: string): Fixture => ({ conversationId: n, customerId: n, leadId: n });
const withCursor = (path: string, cursor: string) => `${path}&cursor=${encodeURIComponent(cursor)}`;
const firstCursors = new Map<string, string>();

beforeAll(async () => {
  t = await startOutboundSandbox();
  a = await waTenant(t);
  b = await waTenant(t);
  const [fa, sa] = await seed(a);
  const [fb] = await seed(b);
  fixtures.set('a', fa);
  fixtures.set('b', fb);
  siblings.set('a', sa);
  // Two replays of tenant a's last hour, so the replay list has a second page.
  for (let i = 0; i < 2; i++) {
    const to = new Date();
    const from = new Date(to.getTime() - 3_600_000);
    const replay = await t.api.request('POST', '/admin/replays', {
      token: t.adminToken,
      body: { tenantId: a.id, from: from.toISOString(), to: to.toISOString() },
    });
    expect(replay.status, replay.text).toBe(202);
  }
  for (const c of cases) {
    const res = await t.api.request('GET', c.path(fixtures.get('a')!), { token: c.token() });
    expect(res.status, `${c.route}: ${res.text}`).toBe(200);
    const cursor = c.next(res.json);
    expect(cursor, `${c.route} has a second page`).toBeTruthy();
    firstCursors.set(c.route, cursor!);
  }
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('page cursors', () => {
  it('cover every paginated route of the contracts', () => {
    const paginated = deployedRoutes
      .filter((r) => r.query instanceof z.ZodObject && 'cursor' in r.query.shape)
      .map((r) => r.id);
    // These two need entries this file does not make; their own tests page them with real
    // cursors (poison-and-unrouted, channels/contested-claims), and they read cursors the same way.
    // Campaign recipients are paged with real cursors by campaign-throughput.test.ts (1,000
    // recipients, pages of 200); the campaign list by campaign-controls.test.ts.
    const elsewhere = [
      'admin.unrouted.list',
      'admin.channel-claims.list',
      'campaigns.recipients',
      'campaigns.list',
    ];
    expect(new Set([...cases.map((c) => c.route), ...elsewhere])).toEqual(new Set(paginated));
  });

  it.each(cases.map((c) => [c.route, c] as const))('%s: the next page opens', async (_r, c) => {
    const res = await t.api.request(
      'GET',
      withCursor(c.path(fixtures.get('a')!), firstCursors.get(c.route)!),
      { token: c.token() },
    );
    expect(res.status, res.text).toBe(200);
  });

  it.each(cases.map((c) => [c.route, c] as const))(
    '%s: refuses cursors of other routes, edited ones and unsigned ones',
    async (_r, c) => {
      const path = c.path(fixtures.get('a')!);
      const own = firstCursors.get(c.route)!;
      const foreign = [...firstCursors].filter(([route]) => route !== c.route).map(([, v]) => v);
      const [payload, seal] = own.split('.');
      const edited = `${payload!.slice(0, -2)}${payload!.endsWith('A') ? 'B' : 'A'}${payload!.slice(-1)}.${seal}`;
      const unsigned = payload!;
      for (const bad of [...foreign, edited, unsigned, 'x', `${own}.${seal}`]) {
        const res = await t.api.request('GET', withCursor(path, bad), { token: c.token() });
        expect(res.status, `${c.route} with ${bad}: ${res.text}`).toBe(400);
        expect(res.json.error).toMatchObject({ code: 'bad_request', param: 'cursor' });
      }
    },
  );

  it.each(cases.filter((c) => c.token === tokenA).map((c) => [c.route, c] as const))(
    "%s: another tenant cannot use tenant a's cursor",
    async (_r, c) => {
      const res = await t.api.request(
        'GET',
        withCursor(c.path(fixtures.get('b')!), firstCursors.get(c.route)!),
        { token: b.token },
      );
      expect(res.status, res.text).toBe(400);
    },
  );

  it.each(cases.filter((c) => c.other).map((c) => [c.route, c] as const))(
    '%s: a cursor does not carry over to another filter',
    async (_r, c) => {
      const res = await t.api.request(
        'GET',
        withCursor(c.other!(fixtures.get('a')!), firstCursors.get(c.route)!),
        { token: c.token() },
      );
      expect(res.status, res.text).toBe(400);
    },
  );

  it.each(
    cases
      .filter((c) => c.path(dummy('1')) !== c.path(dummy('2')))
      .map((c) => [c.route, c] as const),
  )('%s: a cursor does not carry over to another object', async (_r, c) => {
    const res = await t.api.request(
      'GET',
      withCursor(c.path(siblings.get('a')!), firstCursors.get(c.route)!),
      { token: a.token },
    );
    expect(res.status, res.text).toBe(400);
  });
});

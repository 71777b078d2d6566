import { checkResponse, routeContracts, type RouteId } from '@switchboard/contracts';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteSpec } from '../../src/engine/topology';
import { envelope, igTextEntry, waTextEntry } from '../factories/meta';
import { postWebhook, startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import {
  fuzzParams,
  fuzzRuns,
  fuzzSeed,
  hostileStrings,
  rawRequest,
  type RawResponse,
} from './fuzz-config';

// Every route of the topology's route table, called by a signed-in owner of tenant A with random and
// hostile path parameters, query strings, cursors, JSON bodies and headers — including the real ids
// of tenant B, which holds a marker string in its customers, messages, channel, users and keys.
// Never a 5xx, and B's marker never appears in any answer to A.

const secret = 'test-app-secret';
const mark = 'bravomark7q';
const password = 'correct horse battery staple';
let t: TestSandbox;
let seq = 0;

type Party = { tenantId: string; email: string; token: string; ids: string[] };
let a: Party;
let b: Party;
/** Ids of both tenants (A's own and B's), plus B's raw keys, to put in paths, bodies and cursors. */
let knownIds: string[] = [];
/** Real, sealed cursors of every list: A's, B's and the admin's, with and without filters. */
let realCursors: string[] = [];

/** Pages every list once (limit 1) as each caller and keeps the cursors it hands out. */
async function collectCursors(): Promise<string[]> {
  const found: string[] = [];
  const paths = [
    '/conversations?limit=1',
    '/conversations?limit=1&channel=whatsapp',
    '/customers?limit=1',
    '/audit-events?limit=1',
    '/api-keys?limit=1',
    '/leads?limit=1',
  ];
  for (const party of [a, b]) {
    const inbox = await t.api.request('GET', '/conversations?limit=1', { token: party.token });
    const conv = inbox.json.items?.[0];
    const own = conv
      ? [`/conversations/${conv.id}/messages?limit=1`, `/customers/${conv.customer.id}?limit=1`]
      : [];
    for (const path of [...paths, ...own]) {
      const res = await t.api.request('GET', path, { token: party.token });
      const next = res.json?.nextCursor ?? res.json?.timeline?.nextCursor;
      if (typeof next === 'string') found.push(next);
    }
  }
  for (const path of ['/admin/tenants?limit=1', '/admin/audit-events?limit=1']) {
    const res = await t.api.request('GET', path, { token: t.adminToken });
    if (typeof res.json?.nextCursor === 'string') found.push(res.json.nextCursor);
  }
  return found;
}

async function onboard(name: string, email: string, token?: string): Promise<Party> {
  const created = await t.api.request('POST', '/admin/tenants', {
    token: token ?? t.adminToken,
    body: { name, ownerEmail: email, ownerPassword: password },
  });
  if (created.status !== 201) throw new Error(`onboard: ${created.status} ${created.text}`);
  return { tenantId: created.json.id, email, token: await t.api.login(email, password), ids: [] };
}

/** Connects channels and lets customers write, so the tenant has ids of every kind. */
async function populate(p: Party, n: number, marker: string): Promise<void> {
  const wa = { wabaId: `10400000000${n}01`, phoneNumberId: `10900000000${n}01` };
  const ig = { accountId: `178414000000${n}01` };
  for (const body of [
    { type: 'whatsapp', ...wa, displayName: `${marker} WhatsApp` },
    { type: 'instagram', ...ig, displayName: `${marker} Instagram` },
  ]) {
    const res = await t.api.request('POST', '/channels', {
      token: p.token,
      body: { ...body, accessToken: 'EAAG-fuzz-token-0123456789' },
    });
    if (res.status !== 201) throw new Error(`channel: ${res.status} ${res.text}`);
    p.ids.push(res.json.id);
  }
  for (let i = 0; i < 3; i++) {
    await postWebhook(
      t.api,
      secret,
      envelope('whatsapp_business_account', [
        waTextEntry({
          ...wa,
          from: `55419${n}${i}000000`,
          name: `${marker} Person ${i}`,
          text: `${marker} says hi ${i}`,
        }),
      ]),
    );
    await postWebhook(
      t.api,
      secret,
      envelope('instagram', [
        igTextEntry({ ...ig, senderId: `9${n}${i}00000000001`, text: `${marker} ig ${i}` }),
      ]),
    );
  }
  const queue = t.sb.queues.incoming;
  await waitFor(async () => queue.stats().visible + queue.stats().inFlight === 0);
  // Optional parts: only where the routes exist.
  const has = (id: string) => routes.some((r) => r.id === id);
  if (has('api-keys.create')) {
    const key = await t.api.request('POST', '/api-keys', {
      token: p.token,
      body: { name: `${marker} key`, scopes: ['read'] },
    });
    if (key.json?.id) p.ids.push(key.json.id);
  }
  if (has('users.invite')) {
    await t.api.request('POST', '/users', {
      token: p.token,
      body: { email: `${marker}.invitee${n}@example.com`, role: 'agent' },
    });
  }
  const inbox = await t.api.request('GET', '/conversations?limit=100', { token: p.token });
  for (const conv of inbox.json.items ?? []) {
    p.ids.push(conv.id, conv.customer.id);
    const thread = await t.api.request('GET', `/conversations/${conv.id}/messages`, {
      token: p.token,
    });
    for (const m of thread.json.items ?? []) p.ids.push(m.id, m.channelMessageId);
  }
  const users = await t.api.request('GET', '/users', { token: p.token });
  for (const u of users.json?.items ?? []) p.ids.push(u.id ?? u.userId);
  p.ids.push(p.tenantId);
  p.ids = p.ids.filter((id) => typeof id === 'string' && id.length > 0);
}

beforeAll(async () => {
  t = await startTestSandbox({ retryDelaySeconds: 0 });
  b = await onboard(`Bravo ${mark}`, `owner.${mark}@bravo.example.com`);
  await populate(b, 2, mark);
  a = await onboard('Alpha', 'owner@alpha.example.com');
  await populate(a, 1, 'alpha');
  knownIds = [
    ...a.ids,
    ...b.ids,
    `TENANT#${b.tenantId}`,
    `TENANT#${b.tenantId}#INBOX`,
    `CONV#${b.ids[0]}`,
    b.email,
  ];
  realCursors = await collectCursors();
  if (realCursors.length < 8) throw new Error(`only ${realCursors.length} real cursors`);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

// ------------------------------------------------------------------------------- arbitraries

const fieldNames = [
  'email',
  'password',
  'currentPassword',
  'newPassword',
  'role',
  'name',
  'scopes',
  'tenantId',
  'refreshToken',
  'token',
  'type',
  'wabaId',
  'phoneNumberId',
  'accountId',
  'accessToken',
  'displayName',
  'conversationId',
  'customerId',
  'channel',
  'channelId',
  'text',
  'template',
  'media',
  'replyTo',
  'assigneeId',
  'userId',
  'ids',
  'ownerEmail',
  'ownerPassword',
  'status',
  'id',
  'limit',
  'cursor',
  'q',
  'fields',
  'language',
  'parameters',
  'url',
  'caption',
];
const queryNames = [
  'limit',
  'cursor',
  'channel',
  'status',
  'unread',
  'assigned',
  'q',
  'type',
  'before',
  'after',
  'tenantId',
  'customerId',
  'conversationId',
  'hub.mode',
  'hub.verify_token',
  'hub.challenge',
  'from',
  'to',
  'stage',
  'formId',
  'ownerId',
  'search',
  'deleted',
];

const idArb = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...knownIds) },
    { weight: 3, arbitrary: fc.constantFrom(...hostileStrings) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  );

/** Text of any generated value (fast-check makes null-prototype objects, which String() rejects). */
const asText = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const cursorArb = () =>
  fc.oneof(
    idArb().map((id) => b64({ id, at: `2026-01-01T00:00:00.000Z#${id}` })),
    idArb().map((id) => b64({ before: `MSG#2099-01-01T00:00:00.000Z#${id}` })),
    idArb().map((id) => b64({ pk: `TENANT#${b.tenantId}`, sk: `CONV#${id}`, gsk: id })),
    fc.jsonValue({ maxDepth: 2 }).map(b64),
    fc.string({ maxLength: 60 }),
    // Cursors the server really sealed, for another route, tenant or filter than this request's.
    { weight: 3, arbitrary: fc.constantFrom(...realCursors) },
    fc
      .tuple(fc.constantFrom(...realCursors), fc.nat())
      .map(
        ([cursor, n]) =>
          cursor.slice(0, n % cursor.length) + 'A' + cursor.slice((n % cursor.length) + 1),
      ),
  );

/** `from`/`to` pairs: inverted, equal, open-ended, not dates at all. */
const rangeArb = () =>
  fc
    .tuple(fc.date({ noInvalidDate: true }), fc.date({ noInvalidDate: true }), fc.boolean())
    .map(([x, y, iso]) => {
      const [early, late] = x <= y ? [x, y] : [y, x];
      const show = (d: Date) => (iso ? d.toISOString() : d.toISOString().slice(0, 10));
      return { from: show(late), to: show(early) };
    });

/** Values past the shapes any contract declares: deep nesting and the prototype's own names. */
const nested = (levels: number, leaf: string) => '{"a":'.repeat(levels) + leaf + '}'.repeat(levels);
const hostileJsonArb = () =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom(...fieldNames), fc.constantFrom(15, 16, 17, 33, 2_000, 20_000))
      .map(([field, levels]) => `{"${field}":${nested(levels, '1')}}`),
    fc
      .tuple(fc.constantFrom(...fieldNames), fc.constantFrom(200, 5_000))
      .map(([field, levels]) => `{"${field}":${'['.repeat(levels)}${']'.repeat(levels)}}`),
    fc
      .tuple(
        fc.constantFrom(...fieldNames),
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
        fc.boolean(),
      )
      .map(([field, key, deep]) =>
        deep ? `{"${field}":{"${key}":{"polluted":true}}}` : `{"${key}":{"${field}":"x"}}`,
      ),
  );

/** Tenant regular expressions that backtrack in a backtracking engine, and inputs that trigger them. */
const regexBombs = [
  '^a*a*a*a*a*a*$',
  '^(a+)+$',
  '(a|a)*b',
  '^(a|aa)+$',
  '(.*a){12}',
  '^(\\w+\\s?)*$',
];
const bombInput = 'a'.repeat(100) + '!';
const regexBombArb = () =>
  fc.tuple(fc.constantFrom(...regexBombs), fc.boolean()).map(([pattern, asForm]) =>
    JSON.stringify(
      asForm
        ? {
            name: 'Bomb form',
            fields: [
              { key: 'name', label: 'Name', type: 'text', role: 'name', validation: { pattern } },
              { key: 'email', label: 'E-mail', type: 'email', role: 'email', required: true },
            ],
          }
        : { text: bombInput, name: bombInput, fields: { name: bombInput, pattern } },
    ),
  );

/** Valid JSON padded to exactly `bytes` bytes (the limit itself is still allowed). */
const atSize = (bytes: number) => {
  const head = '{"name":"';
  const tail = '"}';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
};

const valueArb = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: idArb() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'owner',
        'admin',
        'agent',
        'viewer',
        'whatsapp',
        'instagram',
        'read',
        'messages:send',
      ),
    },
    { weight: 1, arbitrary: fc.emailAddress() },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.array(idArb(), { maxLength: 5 }) },
    {
      weight: 1,
      arbitrary: fc.record({
        name: idArb(),
        language: fc.constantFrom('en_US', 'pt_BR', ''),
        parameters: fc.array(idArb(), { maxLength: 3 }),
      }),
    },
  );

const bodyArb = (route: RouteSpec) =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .dictionary(
          fc.oneof(fc.constantFrom(...fieldNames), fc.string({ maxLength: 12 })),
          valueArb(),
          { maxKeys: 6 },
        )
        .map((v) => JSON.stringify(v)),
    },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'null',
        '[]',
        '{',
        '{"a":',
        '"x"',
        '\u0000',
        '{"__proto__":{"admin":true}}',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constant('x'.repeat((route.maxBodyBytes ?? 1024 * 1024) + 1)) },
    { weight: 1, arbitrary: fc.constant(atSize(route.maxBodyBytes ?? 1024 * 1024)) },
    { weight: 1, arbitrary: fc.constant(atSize((route.maxBodyBytes ?? 1024 * 1024) + 1)) },
    { weight: 2, arbitrary: hostileJsonArb() },
    { weight: 1, arbitrary: regexBombArb() },
  );

const caseArb = (route: RouteSpec) =>
  fc.record({
    params: fc.array(idArb(), { minLength: 3, maxLength: 3 }),
    rawParam: fc.boolean(),
    query: fc
      .tuple(
        fc.dictionary(
          fc.oneof(fc.constantFrom(...queryNames), fc.string({ maxLength: 8 })),
          fc.oneof(valueArb().map(asText), cursorArb()),
          { maxKeys: 4 },
        ),
        fc.option(rangeArb(), { freq: 3 }),
        fc.option(cursorArb(), { freq: 2 }),
      )
      .map(([query, range, cursor]) => ({
        ...query,
        ...(range ?? {}),
        ...(cursor ? { cursor, limit: '1' } : {}),
      })),
    body: route.method === 'GET' ? fc.constant(undefined) : fc.option(bodyArb(route), { freq: 8 }),
    contentType: fc.constantFrom(
      'application/json',
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ),
    auth: fc.constantFrom('a', 'a', 'a', 'a', 'a', 'a', 'none', 'garbage', 'forged'),
    spoof: fc.boolean(),
  });

type Case = ReturnType<typeof caseArb> extends fc.Arbitrary<infer T> ? T : never;

// ------------------------------------------------------------------------------- requests

function encodeParam(value: string, raw: boolean): string {
  if (raw) return value.replace(/[/?#\s]/g, '_') || '_';
  try {
    return encodeURIComponent(value) || '%20';
  } catch {
    return '%ED%A0%80'; // a lone surrogate as raw UTF-8 bytes
  }
}

function queryString(query: Record<string, string>): string {
  const parts = Object.entries(query).map(([k, v]) => {
    try {
      return `${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
    } catch {
      return `${encodeURIComponent(k.replace(/[\ud800-\udfff]/g, ''))}=%ED%A0%80`;
    }
  });
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Routes that end or lock the caller's session run with a throwaway owner of a throwaway tenant. */
// Routes that check a password count failures against the caller's account from this client (the
// sign-in throttle), so they also get a throwaway: A must always be able to sign in again.
const sessionEnding = new Set([
  'auth.logout',
  'auth.password',
  'auth.switchTenant',
  'auth.sessions.revoke',
  'auth.sessions.revokeAll',
  'auth.twoFactor.start',
  'auth.twoFactor.confirm',
  'auth.twoFactor.disable',
  'auth.twoFactor.recoveryCodes',
]);
let throwaway: Party | undefined;

async function tokenFor(route: RouteSpec): Promise<string> {
  if (!sessionEnding.has(route.id)) return a.token;
  throwaway ??= await onboard(`Throwaway ${++seq}`, `throwaway${seq}.${Date.now()}@example.com`);
  return throwaway.token;
}

function forged(token: string): string {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
  const evil = {
    ...claims,
    tid: b.tenantId,
    tenantId: b.tenantId,
    role: 'owner',
    platformAdmin: true,
  };
  return `${header}.${Buffer.from(JSON.stringify(evil)).toString('base64url')}.${signature}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function send(route: RouteSpec, c: Case): Promise<RawResponse & { path: string }> {
  let i = 0;
  const path =
    route.path.replace(/\{\w+\}/g, () => encodeParam(c.params[i++] ?? 'x', c.rawParam)) +
    queryString(c.query);
  const token = await tokenFor(route);
  const headers: Record<string, string> = {};
  if (c.contentType && c.body !== undefined && c.body !== null)
    headers['content-type'] = c.contentType;
  if (c.auth === 'a') headers.authorization = `Bearer ${token}`;
  if (c.auth === 'garbage')
    headers.authorization = `Bearer ${c.params[0] ?? 'x'}`.replace(/[^\x20-\x7e]/g, '?');
  if (c.auth === 'forged') headers.authorization = `Bearer ${forged(token)}`;
  if (c.spoof) {
    headers['x-tenant-id'] = b.tenantId;
    headers['x-forwarded-for'] = '203.0.113.7';
  }
  const res = await rawRequest(t.sb.url, route.method, path, headers, c.body ?? undefined);
  return { ...res, path };
}

// ------------------------------------------------------------------------------- the property

describe('every route of the topology, as tenant A, with hostile input', () => {
  const statuses = new Map<string, Map<number, number>>();

  afterAll(() => {
    const table = [...statuses].map(
      ([id, counts]) => `${id} ${JSON.stringify(Object.fromEntries(counts))}`,
    );
    console.info(`API fuzz statuses per route:\n${table.join('\n')}`);
  });

  (routes as readonly RouteSpec[]).forEach((route, index) => {
    it(`${route.method} ${route.path} (${route.id})`, async () => {
      const counts = new Map<number, number>();
      statuses.set(route.id, counts);
      await fc.assert(
        fc.asyncProperty(caseArb(route), async (c) => {
          const res = await send(route, c);
          counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
          const what = `${route.method} ${res.path.slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
          // Over the body limit the server may answer 413 and close before reading: no response.
          const overLimit = (c.body?.length ?? 0) > (route.maxBodyBytes ?? 1024 * 1024);
          if (!(res.status === 0 && overLimit)) expect(res.status, what).toBeGreaterThan(0);
          expect(res.status, what).toBeLessThan(500);
          if (res.status >= 400) {
            // Every refusal is one of the route's declared error codes, with that code's status.
            const contract = routeContracts[route.id as RouteId];
            const violation = checkResponse(contract, res.status, null, parseJson(res.text));
            expect(violation?.problems, what).toBeUndefined();
          }
          expect(res.text.toLowerCase().includes(mark), `tenant B's data in: ${what}`).toBe(false);
          if (res.status === 401 && c.auth === 'a') {
            // The session really ended (a throwaway's logout or password change): start a new one.
            if (sessionEnding.has(route.id)) throwaway = undefined;
            else a.token = await t.api.login(a.email, password);
          }
        }),
        fuzzParams(fuzzSeed + index, fuzzRuns(25)),
      );
    });
  });

  it("leaves tenant B's data where it was", async () => {
    const channels = await t.api.request('GET', '/channels', { token: b.token });
    expect(channels.status).toBe(200);
    expect(channels.json.items).toHaveLength(2);
    const inbox = await t.api.request('GET', '/conversations?limit=100', { token: b.token });
    expect(inbox.json.items).toHaveLength(6);
    expect(inbox.text).toContain(mark);
  });
});

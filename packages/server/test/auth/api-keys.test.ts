import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/engine/data/keys';
import {
  createApiKey,
  onboard,
  seedInbox,
  startAuthSandbox,
  type AuthSandbox,
  type Person,
} from './helpers';

// API keys: shown once, stored as a hash, listed without secrets, scoped, revocable, tenant-bound.
// (Every route against every scope is in access-matrix.test.ts.)

let t: AuthSandbox;
let tenantA: { tenantId: string; owner: Person };
let tenantB: { tenantId: string; owner: Person };
let conversationB: string;

beforeAll(async () => {
  t = await startAuthSandbox();
  tenantA = await onboard(t, 'Keys A');
  tenantB = await onboard(t, 'Keys B');
  conversationB = (await seedInbox(t, tenantB.tenantId, tenantB.owner.session.accessToken))
    .conversationId;
});

afterAll(async () => {
  await t?.stop();
});

const ownerA = () => tenantA.owner.session.accessToken;
const withKey = (key: string, path = '/conversations') =>
  t.api.request('GET', path, { headers: { 'x-api-key': key } });

describe('API keys', () => {
  it('shows the key once, stores only its hash, and never lists the secret', async () => {
    const res = await t.api.request('POST', '/api-keys', {
      token: ownerA(),
      body: { name: 'Landing page', scopes: ['leads:write', 'read'] },
    });
    expect(res.status).toBe(201);
    const { key, id, prefix } = res.json;
    expect(key).toMatch(/^sk_live_ak_[0-9a-z]{20}_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`${prefix}_`)).toBe(true);
    const stored = await t.sb.db.get(keys.apiKey(tenantA.tenantId, id));
    expect(JSON.stringify(stored)).not.toContain(key.slice(prefix.length + 1));
    expect(stored?.keyHash).toMatch(/^[0-9a-f]{64}$/);

    const list = await t.api.request('GET', '/api-keys', { token: ownerA() });
    const listed = list.json.items.find((k: { id: string }) => k.id === id);
    expect(listed).toMatchObject({
      id,
      name: 'Landing page',
      prefix,
      scopes: ['leads:write', 'read'],
    });
    expect(list.text).not.toContain(key);
    expect(listed).not.toHaveProperty('keyHash');
  });

  it('is accepted as X-Api-Key and as a bearer token', async () => {
    const { key } = await createApiKey(t, ownerA(), ['read']);
    expect((await withKey(key)).status).toBe(200);
    const bearer = await t.api.request('GET', '/conversations', {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(bearer.status).toBe(200);
  });

  it('is refused outside its allowed IP ranges, before anything else, and the ranges can change', async () => {
    // Prepare: a key allowed only from a documentation range (this test calls from 127.0.0.1).
    const created = await t.api.request('POST', '/api-keys', {
      token: ownerA(),
      body: {
        name: 'Office only',
        scopes: ['read'],
        allowedIps: ['203.0.113.0/24', '2001:db8::/32'],
      },
    });
    expect(created.status).toBe(201);
    expect(created.json.allowedIps).toEqual(['203.0.113.0/24', '2001:db8::/32']);
    const { key, id } = created.json;

    // Act / Assess: refused from here, whatever header claims another address.
    const outside = await t.api.request('GET', '/conversations', {
      headers: { 'x-api-key': key, 'x-forwarded-for': '203.0.113.9' },
    });
    expect(outside.status).toBe(403);
    expect(outside.json.error.code).toBe('ip_not_allowed');

    // Act / Assess: allowing loopback lets it in; an empty list allows every address.
    const widened = await t.api.request('PATCH', `/api-keys/${id}`, {
      token: ownerA(),
      body: { allowedIps: ['127.0.0.0/8'] },
    });
    expect(widened.status).toBe(200);
    expect(widened.json.allowedIps).toEqual(['127.0.0.0/8']);
    expect((await withKey(key)).status).toBe(200);
    const lifted = await t.api.request('PATCH', `/api-keys/${id}`, {
      token: ownerA(),
      body: { allowedIps: [] },
    });
    expect(lifted.json).not.toHaveProperty('allowedIps');
    expect((await withKey(key)).status).toBe(200);

    // Assess: a malformed range is a 400 naming the field; another tenant's key is a 404.
    const bad = await t.api.request('PATCH', `/api-keys/${id}`, {
      token: ownerA(),
      body: { allowedIps: ['10.0.0.0/33'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('validation_failed');
    const foreign = await t.api.request('PATCH', `/api-keys/${id}`, {
      token: tenantB.owner.session.accessToken,
      body: { allowedIps: [] },
    });
    expect(foreign.status).toBe(404);
  });

  it('refuses a wrong scope and routes that take no keys with 403 insufficient_scope', async () => {
    const { key } = await createApiKey(t, ownerA(), ['leads:write']);
    const wrongScope = await withKey(key);
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.json.error.code).toBe('insufficient_scope');
    const { key: readKey } = await createApiKey(t, ownerA(), ['read']);
    const noScope = await withKey(readKey, '/users');
    expect(noScope.status).toBe(403);
    expect(noScope.json.error.code).toBe('insufficient_scope');
  });

  it('stops working once revoked (401 api_key_revoked); revoking is idempotent', async () => {
    const { key, id } = await createApiKey(t, ownerA(), ['read']);
    expect((await withKey(key)).status).toBe(200);
    const revoke = await t.api.request('DELETE', `/api-keys/${id}`, { token: ownerA() });
    expect(revoke.status).toBe(204);
    const after = await withKey(key);
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('api_key_revoked');
    expect((await t.api.request('DELETE', `/api-keys/${id}`, { token: ownerA() })).status).toBe(
      204,
    );
    const listed = (await t.api.request('GET', '/api-keys', { token: ownerA() })).json.items.find(
      (k: { id: string }) => k.id === id,
    );
    expect(listed.revokedAt).toBeTruthy();
    const audit = await t.api.request('GET', '/audit-events', { token: ownerA() });
    const revocations = audit.json.items.filter(
      (e: { action: string; target?: { id: string } }) =>
        e.action === 'api_key.revoked' && e.target?.id === id,
    );
    expect(revocations).toHaveLength(1);
  });

  it("reaches only its own tenant: another tenant's objects answer 404", async () => {
    const { key } = await createApiKey(t, ownerA(), ['read']);
    const res = await withKey(key, `/conversations/${conversationB}`);
    expect(res.status).toBe(404);
    const list = await withKey(key);
    expect(list.text).not.toContain(conversationB);
    // Another tenant cannot revoke it either.
    const { id } = await createApiKey(t, ownerA(), ['read']);
    const cross = await t.api.request('DELETE', `/api-keys/${id}`, {
      token: tenantB.owner.session.accessToken,
    });
    expect(cross.status).toBe(404);
  });

  it('refuses forged and malformed keys with 401 invalid_api_key', async () => {
    const { key } = await createApiKey(t, ownerA(), ['read']);
    const tampered = `${key.slice(0, -4)}AAAA`;
    for (const bad of [tampered, 'sk_live_nope', `${key}x`]) {
      const res = await withKey(bad);
      expect(res.status, bad).toBe(401);
      expect(res.json.error.code).toBe('invalid_api_key');
    }
  });

  it('records its last use at most once a minute', async () => {
    const { key, id } = await createApiKey(t, ownerA(), ['read']);
    const lastUsed = async () =>
      (await t.sb.db.get(keys.apiKey(tenantA.tenantId, id)))?.lastUsedAt as string;
    expect(await lastUsed()).toBeUndefined();
    await withKey(key);
    const first = await lastUsed();
    expect(first).toBeTruthy();
    t.clock.advance(30);
    await withKey(key);
    expect(await lastUsed()).toBe(first);
    t.clock.advance(31);
    await withKey(key);
    expect(await lastUsed()).not.toBe(first);
  });

  it('lists all keys page by page', async () => {
    const fresh = await onboard(t, 'Paging');
    const token = fresh.owner.session.accessToken;
    const created = [];
    for (let i = 0; i < 3; i++) created.push((await createApiKey(t, token, ['read'])).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await t.api.request('GET', `/api-keys${query}`, { token });
      expect(res.json.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.json.items.map((k: { id: string }) => k.id));
      cursor = res.json.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(created.sort());
  });

  it('validates creation: name, known scopes, each once', async () => {
    for (const body of [
      { name: '', scopes: ['read'] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['admin'] },
      { name: 'x', scopes: ['read', 'read'] },
    ]) {
      const res = await t.api.request('POST', '/api-keys', { token: ownerA(), body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
    }
  });
});

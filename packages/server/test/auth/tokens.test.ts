import { SignJWT, createLocalJWKSet, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  createApiKey,
  decodePayload,
  encodeSegment,
  lastMailTo,
  onboard,
  password,
  signIn,
  signWithSandboxKey,
  startAuthSandbox,
  tokenOf,
  uniqueEmail,
  type AuthSandbox,
  type Person,
} from './helpers';

// Access tokens, refresh-token families, logout, tenant switching, suspension and disabling, against
// the real sandbox over HTTP.

let t: AuthSandbox;
let tenantA: { tenantId: string; owner: Person };
let tenantB: { tenantId: string; owner: Person };

beforeAll(async () => {
  t = await startAuthSandbox();
  tenantA = await onboard(t, 'Tokens A');
  tenantB = await onboard(t, 'Tokens B');
});

afterAll(async () => {
  await t?.stop();
});

const get = (path: string, token: string) => t.api.request('GET', path, { token });

async function expectUnauthenticated(token: string, path = '/users') {
  const res = await get(path, token);
  expect(res.status, res.text).toBe(401);
  expect(res.json.error.code).toBe('unauthenticated');
}

describe('JWT attacks', () => {
  it('accepts the genuine token (the control)', async () => {
    expect((await get('/users', tenantA.owner.session.accessToken)).status).toBe(200);
  });

  it('refuses alg: none', async () => {
    const real = decodePayload(tenantA.owner.session.accessToken);
    const token = `${encodeSegment({ alg: 'none', typ: 'JWT' })}.${encodeSegment(real)}.`;
    await expectUnauthenticated(token);
  });

  it('refuses a token signed by another ES256 key, even under our kid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const header = JSON.parse(
      Buffer.from(tenantA.owner.session.accessToken.split('.')[0]!, 'base64url').toString(),
    );
    const token = await new SignJWT(decodePayload(tenantA.owner.session.accessToken))
      .setProtectedHeader({ alg: 'ES256', kid: header.kid })
      .sign(privateKey);
    await expectUnauthenticated(token);
  });

  it('refuses HS256 signed with the public key (algorithm confusion)', async () => {
    const jwks = (await t.api.request('GET', '/.well-known/jwks.json')).json;
    const secret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
    const token = await new SignJWT(decodePayload(tenantA.owner.session.accessToken))
      .setProtectedHeader({ alg: 'HS256', kid: jwks.keys[0].kid })
      .sign(secret);
    await expectUnauthenticated(token);
  });

  it('refuses an expired token signed with the real key', async () => {
    const claims = decodePayload(tenantA.owner.session.accessToken);
    const now = Math.floor(Date.now() / 1000);
    const token = await signWithSandboxKey(
      t.sb,
      { sub: claims.sub as string, tid: claims.tid, sid: claims.sid, role: 'owner' },
      { issuedAt: now - 3600, expiresIn: now - 1800 },
    );
    await expectUnauthenticated(token);
  });

  it('refuses a tampered tenant claim (payload edited, signature kept)', async () => {
    const [header, , signature] = tenantA.owner.session.accessToken.split('.');
    const payload = { ...decodePayload(tenantA.owner.session.accessToken), tid: tenantB.tenantId };
    await expectUnauthenticated(`${header}.${encodeSegment(payload)}.${signature}`);
  });

  it('refuses a validly signed token without a session id', async () => {
    const claims = decodePayload(tenantA.owner.session.accessToken);
    const token = await signWithSandboxKey(t.sb, { sub: claims.sub as string, tid: claims.tid });
    await expectUnauthenticated(token);
  });

  it('forbids a validly signed token naming a tenant the user is not a member of', async () => {
    const claims = decodePayload(tenantA.owner.session.accessToken);
    const token = await signWithSandboxKey(t.sb, {
      sub: claims.sub as string,
      sid: claims.sid,
      tid: tenantB.tenantId,
      role: 'owner',
    });
    const res = await get('/users', token);
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('forbidden');
  });

  it('publishes the verifying keys at /.well-known/jwks.json', async () => {
    const res = await t.api.request('GET', '/.well-known/jwks.json');
    expect(res.status).toBe(200);
    for (const key of res.json.keys) expect(key).not.toHaveProperty('d');
    const { payload } = await jwtVerify(
      tenantA.owner.session.accessToken,
      createLocalJWKSet(res.json),
      { algorithms: ['ES256'] },
    );
    expect(payload.tid).toBe(tenantA.tenantId);
  });
});

describe('refresh tokens', () => {
  it('rotates: a refresh gives a working pair and retires the old refresh token', async () => {
    const session = await signIn(t, tenantA.owner.email);
    const res = await t.api.request('POST', '/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      tenantId: tenantA.tenantId,
    });
    expect(res.json.refreshToken).not.toBe(session.refreshToken);
    expect((await get('/users', res.json.accessToken)).status).toBe(200);
  });

  it('revokes the whole family when a used refresh token comes back', async () => {
    const first = await signIn(t, tenantA.owner.email);
    const second = (
      await t.api.request('POST', '/auth/refresh', { body: { refreshToken: first.refreshToken } })
    ).json;
    // The stolen first token is replayed, later than any concurrent refresh could be.
    t.clock.advance(11);
    const replay = await t.api.request('POST', '/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(replay.status).toBe(401);
    expect(replay.json.error.code).toBe('token_reused');
    // Every token of the family is dead: the newest refresh token and both access tokens.
    const next = await t.api.request('POST', '/auth/refresh', {
      body: { refreshToken: second.refreshToken },
    });
    expect(next.status).toBe(401);
    expect(next.json.error.code).toBe('invalid_token');
    await expectUnauthenticated(second.accessToken);
    await expectUnauthenticated(first.accessToken);
    // Other sessions of the same person live on.
    expect((await get('/users', tenantA.owner.session.accessToken)).status).toBe(200);
    const audit = await get('/audit-events', tenantA.owner.session.accessToken);
    expect(audit.json.items.map((e: { action: string }) => e.action)).toContain(
      'auth.refresh_reused',
    );
  });

  it('tells a lost race (two tabs refreshing at once) from a replay, without ending the session', async () => {
    const first = await signIn(t, tenantA.owner.email);
    const refresh = (refreshToken: string) =>
      t.api.request('POST', '/auth/refresh', { body: { refreshToken } });
    const winner = await refresh(first.refreshToken);
    expect(winner.status).toBe(200);
    const loser = await refresh(first.refreshToken);
    expect(loser.status).toBe(409);
    expect(loser.json.error.code).toBe('conflict');
    // The session lives on with the winner's token.
    expect((await get('/users', winner.json.accessToken)).status).toBe(200);
    expect((await refresh(winner.json.refreshToken)).status).toBe(200);
    // Two generations back is never a race.
    expect((await refresh(first.refreshToken)).json.error.code).toBe('token_reused');
  });

  it('answers 401 invalid_token for an unknown refresh token and 400 for a malformed body', async () => {
    const unknown = await t.api.request('POST', '/auth/refresh', {
      body: { refreshToken: 'rt_not-a-real-token' },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.json.error.code).toBe('invalid_token');
    const malformed = await t.api.request('POST', '/auth/refresh', { body: { refreshToken: 42 } });
    expect(malformed.status).toBe(400);
    expect(malformed.json.error.code).toBe('validation_failed');
  });
});

describe('logout', () => {
  it('ends the session: its access token and refresh token stop working at once', async () => {
    const session = await signIn(t, tenantA.owner.email);
    expect((await get('/users', session.accessToken)).status).toBe(200);
    const out = await t.api.request('POST', '/auth/logout', { token: session.accessToken });
    expect(out.status).toBe(204);
    await expectUnauthenticated(session.accessToken);
    await expectUnauthenticated(session.accessToken, '/auth/me');
    const refresh = await t.api.request('POST', '/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refresh.json.error.code).toBe('invalid_token');
  });
});

describe('switching tenants', () => {
  it('moves a member of two tenants between them, and refuses a tenant they are not in', async () => {
    // B's owner invites A's owner: one person, two tenants.
    const invite = await t.api.request('POST', '/users', {
      token: tenantB.owner.session.accessToken,
      body: { email: tenantA.owner.email, role: 'agent' },
    });
    expect(invite.status).toBe(201);
    const joined = await t.api.request('POST', '/auth/accept-invite', {
      body: {
        token: tokenOf(lastMailTo(t.sb, tenantA.owner.email, 'invitation'), 'invite'),
        password,
      },
    });
    expect(joined.status).toBe(200);

    const session = await signIn(t, tenantA.owner.email);
    expect(session.tenants.map((m) => m.tenantId).sort()).toEqual(
      [tenantA.tenantId, tenantB.tenantId].sort(),
    );
    const switched = await t.api.request('POST', '/auth/switch-tenant', {
      token: session.accessToken,
      body: { tenantId: tenantB.tenantId },
    });
    expect(switched.status).toBe(200);
    expect(switched.json.tenantId).toBe(tenantB.tenantId);
    const me = await get('/auth/me', switched.json.accessToken);
    expect(me.json).toMatchObject({ tenantId: tenantB.tenantId, role: 'agent' });
    // As an agent in B: may read the team, may not manage API keys.
    expect((await get('/users', switched.json.accessToken)).status).toBe(200);
    expect((await get('/api-keys', switched.json.accessToken)).status).toBe(403);
    // The refresh token follows the session into B.
    const refreshed = await t.api.request('POST', '/auth/refresh', {
      body: { refreshToken: switched.json.refreshToken },
    });
    expect(refreshed.json.tenantId).toBe(tenantB.tenantId);

    const other = await onboard(t, 'Not yours');
    const refused = await t.api.request('POST', '/auth/switch-tenant', {
      token: refreshed.json.accessToken,
      body: { tenantId: other.tenantId },
    });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('forbidden');
  });
});

describe('suspended tenants and disabled users', () => {
  it("stops a suspended tenant's tokens and API keys, keeps its data, and resumes", async () => {
    const tenant = await onboard(t, 'Suspend me');
    const token = tenant.owner.session.accessToken;
    const key = await createApiKey(t, token, ['read']);
    const suspend = await t.api.request('POST', `/admin/tenants/${tenant.tenantId}/suspend`, {
      token: t.adminToken,
    });
    expect(suspend.status).toBe(200);
    expect(suspend.json.status).toBe('suspended');
    for (const res of [
      await get('/users', token),
      await t.api.request('GET', '/conversations', { headers: { 'x-api-key': key.key } }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('tenant_suspended');
    }
    // Tenants cannot suspend or resume anyone.
    expect(
      (await t.api.request('POST', `/admin/tenants/${tenant.tenantId}/resume`, { token })).status,
    ).toBe(403);
    const resume = await t.api.request('POST', `/admin/tenants/${tenant.tenantId}/resume`, {
      token: t.adminToken,
    });
    expect(resume.json.status).toBe('active');
    const members = await get('/users', token);
    expect(members.status).toBe(200);
    expect(members.json.items).toHaveLength(1);
    const platform = await get('/admin/audit-events', t.adminToken);
    const actions = platform.json.items
      .filter((e: { target?: { id: string } }) => e.target?.id === tenant.tenantId)
      .map((e: { action: string }) => e.action);
    expect(actions).toEqual(['tenant.resumed', 'tenant.suspended', 'tenant.created']);
    expect(
      (await t.api.request('POST', '/admin/tenants/tn_missing/suspend', { token: t.adminToken }))
        .status,
    ).toBe(404);
  });

  it("ends a disabled user's sessions at once and refuses their sign-in until enabled", async () => {
    const member = await addMember(t, tenantA.owner.session.accessToken, 'viewer');
    const disable = await t.api.request('POST', `/admin/users/${member.id}/disable`, {
      token: t.adminToken,
    });
    expect(disable.status).toBe(200);
    expect(disable.json.disabled).toBe(true);
    await expectUnauthenticated(member.session.accessToken);
    const refresh = await t.api.request('POST', '/auth/refresh', {
      body: { refreshToken: member.session.refreshToken },
    });
    expect(refresh.json.error.code).toBe('invalid_token');
    const login = await t.api.request('POST', '/auth/login', {
      body: { email: member.email, password },
    });
    expect(login.status).toBe(403);
    expect(login.json.error.code).toBe('account_disabled');

    await t.api.request('POST', `/admin/users/${member.id}/enable`, { token: t.adminToken });
    expect((await get('/users', (await signIn(t, member.email)).accessToken)).status).toBe(200);
  });

  it('does not let a platform admin disable their own account', async () => {
    const me = await get('/auth/me', t.adminToken);
    const res = await t.api.request('POST', `/admin/users/${me.json.user.id}/disable`, {
      token: t.adminToken,
    });
    expect(res.status).toBe(409);
  });
});

describe('password change', () => {
  it('needs the current password, then ends every other session', async () => {
    const member = await addMember(t, tenantA.owner.session.accessToken, 'agent');
    const other = await signIn(t, member.email);
    const wrong = await t.api.request('POST', '/auth/password', {
      token: member.session.accessToken,
      body: { currentPassword: 'not my password', newPassword: 'a brand new passphrase' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_credentials');
    const weak = await t.api.request('POST', '/auth/password', {
      token: member.session.accessToken,
      body: { currentPassword: password, newPassword: 'short' },
    });
    expect(weak.status).toBe(400);

    const changed = await t.api.request('POST', '/auth/password', {
      token: member.session.accessToken,
      body: { currentPassword: password, newPassword: 'a brand new passphrase' },
    });
    expect(changed.status).toBe(204);
    expect((await get('/users', member.session.accessToken)).status).toBe(200);
    await expectUnauthenticated(other.accessToken);
    const oldLogin = await t.api.request('POST', '/auth/login', {
      body: { email: member.email, password },
    });
    expect(oldLogin.status).toBe(401);
    expect((await signIn(t, member.email, 'a brand new passphrase')).accessToken).toBeTruthy();
  });
});

describe('login contract', () => {
  it('returns the token pair, lifetimes and the tenants; errors are coded JSON', async () => {
    const res = await t.api.request('POST', '/auth/login', {
      body: { email: tenantA.owner.email.toUpperCase(), password },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      tenants: expect.arrayContaining([expect.objectContaining({ tenantId: tenantA.tenantId })]),
    });
    expect(res.json.refreshToken).toMatch(/^rt_/);
    expect(res.json.refreshExpiresIn).toBeGreaterThan(0);
    const unknown = await t.api.request('POST', '/auth/login', {
      body: { email: uniqueEmail('nobody'), password },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.json.error).toMatchObject({ code: 'invalid_credentials' });
    const bad = await t.api.request('POST', '/auth/login', {
      raw: '{"email":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_json');
  });
});

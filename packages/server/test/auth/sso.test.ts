import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SsoDirectory } from '../../src/modules/identity/sso.repo';
import { base32Decode, totp } from '../../src/modules/identity/totp';
import { UserRepo } from '../../src/modules/identity/user.repo';
import { assertResponseContract } from '../helpers/harness';
import { freePort, startTestIdp, type TestIdp } from '../helpers/test-idp';
import {
  addMember,
  onboard,
  password,
  startAuthSandbox,
  type AuthSandbox,
  type Person,
} from './helpers';

// Single sign-on with OpenID Connect against a real OpenID provider (oidc-provider) on
// 127.0.0.1, driven over HTTP like a browser: the login page's start, the provider's login, the
// callback, then the web app's refresh from the cookie. The provider is both a workspace's own
// (client `switchboard-tenant`) and the platform's (client `switchboard-platform`); a third
// client (`another-app`) mints ID tokens for the wrong audience.

const tenantSecret = 'tenant-client-secret-0123456789abcdef';
const platformSecret = 'platform-client-secret-0123456789abcdef';
let t: AuthSandbox;
let idp: TestIdp;
let owner: Person;
let tenantId: string;
const run = `${process.pid}${Date.now() % 100000}`;
const domain = `acme-${run}.test`;
const slug = `acme-${run}`;
let accountSeq = 0;
const startsPerMinute = 80;
/** The owner at the provider (one subject: a second would be another person). */
let ownerAccount: string;

/** A person at the provider; returns their account id there. */
function idpAccount(email: string | undefined, emailVerified = true, amr?: string[]): string {
  const id = `acct-${++accountSeq}`;
  idp.addAccount(id, { email, emailVerified, amr });
  return id;
}

beforeAll(async () => {
  const idpPort = await freePort();
  const issuer = `http://127.0.0.1:${idpPort}`;
  t = await startAuthSandbox({
    sso: {
      startsPerIpPerMinute: startsPerMinute,
      platform: {
        issuer,
        clientId: 'switchboard-platform',
        clientSecret: platformSecret,
        name: 'Test Cognito',
        mfa: 'optional',
      },
    },
  });
  const callback = `${t.sb.url}/auth/sso/callback`;
  idp = await startTestIdp({
    port: idpPort,
    clients: [
      { id: 'switchboard-tenant', secret: tenantSecret, redirectUri: callback },
      { id: 'switchboard-platform', secret: platformSecret, redirectUri: callback },
      {
        id: 'another-app',
        secret: 'another-secret-0123456789abcdef',
        redirectUri: 'http://127.0.0.1:9/cb',
      },
    ],
  });
  ({ tenantId, owner } = await onboard(t, 'Acme'));
  const saved = await t.api.request('PUT', '/sso-settings', {
    token: owner.session.accessToken,
    body: {
      slug,
      allowedDomains: [domain],
      identityProvider: {
        issuer,
        clientId: 'switchboard-tenant',
        clientSecret: tenantSecret,
        displayName: 'Acme IdP',
      },
    },
  });
  expect(saved.status, saved.text).toBe(200);
}, 60_000);

afterAll(async () => {
  await idp?.stop();
  await t?.stop();
});

type Redirect = { status: number; location: URL; cookies: string[] };

async function get(url: string, cookie?: string): Promise<Redirect> {
  const target = new URL(url);
  const res = await fetch(target, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  assertResponseContract('GET', `${target.pathname}${target.search}`, res, undefined);
  return {
    status: res.status,
    location: new URL(res.headers.get('location') ?? 'about:blank'),
    cookies: res.headers.getSetCookie().map((c) => c.split(';')[0]!),
  };
}

const cookieNamed = (r: Redirect, name: string) => r.cookies.find((c) => c.startsWith(`${name}=`));

async function start(query: Record<string, string>) {
  const res = await get(`${t.sb.url}/auth/sso/start?${new URLSearchParams(query)}`);
  return { ...res, browser: cookieNamed(res, 'sb_sso') };
}

/** The whole sign-in: start, the provider's login as `accountId`, the callback. */
async function ssoSignIn(query: Record<string, string>, accountId: string) {
  const started = await start(query);
  expect(started.status).toBe(302);
  expect(started.location.origin).toBe(idp.issuer);
  const back = await idp.signIn(started.location.href, accountId);
  const done = await get(back, started.browser);
  return { started, back, done, refresh: cookieNamed(done, 'sb_refresh') };
}

/** What the web app does next: POST /auth/refresh with the cookie. */
async function sessionOf(refreshCookie: string | undefined) {
  expect(refreshCookie).toBeTruthy();
  const res = await t.api.request('POST', '/auth/refresh', { headers: { cookie: refreshCookie! } });
  expect(res.status, res.text).toBe(200);
  return res.json;
}

const errorOf = (r: Redirect) => r.location.searchParams.get('error');

async function tenantAudit(action: string): Promise<any[]> {
  const res = await t.api.request('GET', '/audit-events?limit=100', {
    token: owner.session.accessToken,
  });
  expect(res.status, res.text).toBe(200);
  return res.json.items.filter((e: { action: string }) => e.action === action);
}

async function platformAudit(action: string): Promise<any[]> {
  const res = await t.api.request('GET', '/admin/audit-events?limit=100', { token: t.adminToken });
  expect(res.status, res.text).toBe(200);
  return res.json.items.filter((e: { action: string }) => e.action === action);
}

describe('signing in with a workspace’s identity provider', () => {
  it('admits a new person from an allowed domain as an agent, audited, and the web app refreshes into it', async () => {
    const email = `new-${run}@${domain}`;
    const { started, done, refresh } = await ssoSignIn({ tenant: slug }, idpAccount(email));
    // The request to the provider: code flow, PKCE S256, state and nonce, our client.
    const auth = started.location.searchParams;
    expect(auth.get('response_type')).toBe('code');
    expect(auth.get('client_id')).toBe('switchboard-tenant');
    expect(auth.get('code_challenge_method')).toBe('S256');
    expect(auth.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(auth.get('state')).toBeTruthy();
    expect(auth.get('nonce')).toBeTruthy();
    expect(auth.get('redirect_uri')).toBe(`${t.sb.url}/auth/sso/callback`);
    // The browser binding: httpOnly, Lax, only on the callback path.
    expect(started.browser).toMatch(/^sb_sso=[\w-]{43}$/);

    expect(done.status).toBe(302);
    expect(done.location.pathname).toBe('/login/');
    expect(done.location.searchParams.get('sso')).toBe('done');
    const session = await sessionOf(refresh);
    expect(session.refreshToken).toBeUndefined();
    expect(session.user.email).toBe(email);
    expect(session.tenantId).toBe(tenantId);
    expect(session.tenants).toEqual([{ tenantId, name: 'Acme', role: 'agent' }]);

    const userId = session.user.id;
    expect((await tenantAudit('auth.sso_linked')).some((e) => e.target?.id === userId)).toBe(true);
    const joined = (await tenantAudit('member.joined')).find((e) => e.target?.id === userId);
    expect(joined?.details).toMatchObject({ role: 'agent', via: 'sso', domain });
    const signedIn = (await tenantAudit('auth.signed_in')).find((e) => e.actor.id === userId);
    expect(signedIn?.details).toMatchObject({ via: 'sso', provider: 'tenant', issuer: idp.issuer });
    // An SSO-only account: no password anyone knows, and (a workspace's provider) no proved address.
    const user = await new UserRepo(t.sb.db).get(userId);
    expect(user?.emailVerifiedAt).toBeUndefined();
  });

  it('links to the existing account with that verified e-mail, once', async () => {
    ownerAccount = idpAccount(owner.email);
    const account = ownerAccount;
    const first = await ssoSignIn({ tenant: slug }, account);
    const session = await sessionOf(first.refresh);
    expect(session.user.id).toBe(owner.id);
    expect(session.tenants).toEqual([{ tenantId, name: 'Acme', role: 'owner' }]);
    const second = await ssoSignIn({ email: owner.email.replace(/@.*/, `@${domain}`) }, account);
    // The work e-mail's domain found the workspace; the provider's person is the same.
    expect((await sessionOf(second.refresh)).user.id).toBe(owner.id);
    const links = (await tenantAudit('auth.sso_linked')).filter((e) => e.target?.id === owner.id);
    expect(links).toHaveLength(1);
  });

  it('admits an invited person with the invitation’s role, and spends the invitation', async () => {
    const email = `invited-${run}@elsewhere-${run}.test`;
    const invite = await t.api.request('POST', '/users', {
      token: owner.session.accessToken,
      body: { email, role: 'viewer' },
    });
    expect(invite.status, invite.text).toBe(201);
    const { refresh } = await ssoSignIn({ tenant: tenantId }, idpAccount(email));
    const session = await sessionOf(refresh);
    expect(session.tenants).toEqual([{ tenantId, name: 'Acme', role: 'viewer' }]);
    const list = await t.api.request('GET', '/invitations', { token: owner.session.accessToken });
    expect(list.json.items.some((i: { id: string }) => i.id === invite.json.id)).toBe(false);
  });

  it('refuses a person outside the workspace’s domains who is not invited', async () => {
    const email = `outsider-${run}@elsewhere-${run}.test`;
    const { done, refresh } = await ssoSignIn({ tenant: slug }, idpAccount(email));
    expect(errorOf(done)).toBe('sso_not_allowed');
    expect(refresh).toBeUndefined();
    expect(await new UserRepo(t.sb.db).getByEmail(email)).toBeUndefined();
    const failed = (await tenantAudit('auth.sign_in_failed')).find((e) => e.actor.email === email);
    expect(failed?.details).toMatchObject({ via: 'sso', code: 'sso_not_allowed' });
  });

  it('refuses an e-mail the provider has not verified', async () => {
    const email = `unverified-${run}@${domain}`;
    const { done, refresh } = await ssoSignIn({ tenant: slug }, idpAccount(email, false));
    expect(errorOf(done)).toBe('sso_email_unverified');
    expect(refresh).toBeUndefined();
    expect(await new UserRepo(t.sb.db).getByEmail(email)).toBeUndefined();
    // Nor a person without any e-mail.
    const none = await ssoSignIn({ tenant: slug }, idpAccount(undefined));
    expect(errorOf(none.done)).toBe('sso_email_unverified');
  });

  it('never opens an account that belongs to another workspace too, nor the platform admin’s', async () => {
    const other = await onboard(t, 'Other');
    const { done } = await ssoSignIn({ tenant: slug }, idpAccount(other.owner.email));
    expect(errorOf(done)).toBe('sso_account_not_eligible');
    const admin = await ssoSignIn({ tenant: slug }, idpAccount(t.sb.admin.email));
    expect(errorOf(admin.done)).toBe('sso_account_not_eligible');
    expect(admin.refresh).toBeUndefined();
  });
});

describe('the callback’s checks', () => {
  it('refuses a wrong state, and a callback carried to another browser', async () => {
    const bogus = await get(`${t.sb.url}/auth/sso/callback?state=not-a-state&code=whatever`);
    expect(bogus.location.pathname).toBe('/login/');
    expect(errorOf(bogus)).toBe('sso_state_invalid');

    const email = `csrf-${run}@${domain}`;
    const started = await start({ tenant: slug });
    const back = await idp.signIn(started.location.href, idpAccount(email));
    // Another browser (no binding cookie), or a forged one: refused, and the flow is spent.
    expect(errorOf(await get(back, 'sb_sso=forged-value'))).toBe('sso_state_invalid');
    expect(errorOf(await get(back, started.browser))).toBe('sso_state_invalid');
    expect(await new UserRepo(t.sb.db).getByEmail(email)).toBeUndefined();
    // The state the provider echoes must be the one we sent: a tampered one finds no flow.
    const started2 = await start({ tenant: slug });
    const back2 = new URL(await idp.signIn(started2.location.href, idpAccount(email)));
    back2.searchParams.set('state', `${back2.searchParams.get('state')}x`);
    expect(errorOf(await get(back2.href, started2.browser))).toBe('sso_state_invalid');
  });

  it('refuses a replayed code: our state is single use, and the provider refuses the code too', async () => {
    const account = idpAccount(`replay-${run}@${domain}`);
    const first = await ssoSignIn({ tenant: slug }, account);
    expect(first.done.location.searchParams.get('sso')).toBe('done');
    // The same callback again (same browser): the state was taken.
    const replay = await get(first.back, first.started.browser);
    expect(errorOf(replay)).toBe('sso_state_invalid');
    expect(cookieNamed(replay, 'sb_refresh')).toBeUndefined();

    // The old code under a fresh state of ours: the provider refuses it at the token endpoint.
    const fresh = await start({ tenant: slug });
    const oldCode = new URL(first.back).searchParams.get('code')!;
    const forged = new URL(first.back);
    forged.searchParams.set('state', fresh.location.searchParams.get('state')!);
    forged.searchParams.set('code', oldCode);
    const before = idp.tokenRequests.length;
    const refused = await get(forged.href, fresh.browser);
    expect(errorOf(refused)).toBe('sso_failed');
    expect(idp.tokenRequests.slice(before)).toEqual([{ status: 400, error: 'invalid_grant' }]);
  });

  it('refuses an ID token minted for another client (wrong audience)', async () => {
    const email = `audience-${run}@${domain}`;
    const account = idpAccount(email);
    const started = await start({ tenant: slug });
    // The provider's token answer will carry an ID token it issued to `another-app`, for the same
    // person and our nonce: correctly signed by the same issuer, only its audience is wrong.
    const foreign = await idp.idTokenFor(
      'another-app',
      account,
      started.location.searchParams.get('nonce')!,
    );
    idp.swapNextIdToken(foreign);
    const back = await idp.signIn(started.location.href, account);
    const done = await get(back, started.browser);
    expect(errorOf(done)).toBe('sso_failed');
    expect(cookieNamed(done, 'sb_refresh')).toBeUndefined();
    expect(await new UserRepo(t.sb.db).getByEmail(email)).toBeUndefined();
    const failed = (await tenantAudit('auth.sign_in_failed')).find(
      (e) => e.details?.code === 'sso_failed' && String(e.details?.reason).includes('aud'),
    );
    expect(failed?.details?.reason).toMatch(
      /^id_token:OAUTH_JWT_CLAIM_COMPARISON_FAILED:.*"aud" \(audience\)/,
    );
  });

  it('sends a cancelled sign-in back with sso_denied', async () => {
    const started = await start({ tenant: slug });
    const back = await idp.signIn(started.location.href, 'nobody-at-the-provider');
    expect(new URL(back).searchParams.get('error')).toBe('access_denied');
    expect(errorOf(await get(back, started.browser))).toBe('sso_denied');
  });

  it('answers an unknown workspace with sso_not_configured, and keeps `next` to our app only', async () => {
    expect(errorOf(await start({ tenant: 'no-such-workspace' }))).toBe('sso_not_configured');
    expect(errorOf(await start({}))).toBe('sso_not_configured');
    const account = idpAccount(`next-${run}@${domain}`);
    const inApp = await ssoSignIn({ tenant: slug, next: '/app/leads/' }, account);
    expect(inApp.done.location.searchParams.get('next')).toBe('/app/leads/');
    const away = await ssoSignIn({ tenant: slug, next: 'https://evil.example/' }, account);
    expect(away.done.location.searchParams.get('next')).toBeNull();
  });
});

describe('two-factor with single sign-on', () => {
  let member: Person;
  let memberAccount: string;
  let secret: string;
  const codeOf = () => totp(base32Decode(secret), t.clock.now().getTime());

  beforeAll(async () => {
    member = await addMember(t, owner.session.accessToken, 'agent');
    const started = await t.api.request('POST', '/auth/two-factor/start', {
      token: member.session.accessToken,
      body: { password },
    });
    secret = started.json.secret;
    const confirmed = await t.api.request('POST', '/auth/two-factor/confirm', {
      token: member.session.accessToken,
      body: { code: codeOf() },
    });
    expect(confirmed.status, confirmed.text).toBe(200);
    t.clock.advance(30);
    memberAccount = idpAccount(member.email, true, ['pwd', 'mfa']);
  });

  it('a workspace’s provider leads to our second step (even if it says it did MFA)', async () => {
    const { done, refresh } = await ssoSignIn({ tenant: slug }, memberAccount);
    expect(refresh).toBeUndefined();
    expect(done.location.pathname).toBe('/login/');
    const fragment = new URLSearchParams(done.location.hash.slice(1));
    const challenge = fragment.get('challenge');
    expect(challenge).toBeTruthy();
    expect(done.location.search).not.toContain(challenge!);
    const second = await t.api.request('POST', '/auth/login/two-factor', {
      body: { challenge, code: codeOf() },
    });
    expect(second.status, second.text).toBe(200);
    expect(second.json.user.id).toBe(member.id);
    t.clock.advance(30);
  });

  it('the platform’s provider: our second step unless it says it did MFA (amr)', async () => {
    // The same person at the provider, signing in once with a password only, once with MFA.
    idp.addAccount(memberAccount, { email: member.email, emailVerified: true, amr: ['pwd'] });
    const plain = await ssoSignIn({ provider: 'platform' }, memberAccount);
    expect(plain.started.location.searchParams.get('client_id')).toBe('switchboard-platform');
    expect(plain.refresh).toBeUndefined();
    expect(new URLSearchParams(plain.done.location.hash.slice(1)).get('challenge')).toBeTruthy();

    idp.addAccount(memberAccount, {
      email: member.email,
      emailVerified: true,
      amr: ['pwd', 'mfa'],
    });
    const mfa = await ssoSignIn({ provider: 'platform' }, memberAccount);
    const session = await sessionOf(mfa.refresh);
    expect(session.user.id).toBe(member.id);
    const signedIn = (await tenantAudit('auth.signed_in')).find(
      (e) => e.actor.id === member.id && e.details?.provider === 'platform',
    );
    expect(signedIn?.details).toMatchObject({ via: 'sso', twoFactor: 'provider_mfa' });
  });
});

describe('the platform’s identity provider', () => {
  it('is offered on the login page', async () => {
    const res = await t.api.request('GET', '/auth/sso/providers');
    expect(res.json).toEqual({ platform: { name: 'Test Cognito' } });
  });

  it('signs an existing account in to its workspaces, and creates none without a workspace', async () => {
    const other = await onboard(t, 'Platform user');
    const { refresh } = await ssoSignIn({ provider: 'platform' }, idpAccount(other.owner.email));
    const session = await sessionOf(refresh);
    expect(session.user.id).toBe(other.owner.id);
    // The platform's provider is trusted for the address: it counts as proved.
    expect((await new UserRepo(t.sb.db).get(other.owner.id))?.emailVerifiedAt).toBeTruthy();
    expect(
      (await platformAudit('auth.sso_linked')).some((e) => e.target?.id === other.owner.id),
    ).toBe(true);

    const stranger = `stranger-${run}@nowhere-${run}.test`;
    const none = await ssoSignIn({ provider: 'platform' }, idpAccount(stranger));
    expect(errorOf(none.done)).toBe('sso_not_allowed');
    expect(await new UserRepo(t.sb.db).getByEmail(stranger)).toBeUndefined();
  });

  it('refuses an account already linked to another subject of the same issuer', async () => {
    const other = await onboard(t, 'Relinked');
    await sessionOf(
      (await ssoSignIn({ provider: 'platform' }, idpAccount(other.owner.email))).refresh,
    );
    // The address now belongs to another person at the provider (a new subject).
    const { done } = await ssoSignIn({ provider: 'platform' }, idpAccount(other.owner.email));
    expect(errorOf(done)).toBe('sso_account_mismatch');
  });
});

describe('the workspace’s SSO settings', () => {
  it('shows the settings to the owner, never the client secret, which is encrypted at rest', async () => {
    const res = await t.api.request('GET', '/sso-settings', { token: owner.session.accessToken });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      slug,
      allowedDomains: [domain],
      identityProvider: {
        issuer: idp.issuer,
        clientId: 'switchboard-tenant',
        clientSecretSet: true,
        displayName: 'Acme IdP',
      },
      callbackUrl: `${t.sb.url}/auth/sso/callback`,
      platformProvider: { name: 'Test Cognito' },
    });
    expect(res.text).not.toContain(tenantSecret);
    const item = await t.sb.db.get({ PK: `TENANT#${tenantId}`, SK: 'SSOSETTINGS' });
    expect(JSON.stringify(item)).not.toContain(tenantSecret);
    expect(item?.identityProvider.clientSecretCiphertext).toMatch(/^v1\./);
  });

  it('is the owner’s: an admin cannot read or change it', async () => {
    const admin = await addMember(t, owner.session.accessToken, 'admin');
    const read = await t.api.request('GET', '/sso-settings', { token: admin.session.accessToken });
    expect(read.status).toBe(403);
  });

  it('refuses a domain or address another workspace holds, public mail domains and an unreadable issuer', async () => {
    const other = await onboard(t, 'Squatter');
    const token = other.owner.session.accessToken;
    const taken = await t.api.request('PUT', '/sso-settings', {
      token,
      body: { allowedDomains: [domain] },
    });
    expect(taken.status).toBe(409);
    expect(taken.json.error.code).toBe('sso_domain_taken');
    const slugTaken = await t.api.request('PUT', '/sso-settings', {
      token,
      body: { slug, allowedDomains: [] },
    });
    expect(slugTaken.json.error.code).toBe('sso_slug_taken');
    const gmail = await t.api.request('PUT', '/sso-settings', {
      token,
      body: { allowedDomains: ['gmail.com'] },
    });
    expect(gmail.status).toBe(400);
    expect(gmail.json.error.fields.allowedDomains).toContain('gmail.com');
    const closed = await freePort();
    const unreadable = await t.api.request('PUT', '/sso-settings', {
      token,
      body: {
        allowedDomains: [],
        identityProvider: {
          issuer: `http://127.0.0.1:${closed}`,
          clientId: 'x',
          clientSecret: 'y',
        },
      },
    });
    expect(unreadable.status).toBe(422);
    expect(unreadable.json.error.code).toBe('sso_discovery_failed');
    // Nothing was claimed by the refused saves.
    expect(await new SsoDirectory(t.sb.db).resolve('domain', domain)).toBe(tenantId);
    expect(await new SsoDirectory(t.sb.db).resolve('slug', slug)).toBe(tenantId);
  });

  it('keeps the stored secret when it is left out, and turning SSO off frees the address and domains', async () => {
    const token = owner.session.accessToken;
    const kept = await t.api.request('PUT', '/sso-settings', {
      token,
      body: {
        slug,
        allowedDomains: [domain],
        identityProvider: { issuer: idp.issuer, clientId: 'switchboard-tenant' },
      },
    });
    expect(kept.json.identityProvider.clientSecretSet).toBe(true);
    const stillWorks = await ssoSignIn({ tenant: slug }, ownerAccount);
    expect(stillWorks.done.location.searchParams.get('sso')).toBe('done');

    const removed = await t.api.request('DELETE', '/sso-settings', { token });
    expect(removed.status).toBe(204);
    expect(await new SsoDirectory(t.sb.db).resolve('domain', domain)).toBeUndefined();
    expect(errorOf(await start({ tenant: slug }))).toBe('sso_not_configured');
    // By id, the workspace now signs in with the platform's provider.
    const byId = await start({ tenant: tenantId });
    expect(byId.location.searchParams.get('client_id')).toBe('switchboard-platform');
    const after = await t.api.request('GET', '/sso-settings', { token });
    expect(after.json).toMatchObject({ allowedDomains: [] });
    expect(after.json.identityProvider).toBeUndefined();
  });
});

describe('limits', () => {
  it('limits the sign-ins one client may start per minute (each writes a flow record)', async () => {
    // The test clock's next minute: a window of its own.
    const now = t.clock.now().getTime();
    t.clock.advance((Math.ceil(now / 60_000) * 60_000 - now) / 1000 + 1);
    const errors: (string | null)[] = [];
    for (let i = 0; i <= startsPerMinute; i++)
      errors.push(errorOf(await start({ tenant: tenantId })));
    expect(errors.slice(0, startsPerMinute).every((e) => e === null)).toBe(true);
    expect(errors.at(-1)).toBe('too_many_attempts');
    t.clock.advance(60);
    expect(errorOf(await start({ tenant: tenantId }))).toBeNull();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  lastMailTo,
  mailsTo,
  onboard,
  password,
  signIn,
  startAuthSandbox,
  uniqueEmail,
  type AuthSandbox,
  type Mail,
  type Person,
} from './helpers';

// Self-serve sign-up through the sandbox's real HTTP interface and its mailbox (the .eml files
// under the data dir): one answer for every address, a verification link that works once and for
// 24 hours, the account, its workspace and a session made from it; the platform's switch; limits.

let t: AuthSandbox;
let existing: Person;

beforeAll(async () => {
  t = await startAuthSandbox({
    auth: {
      signupMinResponseMs: 200,
      signupPerAddress: { limit: 3, windowSeconds: 3600 },
      signupPerIp: { limit: 12, windowSeconds: 3600 },
    },
  });
  ({ owner: existing } = await onboard(t, 'Already Here Co'));
});

afterAll(async () => {
  await t?.stop();
});

/** Every test starts in fresh rate-limit windows (the clock only moves forward). */
function freshWindows() {
  t.clock.advance(3600);
}

const signup = (email: string, workspaceName = 'Acme Flowers', pass = password) =>
  t.api.request('POST', '/auth/signup', {
    body: { email, name: 'Ada Florist', workspaceName, password: pass },
  });
const confirm = (token: string) =>
  t.api.request('POST', '/auth/signup/confirm', { body: { token } });
const setSignup = (signupEnabled: boolean) =>
  t.api.request('PUT', '/admin/settings', { token: t.adminToken, body: { signupEnabled } });

function signupToken(mail: Mail): string {
  const url = mail.links
    .map((l) => new URL(l))
    .find((u) => u.pathname === '/signup/confirm/' && u.searchParams.has('token'));
  const token = url?.searchParams.get('token');
  if (!token) throw new Error(`no sign-up link in ${mail.file}:\n${mail.text}`);
  return token;
}

describe('signing up', () => {
  it('mails a link that creates the account and its workspace, and signs the owner in', async () => {
    freshWindows();
    const email = uniqueEmail('founder');
    const res = await signup(email, 'Acme Flowers');
    expect(res.status).toBe(202);
    expect(res.json.message).toMatch(/Check your e-mail/);
    // Nothing exists until the link is used.
    expect((await t.api.request('POST', '/auth/login', { body: { email, password } })).status).toBe(
      401,
    );

    const mail = lastMailTo(t.sb, email, 'signup_verification');
    expect(mail.subject).toMatch(/Confirm your e-mail/);
    expect(mail.text).toContain('Acme Flowers');
    expect(mail.to).toContain('Ada Florist');
    const token = signupToken(mail);
    expect(token).toMatch(/^su_[A-Za-z0-9_-]{43}$/);
    expect(new URL(mail.links[0]!).origin).toBe(new URL(t.sb.url).origin);

    const done = await confirm(token);
    expect(done.status).toBe(200);
    expect(done.headers.get('set-cookie')).toMatch(/sb_refresh=rt_/);
    expect(done.json.user.email).toBe(email);
    expect(done.json.tenants).toEqual([
      { tenantId: done.json.tenantId, name: 'Acme Flowers', role: 'owner' },
    ]);

    const me = await t.api.request('GET', '/auth/me', { token: done.json.accessToken });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ tenantId: done.json.tenantId, role: 'owner' });
    // A tenant route of the new workspace answers its owner.
    const members = await t.api.request('GET', '/users', { token: done.json.accessToken });
    expect(members.status).toBe(200);
    expect(members.json.items).toMatchObject([{ email, role: 'owner' }]);
    // The platform sees the workspace; the password chosen at sign-up signs in.
    const tenants = await t.api.request('GET', '/admin/tenants?limit=100', {
      token: t.adminToken,
    });
    expect(tenants.json.items).toContainEqual(
      expect.objectContaining({ id: done.json.tenantId, name: 'Acme Flowers', status: 'active' }),
    );
    expect((await signIn(t, email)).tenantId).toBe(done.json.tenantId);

    // Both steps are in the platform's trail; the creation in the workspace's own.
    const platform = await t.api.request('GET', '/admin/audit-events?limit=100', {
      token: t.adminToken,
    });
    const actions = platform.json.items.map((e: { action: string }) => e.action);
    expect(actions).toContain('auth.signup_requested');
    expect(actions).toContain('tenant.signed_up');
    const own = await t.api.request('GET', '/audit-events?limit=100', {
      token: done.json.accessToken,
    });
    expect(own.json.items.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['tenant.signed_up', 'auth.signed_in']),
    );
  });

  it('answers an existing address exactly like a new one, and mails it a note, not a link', async () => {
    freshWindows();
    const fresh = await signup(uniqueEmail('newcomer'));
    const known = await signup(existing.email, 'Hijack Ltd', 'another password 42');
    expect(known.status).toBe(fresh.status);
    expect(known.text).toBe(fresh.text);
    expect(mailsTo(t.sb, existing.email, 'signup_verification')).toEqual([]);
    const note = lastMailTo(t.sb, existing.email, 'signup_existing_account');
    expect(note.text).toMatch(/already has one/);
    expect(note.links.some((l) => new URL(l).pathname === '/login/')).toBe(true);
    expect(note.links.some((l) => new URL(l).pathname === '/forgot-password/')).toBe(true);
    expect(note.links.every((l) => !new URL(l).searchParams.has('token'))).toBe(true);
    // The account is untouched: its own password still signs in, the other does not.
    expect((await signIn(t, existing.email)).user.id).toBe(existing.id);
    const wrong = await t.api.request('POST', '/auth/login', {
      body: { email: existing.email, password: 'another password 42' },
    });
    expect(wrong.status).toBe(401);
  });

  it('refuses a bad workspace name or a short password with the fields named', async () => {
    freshWindows();
    const res = await t.api.request('POST', '/auth/signup', {
      body: { email: uniqueEmail('short'), workspaceName: '  ', password: 'short' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('validation_failed');
    expect(Object.keys(res.json.error.fields).sort()).toEqual(['password', 'workspaceName']);
  });
});

describe('the link', () => {
  it('works once', async () => {
    freshWindows();
    const email = uniqueEmail('twice');
    await signup(email);
    const token = signupToken(lastMailTo(t.sb, email, 'signup_verification'));
    expect((await confirm(token)).status).toBe(200);
    const again = await confirm(token);
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('invalid_token');
    expect((await confirm('su_nothing')).status).toBe(401);
  });

  it('expires after 24 hours', async () => {
    freshWindows();
    const early = uniqueEmail('early');
    const late = uniqueEmail('late');
    await signup(early);
    await signup(late);
    const earlyToken = signupToken(lastMailTo(t.sb, early, 'signup_verification'));
    const lateToken = signupToken(lastMailTo(t.sb, late, 'signup_verification'));
    t.clock.advance(24 * 3600 - 60);
    expect((await confirm(earlyToken)).status).toBe(200);
    t.clock.advance(61);
    const expired = await confirm(lateToken);
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe('invalid_token');
    expect(
      (await t.api.request('POST', '/auth/login', { body: { email: late, password } })).status,
    ).toBe(401);
  });

  it('does not take over an account created for the address meanwhile', async () => {
    freshWindows();
    const email = uniqueEmail('raced');
    await signup(email, 'Raced Co', 'the sign-up password 1');
    const token = signupToken(lastMailTo(t.sb, email, 'signup_verification'));
    const made = await t.api.request('POST', '/admin/tenants', {
      token: t.adminToken,
      body: { name: 'Made By Admin', ownerEmail: email, ownerPassword: password },
    });
    expect(made.status).toBe(201);
    const res = await confirm(token);
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('conflict');
    expect((await signIn(t, email)).tenants).toHaveLength(1);
  });
});

describe('the platform switch', () => {
  it('is open by default, and closed answers 403 with nothing mailed, links dead too', async () => {
    freshWindows();
    expect((await t.api.request('GET', '/auth/signup')).json).toEqual({ open: true });
    const settings = await t.api.request('GET', '/admin/settings', { token: t.adminToken });
    expect(settings.json.signupEnabled).toBe(true);
    // Only a platform admin may change it.
    const notAdmin = await t.api.request('PUT', '/admin/settings', {
      token: existing.session.accessToken,
      body: { signupEnabled: false },
    });
    expect(notAdmin.status).toBe(403);

    const pendingEmail = uniqueEmail('pending');
    await signup(pendingEmail);
    const pendingToken = signupToken(lastMailTo(t.sb, pendingEmail, 'signup_verification'));

    const notesBefore = mailsTo(t.sb, existing.email, 'signup_existing_account').length;
    const closed = await setSignup(false);
    expect(closed.status).toBe(200);
    expect(closed.json).toMatchObject({ signupEnabled: false });
    try {
      expect((await t.api.request('GET', '/auth/signup')).json).toEqual({ open: false });
      const email = uniqueEmail('closed');
      for (const address of [email, existing.email]) {
        const res = await signup(address);
        expect(res.status).toBe(403);
        expect(res.json.error.code).toBe('signup_disabled');
      }
      expect(mailsTo(t.sb, email)).toEqual([]);
      expect(mailsTo(t.sb, existing.email, 'signup_existing_account')).toHaveLength(notesBefore);
      const dead = await confirm(pendingToken);
      expect(dead.status).toBe(403);
      expect(dead.json.error.code).toBe('signup_disabled');
    } finally {
      expect((await setSignup(true)).status).toBe(200);
    }
    // Opened again, the link still works (it was never used).
    expect((await confirm(pendingToken)).status).toBe(200);
    const trail = await t.api.request('GET', '/admin/audit-events?limit=100', {
      token: t.adminToken,
    });
    const actions = trail.json.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['platform.signup_closed', 'platform.signup_opened']),
    );
  });
});

describe('limits', () => {
  it('limits sign-ups per address (new or known, the same 429) and per client', async () => {
    freshWindows();
    const fresh = uniqueEmail('flood');
    for (const email of [existing.email, fresh]) {
      for (let i = 0; i < 3; i++) expect((await signup(email)).status).toBe(202);
      const over = await signup(email);
      expect(over.status).toBe(429);
      expect(over.json.error.code).toBe('too_many_attempts');
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Only three links went out for the new address, and three notes for the known one.
    expect(mailsTo(t.sb, fresh, 'signup_verification')).toHaveLength(3);
    // 8 requests so far in this window from 127.0.0.1; the 13th is over the client's 12.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await signup(uniqueEmail('spray'))).status);
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
  });
});

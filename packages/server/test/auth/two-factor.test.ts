import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/engine/security/password';
import type { Role } from '../../src/engine/topology';
import { MemberRepo } from '../../src/modules/identity/membership.repo';
import { base32Decode, totp } from '../../src/modules/identity/totp';
import { UserRepo } from '../../src/modules/identity/user.repo';
import {
  createApiKey,
  onboard,
  password,
  signIn,
  startAuthSandbox,
  uniqueEmail,
  type AuthSandbox,
  type Person,
} from './helpers';

// Two-factor sign-in over real HTTP: enrolment (start with the password → confirm with a first
// code → on, ten recovery codes shown once), sign-in in two steps (the password answers a
// challenge, a code or a recovery code completes it), wrong codes limited per challenge and per
// account, turning it off, and the workspace policy for owners and admins. Codes are computed
// from the secret at the sandbox's clock, which the tests move (a code works once per step).

const accountWindow = 15 * 60;
let t: AuthSandbox;

beforeAll(async () => {
  t = await startAuthSandbox({
    auth: {
      twoFactorAttemptsPerChallenge: 3,
      twoFactorPerAccount: { limit: 5, windowSeconds: accountWindow },
    },
  });
});

afterAll(async () => {
  await t?.stop();
});

const codeOf = (secret: string, offsetSeconds = 0) =>
  totp(base32Decode(secret), t.clock.now().getTime() + offsetSeconds * 1000);

/** Moves the clock to the next 30-second step, so a new code exists. */
const nextStep = () => t.clock.advance(30);

function startOfNextWindow(seconds: number): void {
  const now = t.clock.now().getTime();
  const next = Math.ceil(now / 1000 / seconds) * seconds * 1000;
  t.clock.advance((next - now) / 1000 + 1);
}

const login = (email: string, pass = password) =>
  t.api.request('POST', '/auth/login', { body: { email, password: pass } });

const secondStep = (challenge: string, factor: { code?: string; recoveryCode?: string }) =>
  t.api.request('POST', '/auth/login/two-factor', { body: { challenge, ...factor } });

/** Turns two-factor on for a signed-in person; returns the secret and the recovery codes. */
async function enrol(token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const started = await t.api.request('POST', '/auth/two-factor/start', {
    token,
    body: { password },
  });
  expect(started.status, started.text).toBe(200);
  const confirmed = await t.api.request('POST', '/auth/two-factor/confirm', {
    token,
    body: { code: codeOf(started.json.secret) },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  return { secret: started.json.secret, recoveryCodes: confirmed.json.recoveryCodes };
}

/** A person in `tenantId` with `role`, written straight to the table (no invitation needed). */
async function member(tenantId: string, role: Role): Promise<Person> {
  const email = uniqueEmail(role);
  const user = await new UserRepo(t.sb.db).create({
    email,
    passwordHash: await hashPassword(password),
  });
  await new MemberRepo(t.sb.db, tenantId).add({ userId: user.id, role, tenantName: 'Policy' });
  const session = await signIn(t, email);
  return { id: user.id, email, password, session };
}

async function auditOf(token: string, action: string): Promise<any[]> {
  const res = await t.api.request('GET', '/audit-events?limit=100', { token });
  expect(res.status, res.text).toBe(200);
  return res.json.items.filter((e: { action: string }) => e.action === action);
}

describe('two-factor enrolment and sign-in', () => {
  let owner: Person;
  let secret: string;
  let recoveryCodes: string[];

  beforeAll(async () => {
    ({ owner } = await onboard(t, 'Two-factor'));
  });

  it('enrols: the password starts it, a first code turns it on, recovery codes are shown once', async () => {
    const token = owner.session.accessToken;
    const status = await t.api.request('GET', '/auth/two-factor', { token });
    expect(status.json).toMatchObject({ enabled: false, pending: false, recoveryCodesLeft: 0 });

    const wrongPassword = await t.api.request('POST', '/auth/two-factor/start', {
      token,
      body: { password: 'not my password' },
    });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.json.error.code).toBe('invalid_credentials');

    const started = await t.api.request('POST', '/auth/two-factor/start', {
      token,
      body: { password },
    });
    expect(started.status).toBe(200);
    secret = started.json.secret;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(started.json.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Switchboard');
    expect(decodeURIComponent(uri.pathname)).toBe(`/Switchboard:${owner.email}`);
    expect(started.json).toMatchObject({ digits: 6, period: 30, accountName: owner.email });
    expect((await t.api.request('GET', '/auth/two-factor', { token })).json).toMatchObject({
      enabled: false,
      pending: true,
    });

    // Pending changes nothing at sign-in yet.
    expect((await login(owner.email)).json.accessToken).toBeTruthy();

    const wrongCode = await t.api.request('POST', '/auth/two-factor/confirm', {
      token,
      body: { code: codeOf(secret, -120) },
    });
    expect(wrongCode.status).toBe(400);
    expect(wrongCode.json.error.code).toBe('invalid_two_factor_code');

    const confirmed = await t.api.request('POST', '/auth/two-factor/confirm', {
      token,
      body: { code: codeOf(secret) },
    });
    expect(confirmed.status).toBe(200);
    recoveryCodes = confirmed.json.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);

    const on = (await t.api.request('GET', '/auth/two-factor', { token })).json;
    expect(on).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 });
    expect(on.enabledAt).toBeTruthy();

    const again = await t.api.request('POST', '/auth/two-factor/start', {
      token,
      body: { password },
    });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('two_factor_already_enabled');

    expect(await auditOf(token, 'auth.two_factor_enabled')).toHaveLength(1);
    expect(await auditOf(token, 'auth.two_factor_failed')).toHaveLength(1);
  });

  it('answers the right password with a challenge, not a session, and a code completes it', async () => {
    const first = await login(owner.email);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      twoFactorRequired: true,
      challenge: expect.any(String),
      expiresIn: 300,
    });
    expect(first.headers.get('set-cookie') ?? '').not.toContain('sb_refresh');
    // A wrong password still answers exactly as before: no hint that two-factor is on.
    const wrong = await login(owner.email, 'wrong password');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_credentials');

    // The code that confirmed the enrolment is spent: not even a new challenge takes it.
    const replay = await secondStep(first.json.challenge, { code: codeOf(secret) });
    expect(replay.status).toBe(400);
    expect(replay.json.error.code).toBe('invalid_two_factor_code');

    nextStep();
    const code = codeOf(secret);
    const done = await secondStep(first.json.challenge, {
      code: ` ${code.slice(0, 3)} ${code.slice(3)} `,
    });
    expect(done.status, done.text).toBe(200);
    expect(done.json.accessToken).toBeTruthy();
    expect(done.headers.get('set-cookie')).toContain('sb_refresh=');
    const me = await t.api.request('GET', '/auth/me', { token: done.json.accessToken });
    expect(me.json.user.email).toBe(owner.email);
    owner.session = done.json;

    // A challenge yields one session, and a code works once.
    const reused = await secondStep(first.json.challenge, { code: codeOf(secret) });
    expect(reused.status).toBe(401);
    expect(reused.json.error.code).toBe('invalid_token');
    const second = await login(owner.email);
    expect((await secondStep(second.json.challenge, { code })).status).toBe(400);

    const signIns = await auditOf(done.json.accessToken, 'auth.signed_in');
    expect(signIns[0].details).toEqual({ twoFactor: 'totp' });
  });

  it('completes a sign-in with a recovery code, each code once', async () => {
    const [firstCode, secondCode] = recoveryCodes;
    const challenge = (await login(owner.email)).json.challenge;
    const done = await secondStep(challenge, { recoveryCode: firstCode });
    expect(done.status, done.text).toBe(200);
    expect(done.json.accessToken).toBeTruthy();
    const token = done.json.accessToken;
    expect((await t.api.request('GET', '/auth/two-factor', { token })).json.recoveryCodesLeft).toBe(
      9,
    );
    const used = await auditOf(token, 'auth.recovery_code_used');
    expect(used[0].details).toEqual({ left: 9 });

    // The same recovery code a second time is refused.
    const again = await secondStep((await login(owner.email)).json.challenge, {
      recoveryCode: firstCode,
    });
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe('invalid_two_factor_code');

    // Case, spaces and dashes do not matter.
    const loose = secondCode!.toUpperCase().replace(/-/g, ' ');
    const ok = await secondStep((await login(owner.email)).json.challenge, {
      recoveryCode: loose,
    });
    expect(ok.status, ok.text).toBe(200);
    owner.session = ok.json;
    recoveryCodes = recoveryCodes.slice(2);
  });

  it('limits wrong codes per challenge and per account', async () => {
    startOfNextWindow(accountWindow);
    nextStep();
    const wrong = codeOf(secret, -300);

    // A challenge takes three wrong codes, then it is spent (the password is asked again).
    const first = (await login(owner.email)).json.challenge;
    for (let i = 0; i < 3; i++) {
      expect((await secondStep(first, { code: wrong })).status).toBe(400);
    }
    const spent = await secondStep(first, { code: wrong });
    expect(spent.status).toBe(429);
    expect(spent.json.error.code).toBe('too_many_attempts');
    expect((await secondStep(first, { code: codeOf(secret) })).json.error.code).toBe(
      'invalid_token',
    );

    // The account allows five wrong codes per window, whichever challenge they come through.
    const second = (await login(owner.email)).json.challenge;
    for (let i = 0; i < 2; i++) {
      expect((await secondStep(second, { code: wrong })).status).toBe(400);
    }
    const limited = await secondStep(second, { code: codeOf(secret) });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('too_many_attempts');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(accountWindow);
    // Even a right code and a fresh challenge wait for the window.
    const third = (await login(owner.email)).json.challenge;
    expect((await secondStep(third, { code: codeOf(secret) })).status).toBe(429);

    startOfNextWindow(accountWindow);
    const fourth = (await login(owner.email)).json.challenge;
    const ok = await secondStep(fourth, { code: codeOf(secret) });
    expect(ok.status, ok.text).toBe(200);
    owner.session = ok.json;
    const throttled = await auditOf(ok.json.accessToken, 'auth.two_factor_throttled');
    expect(throttled).toHaveLength(1);
  });

  it('replaces the recovery codes with the password and a code', async () => {
    nextStep();
    const res = await t.api.request('POST', '/auth/two-factor/recovery-codes', {
      token: owner.session.accessToken,
      body: { password, code: codeOf(secret) },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.json.recoveryCodes).toHaveLength(10);
    // The old ones are gone.
    const old = await secondStep((await login(owner.email)).json.challenge, {
      recoveryCode: recoveryCodes[0],
    });
    expect(old.status).toBe(400);
    recoveryCodes = res.json.recoveryCodes;
  });

  it('turns off only with the password and a code (or a recovery code)', async () => {
    nextStep();
    const token = owner.session.accessToken;
    const disable = (body: Record<string, string>) =>
      t.api.request('POST', '/auth/two-factor/disable', { token, body });

    const noPassword = await disable({ password: 'wrong password', code: codeOf(secret) });
    expect(noPassword.status).toBe(401);
    expect(noPassword.json.error.code).toBe('invalid_credentials');
    const noCode = await disable({ password, code: codeOf(secret, -300) });
    expect(noCode.status).toBe(400);
    expect(noCode.json.error.code).toBe('invalid_two_factor_code');
    const both = await disable({ password, code: '123456', recoveryCode: recoveryCodes[0]! });
    expect(both.status).toBe(400);
    expect(both.json.error.code).toBe('validation_failed');

    expect((await disable({ password, recoveryCode: recoveryCodes[0]! })).status).toBe(204);
    expect((await t.api.request('GET', '/auth/two-factor', { token })).json).toMatchObject({
      enabled: false,
      recoveryCodesLeft: 0,
    });
    const off = await disable({ password, code: codeOf(secret) });
    expect(off.status).toBe(409);
    expect(off.json.error.code).toBe('two_factor_not_enabled');

    // Sign-in is one step again.
    expect((await login(owner.email)).json.accessToken).toBeTruthy();
    const events = await auditOf(token, 'auth.two_factor_disabled');
    expect(events[0].details).toEqual({ via: 'recovery_code' });
  });
});

describe('workspace policy: owners and admins must use two-factor', () => {
  let tenantId: string;
  let owner: Person;
  let admin: Person;
  let agent: Person;

  beforeAll(async () => {
    ({ tenantId, owner } = await onboard(t, 'Policy'));
    admin = await member(tenantId, 'admin');
    agent = await member(tenantId, 'agent');
  });

  const policy = (token: string, on: boolean) =>
    t.api.request('PUT', '/security-policy', {
      token,
      body: { requireTwoFactorForAdmins: on },
    });
  const users = (token: string) => t.api.request('GET', '/users', { token });

  it('is off by default, and only an owner with two-factor can switch it on', async () => {
    const read = await t.api.request('GET', '/security-policy', {
      token: owner.session.accessToken,
    });
    expect(read.json).toEqual({ requireTwoFactorForAdmins: false });
    const byAdmin = await policy(admin.session.accessToken, true);
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.json.error.code).toBe('forbidden');
    // The owner's own account first, so the owner is not the first one it shuts out.
    const withoutOwnTwoFactor = await policy(owner.session.accessToken, true);
    expect(withoutOwnTwoFactor.status).toBe(403);
    expect(withoutOwnTwoFactor.json.error.code).toBe('two_factor_required');

    await enrol(owner.session.accessToken);
    const on = await policy(owner.session.accessToken, true);
    expect(on.status, on.text).toBe(200);
    expect(on.json).toMatchObject({ requireTwoFactorForAdmins: true, updatedBy: owner.id });
    const changed = await auditOf(owner.session.accessToken, 'tenant.security_policy_changed');
    expect(changed[0]).toMatchObject({
      actor: { id: owner.id },
      details: { requireTwoFactorForAdmins: true },
    });
  });

  it('keeps an admin without two-factor to the enrolment until they turn it on', async () => {
    // Signing in still works (a session, so the set-up can be reached)…
    const session = await signIn(t, admin.email);
    const token = session.accessToken;
    // …but every workspace route says what to do.
    const refused = await users(token);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('two_factor_required');
    expect((await t.api.request('GET', '/conversations', { token })).json.error.code).toBe(
      'two_factor_required',
    );
    // Account routes work, and say which workspace asks for it.
    expect((await t.api.request('GET', '/auth/me', { token })).status).toBe(200);
    const status = await t.api.request('GET', '/auth/two-factor', { token });
    expect(status.json).toMatchObject({ enabled: false, requiredBy: [{ tenantId }] });

    // Members below admin, the owner (who has it) and API keys are not affected.
    expect((await users(agent.session.accessToken)).status).toBe(200);
    expect((await users(owner.session.accessToken)).status).toBe(200);
    const key = await createApiKey(t, owner.session.accessToken, ['read']);
    expect(
      (await t.api.request('GET', '/conversations', { headers: { 'x-api-key': key.key } })).status,
    ).toBe(200);

    // Enrolling lifts it at once, on the same token.
    nextStep();
    await enrol(token);
    expect((await users(token)).status).toBe(200);
  });

  it('applies to a member the moment they become an admin, and ends when switched off', async () => {
    const promoted = await t.api.request('PATCH', `/users/${agent.id}`, {
      token: owner.session.accessToken,
      body: { role: 'admin' },
    });
    expect(promoted.status, promoted.text).toBe(200);
    const refused = await users(agent.session.accessToken);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('two_factor_required');

    expect((await policy(owner.session.accessToken, false)).status).toBe(200);
    expect((await users(agent.session.accessToken)).status).toBe(200);
  });
});

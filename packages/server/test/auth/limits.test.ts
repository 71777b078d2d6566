import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKey,
  onboard,
  password,
  startAuthSandbox,
  uniqueEmail,
  type AuthSandbox,
  type Person,
} from './helpers';

// Fixed-window limits kept in the table (so they hold across Lambda instances): sign-in lockout per
// account and per IP, requests per API key and per tenant. The sandbox's clock is moved instead of
// sleeping; each test starts at the beginning of a fresh window so counts never straddle two.

const signInWindow = 15 * 60;
let t: AuthSandbox;
let tenantId: string;
let owner: Person;

beforeAll(async () => {
  t = await startAuthSandbox({
    auth: {
      // Smaller than the defaults (5 and 50): every failed attempt costs a real scrypt run.
      signInPerAccount: { limit: 3, windowSeconds: signInWindow },
      signInPerIp: { limit: 6, windowSeconds: signInWindow },
      requestsPerApiKey: { limit: 3, windowSeconds: 60 },
      requestsPerTenant: { limit: 20, windowSeconds: 60 },
    },
  });
  ({ tenantId, owner } = await onboard(t, 'Limits'));
});

afterAll(async () => {
  await t?.stop();
});

/** Moves the clock to one second into the next window of `seconds`. */
function startOfNextWindow(seconds: number): void {
  const now = t.clock.now().getTime();
  const next = Math.ceil(now / 1000 / seconds) * seconds * 1000;
  t.clock.advance((next - now) / 1000 + 1);
}

const login = (email: string, pass: string) =>
  t.api.request('POST', '/auth/login', { body: { email, password: pass } });

function expectRetryLater(
  res: { status: number; json: any; headers: Headers },
  code: string,
  max: number,
) {
  expect(res.status).toBe(429);
  expect(res.json.error.code).toBe(code);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(max);
  expect(res.json.error.retryAfterSeconds).toBe(retryAfter);
}

describe('sign-in lockout', () => {
  it('locks an account after its failures, even for the right password, and releases after the window', async () => {
    startOfNextWindow(signInWindow);
    for (let i = 0; i < 3; i++) {
      expect((await login(owner.email, 'wrong password')).status).toBe(401);
    }
    const locked = await login(owner.email, password);
    expectRetryLater(locked, 'too_many_attempts', signInWindow);
    // Other accounts from the same place are not locked by it.
    const other = await onboard(t, 'Bystander');
    expect(other.owner.session.accessToken).toBeTruthy();

    t.clock.advance(Number(locked.headers.get('retry-after')));
    expect((await login(owner.email, password)).status).toBe(200);

    const audit = await t.api.request('GET', '/audit-events?limit=100', {
      token: owner.session.accessToken,
    });
    const lockouts = audit.json.items.filter(
      (e: { action: string }) => e.action === 'auth.locked_out',
    );
    expect(lockouts).toHaveLength(1);
  });

  it('forgives failures after a successful sign-in', async () => {
    startOfNextWindow(signInWindow);
    // 2 + 2 failures: over the limit of 3 only if the success in between were not a fresh start.
    for (let i = 0; i < 2; i++) await login(owner.email, 'wrong password');
    expect((await login(owner.email, password)).status).toBe(200);
    for (let i = 0; i < 2; i++) await login(owner.email, 'wrong password');
    expect((await login(owner.email, password)).status).toBe(200);
  });

  it('locks an IP that fails across many accounts, until the window ends', async () => {
    startOfNextWindow(signInWindow);
    for (let i = 0; i < 3; i++) {
      const email = uniqueEmail('spray');
      for (let j = 0; j < 2; j++) expect((await login(email, 'guess')).status).toBe(401);
    }
    const blocked = await login(uniqueEmail('fresh'), 'guess');
    expectRetryLater(blocked, 'too_many_attempts', signInWindow);
    // The lockout holds even for a real account and its right password, from this IP.
    expectRetryLater(await login(owner.email, password), 'too_many_attempts', signInWindow);
    startOfNextWindow(signInWindow);
    expect((await login(owner.email, password)).status).toBe(200);
  });

  it('guards the current-password check of a password change the same way', async () => {
    startOfNextWindow(signInWindow);
    const session = (await login(owner.email, password)).json;
    const change = (current: string) =>
      t.api.request('POST', '/auth/password', {
        token: session.accessToken,
        body: { currentPassword: current, newPassword: 'never applied passphrase' },
      });
    for (let i = 0; i < 3; i++) expect((await change('wrong')).status).toBe(401);
    expectRetryLater(await change(password), 'too_many_attempts', signInWindow);
    startOfNextWindow(signInWindow);
  });
});

describe('request limits', () => {
  it('limits requests per API key with 429 rate_limited and Retry-After', async () => {
    startOfNextWindow(60);
    const { key } = await createApiKey(t, owner.session.accessToken, ['read']);
    const call = () => t.api.request('GET', '/conversations', { headers: { 'x-api-key': key } });
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);
    expectRetryLater(await call(), 'rate_limited', 60);
    // A second key of the same tenant has its own budget.
    const { key: other } = await createApiKey(t, owner.session.accessToken, ['read']);
    expect(
      (await t.api.request('GET', '/conversations', { headers: { 'x-api-key': other } })).status,
    ).toBe(200);
    startOfNextWindow(60);
    expect((await call()).status).toBe(200);
  });

  it('limits requests per tenant, whatever the credential', async () => {
    startOfNextWindow(60);
    const call = () => t.api.request('GET', '/users', { token: owner.session.accessToken });
    for (let i = 0; i < 20; i++) expect((await call()).status).toBe(200);
    expectRetryLater(await call(), 'rate_limited', 60);
    startOfNextWindow(60);
    expect((await call()).status).toBe(200);
    expect(tenantId).toBeTruthy();
  });
});

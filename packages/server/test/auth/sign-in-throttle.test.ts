import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAt, type AddressedApi } from './client-address';
import {
  onboard,
  password,
  startAuthSandbox,
  uniqueEmail,
  type AuthSandbox,
  type Person,
} from './helpers';

// Wrong passwords slow down only the client sending them: per account and client (its IP) a few
// failures are free, then that client waits 1 s, 2 s, 4 s … (capped); per IP across accounts a
// looser cap stops credential stuffing. Nothing is keyed by the account alone, so the real user
// on another client, and the platform admin, always get in. Each client here is its own loopback
// address (client-address.ts); the sandbox's clock is moved instead of sleeping.

const ipWindow = 15 * 60;
let t: AuthSandbox;
let tenantId: string;
let owner: Person;
let nextAddress = 10;

/** A client on an address no other test used. */
const newClient = (): AddressedApi => clientAt(t.sb.url, `127.0.0.${nextAddress++}`);

beforeAll(async () => {
  t = await startAuthSandbox({
    auth: {
      // Smaller than the defaults (5 free, a 15-minute cap, 50 per IP): each try is a real scrypt run.
      signInThrottle: {
        freeFailures: 3,
        baseDelaySeconds: 1,
        maxDelaySeconds: 8,
        forgetAfterSeconds: 3600,
      },
      signInPerIp: { limit: 8, windowSeconds: ipWindow },
    },
  });
  ({ tenantId, owner } = await onboard(t, 'Throttle'));
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

const login = (client: AddressedApi, email: string, pass: string) =>
  client.request('POST', '/auth/login', { body: { email, password: pass } });

function expectWait(res: { status: number; json: any; headers: Headers }, seconds: number) {
  expect(res.status, JSON.stringify(res.json)).toBe(429);
  expect(res.json.error.code).toBe('too_many_requests');
  expect(res.headers.get('retry-after')).toBe(String(seconds));
  expect(res.json.error.retryAfterSeconds).toBe(seconds);
}

async function auditActions(action: string): Promise<any[]> {
  const res = await t.api.request('GET', '/audit-events?limit=100', {
    token: owner.session.accessToken,
  });
  expect(res.status).toBe(200);
  return res.json.items.filter((e: { action: string }) => e.action === action);
}

describe('sign-in throttle', () => {
  it('makes the guessing client wait longer and longer, never the real user elsewhere', async () => {
    startOfNextWindow(ipWindow);
    const attacker = newClient();
    const realUser = newClient();
    const throttledBefore = (await auditActions('auth.sign_in_throttled')).length;

    // Free failures, then the third starts the waits: 1 s, then 2, 4, 8, and 8 again (the cap).
    for (let i = 0; i < 3; i++) {
      expect((await login(attacker, owner.email, 'wrong guess')).status).toBe(401);
    }
    // Waiting means no password check at all, the right password included.
    expectWait(await login(attacker, owner.email, password), 1);
    expectWait(await login(attacker, owner.email, 'wrong guess'), 1);

    // The person whose account it is, on their own device, is not slowed down at all.
    expect((await login(realUser, owner.email, password)).status).toBe(200);
    // Nor is anyone else signing in from the attacker's own address.
    expect((await login(attacker, t.sb.admin.email, t.sb.admin.password)).status).toBe(200);

    let waited = 1;
    for (const wait of [2, 4, 8, 8]) {
      t.clock.advance(waited);
      expect((await login(attacker, owner.email, 'wrong guess')).status).toBe(401);
      expectWait(await login(attacker, owner.email, 'wrong guess'), wait);
      expect((await login(realUser, owner.email, password)).status).toBe(200);
      waited = wait;
    }

    // One throttle event when the waits began, however long the attacker keeps going.
    const throttled = await auditActions('auth.sign_in_throttled');
    expect(throttled.length - throttledBefore).toBe(1);
    expect(throttled[0]).toMatchObject({
      actor: { kind: 'user', id: owner.id },
      ip: attacker.address,
      details: { via: 'login', scope: 'client', failures: 3, waitSeconds: 1 },
    });
    const failed = (await auditActions('auth.sign_in_failed')).filter(
      (e) => e.ip === attacker.address,
    );
    expect(failed).toHaveLength(7);
    expect(tenantId).toBeTruthy();
  });

  it('lets the waiting client in with the right password once it has waited, and forgives it', async () => {
    startOfNextWindow(ipWindow);
    const client = newClient();
    for (let i = 0; i < 3; i++) await login(client, owner.email, 'wrong guess');
    expectWait(await login(client, owner.email, password), 1);
    t.clock.advance(1);
    expect((await login(client, owner.email, password)).status).toBe(200);
    // A fresh start: two more failures are free again, and the right password still works.
    for (let i = 0; i < 2; i++) {
      expect((await login(client, owner.email, 'wrong guess')).status).toBe(401);
    }
    expect((await login(client, owner.email, password)).status).toBe(200);
  });

  it('caps failures per address across accounts (credential stuffing), that address only', async () => {
    startOfNextWindow(ipWindow);
    const sprayer = newClient();
    const elsewhere = newClient();
    // 8 failures spread over 4 accounts: no single pair gets to its waits.
    for (let i = 0; i < 4; i++) {
      const email = uniqueEmail('spray');
      for (let j = 0; j < 2; j++) expect((await login(sprayer, email, 'guess')).status).toBe(401);
    }
    const blocked = await login(sprayer, uniqueEmail('fresh'), 'guess');
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('too_many_requests');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(ipWindow);
    // From that address, even the right password waits for the window to end…
    expect((await login(sprayer, owner.email, password)).status).toBe(429);
    // …but the account itself is fine everywhere else.
    expect((await login(elsewhere, owner.email, password)).status).toBe(200);

    const platform = await t.api.request('GET', '/admin/audit-events?limit=100', {
      token: t.adminToken,
    });
    const capped = platform.json.items.filter(
      (e: any) => e.action === 'auth.sign_in_throttled' && e.ip === sprayer.address,
    );
    expect(capped).toHaveLength(1);
    expect(capped[0].details).toMatchObject({ scope: 'ip' });

    startOfNextWindow(ipWindow);
    expect((await login(sprayer, owner.email, password)).status).toBe(200);
  });

  it('counts concurrent guesses before checking any, so a burst cannot all be tried', async () => {
    startOfNextWindow(ipWindow);
    const burst = newClient();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => login(burst, owner.email, 'parallel guess')),
    );
    const statuses = answers.map((a) => a.status);
    expect(
      statuses.every((s) => s === 401 || s === 429),
      statuses.join(),
    ).toBe(true);
    // At most the free failures were checked; the rest waited.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect((await login(newClient(), owner.email, password)).status).toBe(200);
  });

  it('guards the current password of a password change the same way', async () => {
    startOfNextWindow(ipWindow);
    const client = newClient();
    const session = (await login(client, owner.email, password)).json;
    const change = (current: string) =>
      client.request('POST', '/auth/password', {
        token: session.accessToken,
        body: { currentPassword: current, newPassword: 'never applied passphrase' },
      });
    for (let i = 0; i < 3; i++) expect((await change('wrong')).status).toBe(401);
    expectWait(await change(password), 1);
    // The account still signs in from anywhere else.
    expect((await login(newClient(), owner.email, password)).status).toBe(200);
  });
});

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handlers } from '../../src/modules/handlers';
import {
  lastMailTo,
  mailsTo,
  onboard,
  password,
  signIn,
  startAuthSandbox,
  tokenOf,
  uniqueEmail,
  type AuthSandbox,
  type Person,
} from './helpers';

// Password reset by e-mail, through the sandbox's real HTTP interface and its mailbox (the .eml
// files under the data dir): the same answer for every address, a link that works once and for
// 30 minutes, every session ended; and the refresh token kept in its cookie only.

const minResponseMs = 400;
let t: AuthSandbox;
let owner: Person;

beforeAll(async () => {
  t = await startAuthSandbox({
    auth: {
      passwordResetMinResponseMs: minResponseMs,
      passwordResetPerAddress: { limit: 3, windowSeconds: 3600 },
      passwordResetPerIp: { limit: 12, windowSeconds: 3600 },
    },
  });
  ({ owner } = await onboard(t, 'Reset Co'));
});

afterAll(async () => {
  await t?.stop();
});

/** Every test starts in fresh rate-limit windows (the clock only moves forward). */
function freshWindows() {
  t.clock.advance(3600);
}

const requestReset = (email: string) =>
  t.api.request('POST', '/auth/password-reset', { body: { email } });
const confirm = (token: string, newPassword: string) =>
  t.api.request('POST', '/auth/password-reset/confirm', {
    body: { token, password: newPassword },
  });

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const out = await work();
  return [out, performance.now() - started];
}

describe('asking for a reset', () => {
  it('answers an unknown address exactly like a known one, and mails only the account', async () => {
    freshWindows();
    const unknown = uniqueEmail('nobody');
    const [known, knownMs] = await timed(() => requestReset(owner.email));
    const [stranger, strangerMs] = await timed(() => requestReset(unknown));
    expect(known.status).toBe(202);
    expect(stranger.status).toBe(202);
    expect(stranger.text).toBe(known.text);
    expect(known.json.message).toMatch(/If an account uses this address/);
    // Neither answer comes sooner than the floor, so the time says nothing either.
    expect(knownMs).toBeGreaterThanOrEqual(minResponseMs - 5);
    expect(strangerMs).toBeGreaterThanOrEqual(minResponseMs - 5);
    expect(Math.abs(knownMs - strangerMs)).toBeLessThan(300);
    expect(mailsTo(t.sb, unknown)).toEqual([]);
    const mail = lastMailTo(t.sb, owner.email, 'password_reset');
    expect(mail.subject).toBe('Reset your Switchboard password');
    expect(tokenOf(mail, 'reset-password')).toMatch(/^pr_[A-Za-z0-9_-]{43}$/);
  });

  it('writes an RFC 5322 file: headers, multipart/alternative text and HTML, the link in both', () => {
    const mail = lastMailTo(t.sb, owner.email, 'password_reset');
    const [head] = mail.raw.split('\r\n\r\n');
    expect(mail.raw).not.toMatch(/[^\r]\n/);
    for (const name of ['From', 'To', 'Subject', 'Date', 'Message-ID', 'MIME-Version']) {
      expect(head, name).toMatch(new RegExp(`^${name}: .+`, 'm'));
    }
    expect(head).toMatch(/^From: Switchboard <no-reply@switchboard\.local>$/m);
    expect(head).toMatch(/^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
    expect(head).toMatch(/^Message-ID: <[^@\s]+@switchboard\.local>$/m);
    expect(head).toMatch(/^Content-Type: multipart\/alternative; boundary="[^"]+"$/m);
    expect(mail.raw).toContain('Content-Type: text/plain; charset=utf-8');
    expect(mail.raw).toContain('Content-Type: text/html; charset=utf-8');
    const link = mail.links.find((l) => l.includes('token='))!;
    expect(link).toBe(`${t.sb.url}/reset-password/?token=${tokenOf(mail, 'reset-password')}`);
    expect(mail.html).toContain(`href="${link}"`);
    // Bearer links inside: only the sandbox's owner may read the files.
    expect(statSync(join(t.sb.dataDir, 'mail', mail.file)).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(t.sb.dataDir, 'mail', '.tmp'))).toEqual([]);
  });

  it('finds the account whatever the case of the address, and never mails a disabled one', async () => {
    freshWindows();
    const before = mailsTo(t.sb, owner.email, 'password_reset').length;
    expect((await requestReset(owner.email.toUpperCase())).status).toBe(202);
    expect(mailsTo(t.sb, owner.email, 'password_reset')).toHaveLength(before + 1);

    const other = await onboard(t, 'Disabled Co');
    const disable = await t.api.request('POST', `/admin/users/${other.owner.id}/disable`, {
      token: t.adminToken,
    });
    expect(disable.status).toBe(200);
    const res = await requestReset(other.owner.email);
    expect(res.status).toBe(202);
    expect(res.text).toBe((await requestReset(uniqueEmail('ghost'))).text);
    expect(mailsTo(t.sb, other.owner.email)).toEqual([]);
  });

  it('limits requests per address (known or not, the same 429) and per client', async () => {
    freshWindows();
    const unknown = uniqueEmail('flood');
    for (const email of [owner.email, unknown]) {
      for (let i = 0; i < 3; i++) expect((await requestReset(email)).status).toBe(202);
      const over = await requestReset(email);
      expect(over.status).toBe(429);
      expect(over.json.error.code).toBe('too_many_attempts');
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // 8 requests so far in this window from 127.0.0.1; the 13th is over the client's 12.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await requestReset(uniqueEmail('spray'))).status);
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
  });
});

describe('using the link', () => {
  it('sets the password once, ends every session, and the old password stops working', async () => {
    freshWindows();
    const person = (await onboard(t, 'Sessions Co')).owner;
    const second = await signIn(t, person.email);
    expect((await requestReset(person.email)).status).toBe(202);
    const token = tokenOf(lastMailTo(t.sb, person.email, 'password_reset'), 'reset-password');
    const newPassword = 'a brand new password 2024';

    const weak = await confirm(token, 'short');
    expect(weak.status).toBe(400);
    expect(weak.json.error.code).toBe('validation_failed');

    t.clock.advance(29 * 60);
    const done = await confirm(token, newPassword);
    expect(done.status).toBe(204);
    const reused = await confirm(token, 'yet another password 99');
    expect(reused.status).toBe(401);
    expect(reused.json.error.code).toBe('invalid_token');

    // Both sessions ended: their access tokens and refresh tokens no longer work.
    for (const session of [person.session, second]) {
      const me = await t.api.request('GET', '/auth/me', { token: session.accessToken });
      expect(me.status).toBe(401);
      const refresh = await t.api.request('POST', '/auth/refresh', {
        body: { refreshToken: session.refreshToken },
      });
      expect(refresh.status).toBe(401);
    }
    const old = await t.api.request('POST', '/auth/login', {
      body: { email: person.email, password },
    });
    expect(old.status).toBe(401);
    expect((await signIn(t, person.email, newPassword)).user.id).toBe(person.id);
  });

  it('refuses a link after 30 minutes, an unknown token, and an older link once the password changed', async () => {
    freshWindows();
    const person = (await onboard(t, 'Expiry Co')).owner;
    await requestReset(person.email);
    const late = tokenOf(lastMailTo(t.sb, person.email, 'password_reset'), 'reset-password');
    t.clock.advance(30 * 60 + 1);
    const expired = await confirm(late, 'a password after expiry 1');
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe('invalid_token');
    expect((await confirm('pr_unknown', 'whatever password 123')).status).toBe(401);

    freshWindows();
    await requestReset(person.email);
    const first = tokenOf(lastMailTo(t.sb, person.email, 'password_reset'), 'reset-password');
    t.clock.advance(1);
    await requestReset(person.email);
    const second = tokenOf(lastMailTo(t.sb, person.email, 'password_reset'), 'reset-password');
    expect(second).not.toBe(first);
    expect((await confirm(second, 'the second link wins 42')).status).toBe(204);
    expect((await confirm(first, 'the first link is dead 42')).status).toBe(401);
  });

  it('records the request and the reset in the audit trails', async () => {
    const res = await t.api.request('GET', '/admin/audit-events?limit=100', {
      token: t.adminToken,
    });
    const actions = res.json.items.map((e: { action: string }) => e.action);
    expect(actions).toContain('auth.password_reset_requested');
    expect(actions).toContain('auth.password_reset');
    const resets = res.json.items.filter(
      (e: { action: string }) => e.action === 'auth.password_reset',
    );
    expect(resets[0]).toMatchObject({ actor: { kind: 'user' }, target: { type: 'user' } });
    expect(
      resets.map((e: { details: { sessionsEnded: number } }) => e.details.sessionsEnded),
    ).toContain(2);
  });
});

describe('the refresh token stays in its cookie', () => {
  const cookieOf = (headers: Headers) =>
    /sb_refresh=([^;]+)/.exec(headers.get('set-cookie') ?? '')?.[1];

  it('answers a cookie refresh without refreshToken in the JSON, and rotates the cookie', async () => {
    const login = await t.api.request('POST', '/auth/login', {
      body: { email: owner.email, password },
    });
    expect(login.status).toBe(200);
    const first = cookieOf(login.headers)!;
    expect(first).toBeTruthy();
    const refreshed = await t.api.request('POST', '/auth/refresh', {
      headers: { cookie: `sb_refresh=${first}` },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json).not.toHaveProperty('refreshToken');
    expect(refreshed.json.accessToken).toBeTruthy();
    const second = cookieOf(refreshed.headers)!;
    expect(second).toMatch(/^rt_/);
    expect(second).not.toBe(first);
    expect(refreshed.text).not.toContain(second);
    const again = await t.api.request('POST', '/auth/refresh', {
      headers: { cookie: `sb_refresh=${second}` },
    });
    expect(again.status).toBe(200);
    expect(again.json).not.toHaveProperty('refreshToken');
  });

  it('still hands API clients that send it in the body a new one in the body', async () => {
    const session = await signIn(t, owner.email);
    const res = await t.api.request('POST', '/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(res.status).toBe(200);
    expect(res.json.refreshToken).toMatch(/^rt_/);
  });
});

describe('the sandbox mailbox', () => {
  it('lists and shows the mail to the platform admin only', async () => {
    const list = await t.api.request('GET', '/admin/mail?limit=5', { token: t.adminToken });
    expect(list.status).toBe(200);
    expect(list.json.items.length).toBeGreaterThan(0);
    expect(list.json.items.length).toBeLessThanOrEqual(5);
    const ids = list.json.items.map((m: { id: string }) => m.id);
    expect(ids).toEqual([...ids].sort().reverse());
    const files = readdirSync(join(t.sb.dataDir, 'mail')).filter((f) => f.endsWith('.eml'));
    const [first] = list.json.items;
    expect(`${first.id}.eml`).toBe(files.sort().at(-1));
    const one = await t.api.request('GET', `/admin/mail/${first.id}`, { token: t.adminToken });
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ id: first.id, subject: first.subject, to: first.to });
    expect(one.json.text.length).toBeGreaterThan(0);
    expect(one.json.links.length).toBeGreaterThan(0);

    for (const id of ['20000101T000000000Z-000000-00000000', '..%2F..%2Fsecrets%2FcursorKey']) {
      const missing = await t.api.request('GET', `/admin/mail/${id}`, { token: t.adminToken });
      expect(missing.status, id).toBe(404);
    }
    const asOwner = await t.api.request('GET', '/admin/mail', {
      token: (await signIn(t, owner.email)).accessToken,
    });
    expect(asOwner.status).toBe(403);
  });

  it('answers 404 where there is no mailbox (deployed: SES keeps nothing to read back)', async () => {
    const request = { c: { json: () => new Response() }, deps: {}, query: { limit: 5 } };
    await expect(handlers['admin.mail.list'](request as never)).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    await expect(
      handlers['admin.mail.get']({ ...request, params: { id: 'x' } } as never),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('prints the same files with `npm run mail -- list` and `show latest`', () => {
    const cli = fileURLToPath(new URL('../../src/engine/sandbox/mail-cli.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
    const run = (...args: string[]) =>
      spawnSync(tsx, [cli, ...args], {
        env: { ...process.env, DATA_DIR: t.sb.dataDir, INIT_CWD: '/' },
        encoding: 'utf8',
      });
    const list = run('list', '--limit', '3');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.trim().split('\n')).toHaveLength(6);
    const show = run('show', 'latest');
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^Subject: .+/m);
    expect(show.stdout).toMatch(/^Link: {4}http:\/\/127\.0\.0\.1:\d+\//m);
    const raw = run('show', 'latest', '--raw');
    expect(raw.stdout).toMatch(/^MIME-Version: 1\.0\r$/m);
    expect(run('show', 'no-such-id').status).toBe(1);
  });
});

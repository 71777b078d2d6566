import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAt } from './client-address';
import {
  onboard,
  password,
  startAuthSandbox,
  type AuthSandbox,
  type Person,
  type Session,
} from './helpers';

// A person's own sessions over real HTTP: listed with the device (from the User-Agent), where
// they signed in from, when, and their last use (their last refresh, and from where); ended one
// at a time or all the others at once. An ended session's refresh token and access token stop
// working at once. Another person's session cannot be seen or ended.

let t: AuthSandbox;
let owner: Person;

beforeAll(async () => {
  t = await startAuthSandbox();
  ({ owner } = await onboard(t, 'Sessions'));
});

afterAll(async () => {
  await t?.stop();
});

const firefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';
const iphone =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

async function signInFrom(address: string, userAgent: string, email = owner.email) {
  const res = await clientAt(t.sb.url, address).request('POST', '/auth/login', {
    body: { email, password },
    headers: { 'user-agent': userAgent },
  });
  expect(res.status, res.text).toBe(200);
  return res.json as Session;
}

const list = (token: string) => t.api.request('GET', '/auth/sessions', { token });
const refresh = (refreshToken: string, address = '127.0.0.1') =>
  clientAt(t.sb.url, address).request('POST', '/auth/refresh', { body: { refreshToken } });

describe('my sessions', () => {
  it('lists my live sessions with device, IP, sign-in and last use', async () => {
    const laptop = await signInFrom('127.0.0.21', firefox);
    t.clock.advance(60);
    const phone = await signInFrom('127.0.0.22', iphone);

    const res = await list(laptop.accessToken);
    expect(res.status).toBe(200);
    const byId = new Map(res.json.items.map((s: any) => [s.id, s]));
    const laptopId = (res.json.items as any[]).find((s) => s.current).id;
    expect(byId.get(laptopId)).toMatchObject({
      current: true,
      device: 'Firefox on Windows',
      userAgent: firefox,
      ip: '127.0.0.21',
    });
    const phoneRow = (res.json.items as any[]).find((s) => s.device === 'Safari on iPhone');
    expect(phoneRow).toMatchObject({ current: false, ip: '127.0.0.22' });
    expect(phoneRow.lastUsedAt).toBe(phoneRow.createdAt);

    // A refresh is a use: its time and address are what the list shows next.
    t.clock.advance(120);
    const renewed = await refresh(phone.refreshToken, '127.0.0.23');
    expect(renewed.status, renewed.text).toBe(200);
    const after = (await list(laptop.accessToken)).json.items as any[];
    const phoneAfter = after.find((s) => s.id === phoneRow.id);
    expect(phoneAfter.lastIp).toBe('127.0.0.23');
    expect(Date.parse(phoneAfter.lastUsedAt)).toBeGreaterThan(Date.parse(phoneAfter.createdAt));
    // Most recently used first.
    expect(after[0].id).toBe(phoneRow.id);
  });

  it('ends one session: its refresh and its access token stop working, the others go on', async () => {
    const keep = await signInFrom('127.0.0.24', firefox);
    const lost = await signInFrom('127.0.0.25', iphone);
    const lostId = ((await list(lost.accessToken)).json.items as any[]).find((s) => s.current).id;

    const revoked = await t.api.request('DELETE', `/auth/sessions/${lostId}`, {
      token: keep.accessToken,
    });
    expect(revoked.status).toBe(204);

    const failed = await refresh(lost.refreshToken);
    expect(failed.status).toBe(401);
    expect(failed.json.error.code).toBe('invalid_token');
    expect((await t.api.request('GET', '/auth/me', { token: lost.accessToken })).status).toBe(401);
    expect((await list(keep.accessToken)).json.items.map((s: any) => s.id)).not.toContain(lostId);
    expect((await refresh(keep.refreshToken)).status).toBe(200);

    // Already ended, or never mine: not found.
    const again = await t.api.request('DELETE', `/auth/sessions/${lostId}`, {
      token: keep.accessToken,
    });
    expect(again.status).toBe(404);

    const audit = await t.api.request('GET', '/audit-events?limit=50', {
      token: (await signInFrom('127.0.0.26', firefox)).accessToken,
    });
    const event = audit.json.items.find((e: any) => e.action === 'auth.session_revoked');
    expect(event).toMatchObject({ target: { type: 'session', id: lostId }, ip: '127.0.0.1' });
  });

  it('cannot see or end another person’s session', async () => {
    const other = await onboard(t, 'Other');
    const mine = await signInFrom('127.0.0.27', firefox);
    const theirs = ((await list(other.owner.session.accessToken)).json.items as any[])[0].id;
    expect((await list(mine.accessToken)).json.items.map((s: any) => s.id)).not.toContain(theirs);
    const res = await t.api.request('DELETE', `/auth/sessions/${theirs}`, {
      token: mine.accessToken,
    });
    expect(res.status).toBe(404);
    expect((await list(other.owner.session.accessToken)).json.items).toHaveLength(1);
  });

  it('ends all the other sessions, or all of them', async () => {
    const here = await signInFrom('127.0.0.28', firefox);
    const elsewhere = await signInFrom('127.0.0.29', iphone);

    const others = await t.api.request('POST', '/auth/sessions/revoke-all', {
      token: here.accessToken,
      body: {},
    });
    expect(others.status).toBe(200);
    expect(others.json.revoked).toBeGreaterThanOrEqual(1);
    expect((await refresh(elsewhere.refreshToken)).status).toBe(401);
    const left = (await list(here.accessToken)).json.items as any[];
    expect(left).toHaveLength(1);
    expect(left[0].current).toBe(true);

    const all = await t.api.request('POST', '/auth/sessions/revoke-all', {
      token: here.accessToken,
      body: { keepCurrent: false },
    });
    expect(all.json).toEqual({ revoked: 1 });
    expect(all.headers.get('set-cookie')).toContain('sb_refresh=;');
    expect((await t.api.request('GET', '/auth/me', { token: here.accessToken })).status).toBe(401);
    expect((await refresh(here.refreshToken)).status).toBe(401);
  });
});

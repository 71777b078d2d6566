import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  lastMailTo,
  onboard,
  password,
  signIn,
  startAuthSandbox,
  tokenOf,
  uniqueEmail,
  type AuthSandbox,
  type Person,
} from './helpers';

// Team management: invitations, roles with their rules (an admin never grants owner, a tenant never
// loses its last owner), removal, and the audit trail that records it all.

let t: AuthSandbox;
let tenantId: string;
let owner: Person;
let admin: Person;

beforeAll(async () => {
  t = await startAuthSandbox({ auth: { inviteUrlBase: 'https://app.example.com/accept' } });
  ({ tenantId, owner } = await onboard(t, 'Team'));
  admin = await addMember(t, owner.session.accessToken, 'admin');
});

afterAll(async () => {
  await t?.stop();
});

const ownerToken = () => owner.session.accessToken;
const adminToken = () => admin.session.accessToken;

async function invite(token: string, email: string, role: string) {
  return t.api.request('POST', '/users', { token, body: { email, role } });
}

async function accept(token: string, pass = password) {
  return t.api.request('POST', '/auth/accept-invite', { body: { token, password: pass } });
}

/** The token of the newest invitation mailed to `email`. */
const mailedToken = (email: string) => tokenOf(lastMailTo(t.sb, email, 'invitation'), 'invite');

describe('invitations', () => {
  it('mails the link (never in the answer), and the invitee joins with a new account', async () => {
    const email = uniqueEmail('new');
    const res = await invite(ownerToken(), email, 'agent');
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ email, role: 'agent', status: 'pending' });
    expect(res.json.id).toMatch(/^iv_/);
    expect(res.text).not.toMatch(/inv_|token|https?:/i);
    const mail = lastMailTo(t.sb, email, 'invitation');
    expect(mail.subject).toBe('Join Team on Switchboard');
    const link = mail.links.find((l) => l.includes('token='))!;
    expect(link).toMatch(/^https:\/\/app\.example\.com\/accept\?token=inv_/);
    const joined = await accept(mailedToken(email));
    expect(joined.status).toBe(200);
    expect(joined.json).toMatchObject({ tenantId, tenants: [{ tenantId, role: 'agent' }] });
    const members = await t.api.request('GET', '/users', { token: ownerToken() });
    expect(members.json.items).toContainEqual({
      id: joined.json.user.id,
      email,
      role: 'agent',
      disabled: false,
      available: true,
    });
    // Single use.
    const again = await accept(mailedToken(email));
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('invalid_token');
  });

  it('adds an existing account only with its own password, which it does not change', async () => {
    const elsewhere = await onboard(t, 'Elsewhere');
    const res = await invite(ownerToken(), elsewhere.owner.email, 'viewer');
    expect(res.status).toBe(201);
    const token = mailedToken(elsewhere.owner.email);
    const wrong = await accept(token, 'a password chosen by whoever holds the link');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.code).toBe('invalid_credentials');
    const joined = await accept(token, password);
    expect(joined.status).toBe(200);
    expect(joined.json.tenants).toHaveLength(2);
    expect((await signIn(t, elsewhere.owner.email, password)).tenants).toHaveLength(2);
  });

  it('refuses expired, unknown and weak-password invitations with coded 4xx', async () => {
    const email = uniqueEmail('late');
    await invite(ownerToken(), email, 'viewer');
    const token = mailedToken(email);
    const weak = await accept(token, 'short');
    expect(weak.status).toBe(400);
    expect(weak.json.error.fields.password).toBeTruthy();
    t.clock.advance(8 * 24 * 3600);
    try {
      const late = await accept(token);
      expect(late.status).toBe(401);
      expect(late.json.error.code).toBe('invalid_token');
    } finally {
      t.clock.advance(-8 * 24 * 3600);
    }
    expect((await accept('inv_unknown')).json.error.code).toBe('invalid_token');
    expect((await t.api.request('POST', '/auth/accept-invite', { body: {} })).status).toBe(400);
  });

  it('refuses to invite a current member (409) and lets only an owner invite an owner', async () => {
    const dup = await invite(ownerToken(), admin.email, 'viewer');
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('already_member');
    const byAdmin = await invite(adminToken(), uniqueEmail('boss'), 'owner');
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.json.error.code).toBe('forbidden');
    expect((await invite(adminToken(), uniqueEmail('helper'), 'admin')).status).toBe(201);
    expect((await invite(ownerToken(), 'not-an-email', 'viewer')).status).toBe(400);
    expect((await invite(ownerToken(), uniqueEmail('x'), 'emperor')).status).toBe(400);
  });
});

describe('roles', () => {
  let agent: Person;

  beforeAll(async () => {
    agent = await addMember(t, ownerToken(), 'agent');
  });

  const patch = (token: string, userId: string, role: string) =>
    t.api.request('PATCH', `/users/${userId}`, { token, body: { role } });

  it('lets an admin change non-owners but never grant or touch the owner role', async () => {
    const up = await patch(adminToken(), agent.id, 'admin');
    expect(up.status).toBe(200);
    expect(up.json).toMatchObject({ id: agent.id, role: 'admin', email: agent.email });
    expect((await patch(adminToken(), agent.id, 'agent')).json.role).toBe('agent');
    const grant = await patch(adminToken(), agent.id, 'owner');
    expect(grant.status).toBe(403);
    const demoteOwner = await patch(adminToken(), owner.id, 'viewer');
    expect(demoteOwner.status).toBe(403);
    const removeOwner = await t.api.request('DELETE', `/users/${owner.id}`, {
      token: adminToken(),
    });
    expect(removeOwner.status).toBe(403);
  });

  it('applies a demotion at once: the member’s existing token loses the rights', async () => {
    const viewerToken = agent.session.accessToken;
    await patch(ownerToken(), agent.id, 'viewer');
    const res = await t.api.request('POST', `/conversations/cv_x/read`, { token: viewerToken });
    expect(res.status).toBe(403);
    await patch(ownerToken(), agent.id, 'agent');
  });

  it('never lets the last owner go, and lets an owner hand over', async () => {
    const demote = await patch(ownerToken(), owner.id, 'admin');
    expect(demote.status).toBe(409);
    expect(demote.json.error.code).toBe('last_owner');
    const leave = await t.api.request('DELETE', `/users/${owner.id}`, { token: ownerToken() });
    expect(leave.status).toBe(409);

    const second = await patch(ownerToken(), agent.id, 'owner');
    expect(second.json.role).toBe('owner');
    // Two owners: one may step down, then the other is the last again.
    expect((await patch(agent.session.accessToken, owner.id, 'admin')).status).toBe(200);
    expect((await patch(agent.session.accessToken, agent.id, 'admin')).json.error.code).toBe(
      'last_owner',
    );
    expect((await patch(agent.session.accessToken, owner.id, 'owner')).status).toBe(200);
  });

  it('removes a member: gone from the list, their token stops working for the tenant', async () => {
    const leaving = await addMember(t, ownerToken(), 'viewer');
    const res = await t.api.request('DELETE', `/users/${leaving.id}`, { token: adminToken() });
    expect(res.status).toBe(204);
    const members = await t.api.request('GET', '/users', { token: ownerToken() });
    expect(members.json.items.map((m: { id: string }) => m.id)).not.toContain(leaving.id);
    const after = await t.api.request('GET', '/users', { token: leaving.session.accessToken });
    expect(after.status).toBe(403);
    expect((await signIn(t, leaving.email)).tenants).toEqual([]);
    expect(
      (await t.api.request('DELETE', `/users/${leaving.id}`, { token: adminToken() })).status,
    ).toBe(404);
  });
});

describe('audit trail', () => {
  it('records who did what, when and from where, newest first, with cursor pagination', async () => {
    const all: { action: string; at: string; ip?: string; actor: { kind: string } }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3';
      const res = await t.api.request('GET', `/audit-events${query}`, { token: ownerToken() });
      expect(res.status).toBe(200);
      expect(res.json.items.length).toBeLessThanOrEqual(3);
      all.push(...res.json.items);
      cursor = res.json.nextCursor;
    } while (cursor);
    const actions = all.map((e) => e.action);
    for (const action of [
      'tenant.created',
      'auth.signed_in',
      'member.invited',
      'member.joined',
      'member.role_changed',
      'member.removed',
    ]) {
      expect(actions, action).toContain(action);
    }
    const times = all.map((e) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(new Set(all.map((e: any) => e.id)).size).toBe(all.length);
    const signIn = all.find((e) => e.action === 'auth.signed_in');
    expect(signIn).toMatchObject({ ip: '127.0.0.1', actor: { kind: 'user' } });
    const roleChange = all.find((e) => e.action === 'member.role_changed') as any;
    expect(roleChange.details).toHaveProperty('from');
    expect(roleChange.userAgent).toBeTruthy();
  });

  it('records failed sign-ins of members in their tenant', async () => {
    await t.api.request('POST', '/auth/login', { body: { email: admin.email, password: 'nope' } });
    const res = await t.api.request('GET', '/audit-events?limit=5', { token: ownerToken() });
    expect(res.json.items[0]).toMatchObject({
      action: 'auth.sign_in_failed',
      actor: { kind: 'user', id: admin.id },
      details: { reason: 'wrong_password' },
    });
  });

  it('rejects a forged cursor with 400', async () => {
    const forged = Buffer.from(JSON.stringify({ before: 'CHANNEL#x' })).toString('base64url');
    const res = await t.api.request('GET', `/audit-events?cursor=${forged}`, {
      token: ownerToken(),
    });
    expect(res.status).toBe(400);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRepo } from '../../src/modules/identity/user.repo';
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

// Verified invitations: the token is only ever in the invitee's mail (read here from the sandbox's
// .eml files), so an invitation is accepted only by whoever reads that mail; resent links replace
// the old one, revoked ones die. And the takeover this closes: an account set up in advance for
// someone else's address never becomes the owner of the workspace the platform creates for it.

let t: AuthSandbox;
let tenantId: string;
let owner: Person;
let admin: Person;

const invite = (token: string, email: string, role = 'agent') =>
  t.api.request('POST', '/users', { token, body: { email, role } });
const accept = (token: string, pass = password) =>
  t.api.request('POST', '/auth/accept-invite', { body: { token, password: pass } });
const mailedToken = (email: string) => tokenOf(lastMailTo(t.sb, email, 'invitation'), 'invite');
const listInvitations = (token: string) => t.api.request('GET', '/invitations', { token });

beforeAll(async () => {
  t = await startAuthSandbox();
  ({ tenantId, owner } = await onboard(t, 'Padaria Sol'));
  const adminEmail = uniqueEmail('admin');
  await invite(owner.session.accessToken, adminEmail, 'admin');
  const joined = await accept(mailedToken(adminEmail));
  admin = { id: joined.json.user.id, email: adminEmail, password, session: joined.json };
});

afterAll(async () => {
  await t?.stop();
});

describe('the invitation is proved by mail', () => {
  it('answers the inviter without token or link; the branded mail to the invitee carries them', async () => {
    const branding = await t.api.request('PUT', '/branding', {
      token: owner.session.accessToken,
      body: { displayName: 'Padaria Sol ☀', colors: { primary: '#0f766e' } },
    });
    expect(branding.status).toBe(200);
    const email = uniqueEmail('invitee');
    const res = await invite(admin.session.accessToken, email, 'agent');
    expect(res.status).toBe(201);
    expect(Object.keys(res.json).sort()).toEqual(
      ['createdAt', 'email', 'expiresAt', 'id', 'invitedBy', 'role', 'sentAt', 'status'].sort(),
    );
    expect(res.text).not.toMatch(/inv_|token|https?:|\/invite/i);

    const mail = lastMailTo(t.sb, email, 'invitation');
    const token = tokenOf(mail, 'invite');
    expect(token).toMatch(/^inv_[A-Za-z0-9_-]{43}$/);
    expect(mail.links).toContain(`${t.sb.url}/invite/?token=${token}`);
    expect(mail.subject).toBe('Join Padaria Sol on Switchboard');
    expect(mail.text).toContain(`${admin.email} invited you to join Padaria Sol`);
    // The workspace's branding: its display name (RFC 2047 encoded in the header) and colour.
    expect(mail.from).toBe('Padaria Sol ☀ <no-reply@switchboard.local>');
    expect(mail.raw).toMatch(
      /^From: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <no-reply@switchboard\.local>$/m,
    );
    expect(mail.html).toContain('#0f766e');
    expect(mail.raw).toMatch(/^X-Switchboard-Tenant-Id: tn_/m);

    // Nowhere else: not in the list, not in the audit trail.
    const list = await listInvitations(owner.session.accessToken);
    expect(list.status).toBe(200);
    expect(list.json.items).toContainEqual(
      expect.objectContaining({ id: res.json.id, status: 'pending' }),
    );
    expect(list.text).not.toContain(token);
    const trail = await t.api.request('GET', '/audit-events?limit=20', {
      token: owner.session.accessToken,
    });
    expect(trail.text).not.toContain(token);
    expect(trail.text).toContain('member.invited');
  });

  it('is accepted only with the mailed token, and the new account has a proved address', async () => {
    const email = uniqueEmail('proved');
    const res = await invite(owner.session.accessToken, email, 'viewer');
    expect((await accept(`inv_${'A'.repeat(43)}`)).json.error.code).toBe('invalid_token');
    expect((await accept(res.json.id)).json.error.code).toBe('invalid_token');
    const joined = await accept(mailedToken(email));
    expect(joined.status).toBe(200);
    expect(joined.json.tenants).toEqual([{ tenantId, name: 'Padaria Sol', role: 'viewer' }]);
    const user = await new UserRepo(t.sb.db).getByEmail(email);
    expect(user?.emailVerifiedAt).toBeTruthy();
    // Accepted: it leaves the list, and cannot be resent or revoked.
    const list = await listInvitations(owner.session.accessToken);
    expect(list.json.items.map((i: { id: string }) => i.id)).not.toContain(res.json.id);
    const resend = await t.api.request('POST', `/invitations/${res.json.id}/resend`, {
      token: owner.session.accessToken,
    });
    expect(resend.status).toBe(409);
  });

  it('kills a revoked invitation', async () => {
    const email = uniqueEmail('revoked');
    const res = await invite(owner.session.accessToken, email, 'agent');
    const token = mailedToken(email);
    const revoked = await t.api.request('DELETE', `/invitations/${res.json.id}`, {
      token: admin.session.accessToken,
    });
    expect(revoked.status).toBe(204);
    const late = await accept(token);
    expect(late.status).toBe(401);
    expect(late.json.error.code).toBe('invalid_token');
    const list = await listInvitations(owner.session.accessToken);
    expect(list.json.items).toContainEqual(
      expect.objectContaining({ id: res.json.id, status: 'revoked' }),
    );
    for (const again of [
      t.api.request('DELETE', `/invitations/${res.json.id}`, { token: owner.session.accessToken }),
      t.api.request('POST', `/invitations/${res.json.id}/resend`, {
        token: owner.session.accessToken,
      }),
    ]) {
      const answer = await again;
      expect(answer.status).toBe(409);
      expect(answer.json.error.code).toBe('conflict');
    }
    expect(
      (
        await t.api.request('DELETE', '/invitations/iv_00000000000000000000', {
          token: owner.session.accessToken,
        })
      ).status,
    ).toBe(404);
  });

  it('resends with a new link, and the old link dies', async () => {
    const email = uniqueEmail('resent');
    const res = await invite(owner.session.accessToken, email, 'agent');
    const oldToken = mailedToken(email);
    t.clock.advance(60);
    const resent = await t.api.request('POST', `/invitations/${res.json.id}/resend`, {
      token: admin.session.accessToken,
    });
    expect(resent.status).toBe(200);
    expect(resent.json).toMatchObject({ id: res.json.id, status: 'pending' });
    expect(resent.json.sentAt > res.json.sentAt).toBe(true);
    expect(resent.text).not.toMatch(/inv_|token/);
    expect(mailsTo(t.sb, email, 'invitation')).toHaveLength(2);
    const newToken = mailedToken(email);
    expect(newToken).not.toBe(oldToken);
    expect((await accept(oldToken)).json.error.code).toBe('invalid_token');
    expect((await accept(newToken)).status).toBe(200);
  });

  it('lets a newer invitation of the same address replace a pending one', async () => {
    const email = uniqueEmail('twice');
    const first = await invite(owner.session.accessToken, email, 'viewer');
    const firstToken = mailedToken(email);
    const second = await invite(owner.session.accessToken, email, 'agent');
    expect(second.json.id).not.toBe(first.json.id);
    expect((await accept(firstToken)).json.error.code).toBe('invalid_token');
    const joined = await accept(mailedToken(email));
    expect(joined.json.tenants[0].role).toBe('agent');
  });

  it('leaves owner invitations to owners', async () => {
    const email = uniqueEmail('co-owner');
    const res = await invite(owner.session.accessToken, email, 'owner');
    expect(res.status).toBe(201);
    const byAdmin = await t.api.request('POST', `/invitations/${res.json.id}/resend`, {
      token: admin.session.accessToken,
    });
    expect(byAdmin.status).toBe(403);
    expect(
      (
        await t.api.request('DELETE', `/invitations/${res.json.id}`, {
          token: admin.session.accessToken,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.api.request('DELETE', `/invitations/${res.json.id}`, {
          token: owner.session.accessToken,
        })
      ).status,
    ).toBe(204);
  });
});

describe('the workspace takeover', () => {
  const createWorkspace = (name: string, ownerEmail: string, ownerPassword: string) =>
    t.api.request('POST', '/admin/tenants', {
      token: t.adminToken,
      body: { name, ownerEmail, ownerPassword },
    });

  it('fails at every step: an admin of another tenant cannot pre-claim the future owner’s address', async () => {
    const attacker = await onboard(t, 'Attacker Ltd');
    const attackerToken = attacker.owner.session.accessToken;
    const victim = uniqueEmail('future-owner');
    const attackerPassword = 'the attacker chose this one';

    // 1. The attacker invites the future owner's address: the answer gives them nothing to accept with.
    const invited = await invite(attackerToken, victim, 'viewer');
    expect(invited.status).toBe(201);
    expect(invited.text).not.toMatch(/inv_|token|https?:/i);
    const listed = await listInvitations(attackerToken);
    expect(listed.text).not.toMatch(/inv_|token/i);

    // 2. Without the mail, no token accepts it: not the invitation id, not a guess.
    for (const guess of [invited.json.id, `inv_${'x'.repeat(43)}`, 'inv_']) {
      const res = await accept(guess, attackerPassword);
      expect(res.status, guess).toBe(401);
      expect(res.json.error.code).toBe('invalid_token');
    }
    // Nor does a reset create or reach an account for the address (there is none): no mail.
    expect(
      (await t.api.request('POST', '/auth/password-reset', { body: { email: victim } })).status,
    ).toBe(202);
    expect(mailsTo(t.sb, victim, 'password_reset')).toEqual([]);
    // The only link went to the address itself.
    expect(mailsTo(t.sb, victim, 'invitation')).toHaveLength(1);

    // 3. So no account exists for it: the attacker's password signs nobody in.
    const attempt = await t.api.request('POST', '/auth/login', {
      body: { email: victim, password: attackerPassword },
    });
    expect(attempt.status).toBe(401);

    // 4. The platform creates the business's workspace: a new account with the owner password.
    const created = await createWorkspace('Real Business', victim, 'the real owner password');
    expect(created.status).toBe(201);
    expect(created.json.owner).toMatchObject({
      email: victim,
      existingAccount: false,
      invitationSent: false,
    });
    const realOwner = await signIn(t, victim, 'the real owner password');
    expect(realOwner.tenants).toEqual([
      { tenantId: created.json.id, name: 'Real Business', role: 'owner' },
    ]);
    // The attacker reaches neither the workspace nor the account.
    const wrong = await t.api.request('POST', '/auth/login', {
      body: { email: victim, password: attackerPassword },
    });
    expect(wrong.status).toBe(401);
    const peek = await t.api.request('POST', '/auth/switch-tenant', {
      token: attackerToken,
      body: { tenantId: created.json.id },
    });
    expect(peek.status).toBe(403);
  });

  it('invites an existing account to own a new workspace instead of attaching it, and says so', async () => {
    const person = (await onboard(t, 'First Shop')).owner;
    const given = 'a password the platform admin typed';
    const created = await createWorkspace('Second Shop', person.email, given);
    expect(created.status).toBe(201);
    expect(created.json.owner).toEqual({
      id: person.id,
      email: person.email,
      existingAccount: true,
      invitationSent: true,
    });
    // Not attached: the account is not a member yet, and the password given is not its password.
    expect((await signIn(t, person.email)).tenants.map((m) => m.tenantId)).not.toContain(
      created.json.id,
    );
    const withGiven = await t.api.request('POST', '/auth/login', {
      body: { email: person.email, password: given },
    });
    expect(withGiven.status).toBe(401);

    // The mail invites them to own it; they accept with their own password.
    const mail = lastMailTo(t.sb, person.email, 'invitation');
    expect(mail.subject).toBe('Your Switchboard workspace Second Shop is ready');
    expect(mail.text).toContain('accept with its password');
    const withGivenAtAccept = await accept(tokenOf(mail, 'invite'), given);
    expect(withGivenAtAccept.json.error.code).toBe('invalid_credentials');
    const joined = await accept(tokenOf(mail, 'invite'), password);
    expect(joined.status).toBe(200);
    expect(joined.json.tenants).toContainEqual({
      tenantId: created.json.id,
      name: 'Second Shop',
      role: 'owner',
    });
    const audit = await t.api.request('GET', '/admin/audit-events?limit=50', {
      token: t.adminToken,
    });
    const event = audit.json.items.find(
      (e: { action: string; target?: { id: string } }) =>
        e.action === 'tenant.created' && e.target?.id === created.json.id,
    );
    expect(event.details.ownerInvitationId).toMatch(/^iv_/);
  });
});

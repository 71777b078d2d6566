import { LastOwnerError, MembershipChangedError } from './membership.repo';
import { UserRepo, type Membership } from './user.repo';
import { hashSecret, newInviteToken } from './secret-tokens';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { Role } from '../../engine/topology';
import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import type { TenantCaller } from '../../engine/http/auth-context';
import { nowOf, settingsOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';

/** The acting member's role. Team routes take no API keys, so the caller is always a member. */
function roleOf(caller: TenantCaller): Role {
  if (!caller.role) throw new AppError('forbidden', 'This route needs a signed-in member.');
  return caller.role;
}

/** Only an owner may hand out the owner role or change an owner's. */
function assertMayManage(actor: Role, target: Role, next?: Role): void {
  if (actor === 'owner') return;
  if (target === 'owner' || next === 'owner') {
    throw new AppError('forbidden', 'Only an owner can grant, change or remove the owner role.');
  }
}

async function memberView(users: UserRepo, m: Membership) {
  const user = await users.get(m.userId);
  return { id: m.userId, email: user?.email, role: m.role, disabled: user?.disabled ?? false };
}

function lastOwnerOr(err: unknown): never {
  if (err instanceof LastOwnerError) {
    throw new AppError('last_owner', 'A tenant needs at least one owner: add another owner first.');
  }
  if (err instanceof MembershipChangedError) {
    throw new AppError('conflict', 'This member changed meanwhile. Reload and retry.');
  }
  throw err;
}

export const userHandlers = {
  'users.invite': async ({ c, caller, deps, body }) => {
    const tenant = tenantOf(caller);
    const { data } = tenant;
    const input = await body();
    assertMayManage(roleOf(tenant), input.role);
    const email = input.email.toLowerCase();
    const existing = await new UserRepo(deps.db).getByEmail(email);
    if (existing && (await data.members.get(existing.id))) {
      throw new AppError('already_member', 'This person is already a member of this tenant.');
    }
    const now = nowOf(deps);
    const settings = settingsOf(deps);
    const token = newInviteToken();
    const invitation = await data.invitations.create(hashSecret(token), {
      id: randomId('iv'),
      email,
      role: input.role,
      invitedBy: tenant.userId,
      createdAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + settings.inviteTtlSeconds,
    });
    await audit(c, caller, deps, {
      action: 'member.invited',
      target: { type: 'invitation', id: invitation.id },
      details: { email, role: input.role },
    });
    return c.json(
      {
        id: invitation.id,
        email,
        role: invitation.role,
        // Shown once. In the URL's fragment, so it never reaches a server log.
        inviteToken: token,
        inviteUrl: settings.inviteUrlBase ? `${settings.inviteUrlBase}#token=${token}` : undefined,
        expiresAt: new Date(invitation.expiresAt * 1000).toISOString(),
      },
      201,
    );
  },

  'users.list': async ({ c, caller, deps }) => {
    const { data } = tenantOf(caller);
    const members = await data.members.list();
    const users = await new UserRepo(deps.db).getMany(members.map((m) => m.userId));
    const items = members
      .map((m) => {
        const user = users.get(m.userId);
        return {
          id: m.userId,
          email: user?.email,
          role: m.role,
          disabled: user?.disabled ?? false,
        };
      })
      .sort((a, b) => (a.email ?? '').localeCompare(b.email ?? ''));
    return c.json({ items, nextCursor: null });
  },

  'users.update': async ({ c, caller, deps, params, body }) => {
    const tenant = tenantOf(caller);
    const userId = params.id;
    const target = await tenant.data.members.get(userId);
    if (!target) throw new NotFoundError('User');
    const input = await body();
    assertMayManage(roleOf(tenant), target.role, input.role);
    const updated = await tenant.data.members
      .setRole(userId, target.role, input.role)
      .catch(lastOwnerOr);
    if (target.role !== input.role) {
      await audit(c, caller, deps, {
        action: 'member.role_changed',
        target: { type: 'user', id: userId },
        details: { from: target.role, to: input.role },
      });
    }
    return c.json(await memberView(new UserRepo(deps.db), updated));
  },

  'users.remove': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const userId = params.id;
    const target = await tenant.data.members.get(userId);
    if (!target) throw new NotFoundError('User');
    assertMayManage(roleOf(tenant), target.role);
    await tenant.data.members.remove(userId, target.role).catch(lastOwnerOr);
    await audit(c, caller, deps, {
      action: 'member.removed',
      target: { type: 'user', id: userId },
      details: { role: target.role },
    });
    return c.body(null, 204);
  },
} satisfies Partial<HandlerTable>;

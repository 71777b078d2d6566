import type { InviteUserRequest, MemberDto, Role } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import { LastOwnerError, MembershipChangedError } from './membership.repo';
import { hashSecret, newInviteToken } from './secret-tokens';
import type { AuthSettings } from './settings';
import { UserRepo, type Membership } from './user.repo';

// The team of a workspace: who is in it with which role, invitations, role changes, removal.
// Only an owner may grant, change or remove the owner role; a workspace keeps at least one owner.

export type TeamActor = { userId?: string; role?: Role };

/** The acting member's role. Team routes take no API keys, so the caller is always a member. */
function roleOf(actor: TeamActor): Role {
  if (!actor.role) throw new AppError('forbidden', 'This route needs a signed-in member.');
  return actor.role;
}

/** Only an owner may hand out the owner role or change an owner's. */
function assertMayManage(actor: Role, target: Role, next?: Role): void {
  if (actor === 'owner') return;
  if (target === 'owner' || next === 'owner') {
    throw new AppError('forbidden', 'Only an owner can grant, change or remove the owner role.');
  }
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

async function memberView(users: UserRepo, m: Membership): Promise<MemberDto> {
  const user = await users.get(m.userId);
  return { id: m.userId, email: user?.email, role: m.role, disabled: user?.disabled ?? false };
}

export async function listMembers(db: Db, data: TenantData): Promise<MemberDto[]> {
  const members = await data.members.list();
  const users = await new UserRepo(db).getMany(members.map((m) => m.userId));
  return members
    .map((m) => {
      const user = users.get(m.userId);
      return { id: m.userId, email: user?.email, role: m.role, disabled: user?.disabled ?? false };
    })
    .sort((a, b) => (a.email ?? '').localeCompare(b.email ?? ''));
}

export type CreatedInvitation = {
  id: string;
  email: string;
  role: Role;
  /** Shown once; only its hash is stored. */
  token: string;
  expiresAt: number;
};

export async function inviteMember(
  deps: { db: Db; data: TenantData; settings: AuthSettings; now: Date },
  actor: TeamActor,
  input: InviteUserRequest,
): Promise<CreatedInvitation> {
  assertMayManage(roleOf(actor), input.role);
  const email = input.email.toLowerCase();
  const existing = await new UserRepo(deps.db).getByEmail(email);
  if (existing && (await deps.data.members.get(existing.id))) {
    throw new AppError('already_member', 'This person is already a member of this tenant.');
  }
  const token = newInviteToken();
  const invitation = await deps.data.invitations.create(hashSecret(token), {
    id: randomId('iv'),
    email,
    role: input.role,
    invitedBy: actor.userId,
    createdAt: deps.now.toISOString(),
    expiresAt: Math.floor(deps.now.getTime() / 1000) + deps.settings.inviteTtlSeconds,
  });
  return {
    id: invitation.id,
    email,
    role: invitation.role,
    token,
    expiresAt: invitation.expiresAt,
  };
}

export async function changeMemberRole(
  deps: { db: Db; data: TenantData },
  actor: TeamActor,
  userId: string,
  role: Role,
): Promise<{ member: MemberDto; from: Role }> {
  const target = await deps.data.members.get(userId);
  if (!target) throw new NotFoundError('User');
  assertMayManage(roleOf(actor), target.role, role);
  const updated = await deps.data.members.setRole(userId, target.role, role).catch(lastOwnerOr);
  return { member: await memberView(new UserRepo(deps.db), updated), from: target.role };
}

export async function removeMember(
  data: TenantData,
  actor: TeamActor,
  userId: string,
): Promise<{ role: Role }> {
  const target = await data.members.get(userId);
  if (!target) throw new NotFoundError('User');
  assertMayManage(roleOf(actor), target.role);
  await data.members.remove(userId, target.role).catch(lastOwnerOr);
  return { role: target.role };
}

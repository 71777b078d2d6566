import type { MemberDto, Role } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { LastOwnerError, MembershipChangedError } from './membership.repo';
import { UserRepo, type Membership } from './user.repo';

// The team of a workspace: who is in it with which role, role changes, removal (invitations:
// invitations.service.ts).
// Only an owner may grant, change or remove the owner role; a workspace keeps at least one owner.

export type TeamActor = { userId?: string; role?: Role };

/** The acting member's role. Team routes take no API keys, so the caller is always a member. */
export function roleOf(actor: TeamActor): Role {
  if (!actor.role) throw new AppError('forbidden', 'This route needs a signed-in member.');
  return actor.role;
}

/** Only an owner may hand out the owner role or change an owner's. */
export function assertMayManage(actor: Role, target: Role, next?: Role): void {
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
  return {
    id: m.userId,
    email: user?.email,
    role: m.role,
    disabled: user?.disabled ?? false,
    available: m.available !== false,
  };
}

export async function listMembers(db: Db, data: TenantData): Promise<MemberDto[]> {
  const members = await data.members.list();
  const users = await new UserRepo(db).getMany(members.map((m) => m.userId));
  return members
    .map((m) => {
      const user = users.get(m.userId);
      return {
        id: m.userId,
        email: user?.email,
        role: m.role,
        disabled: user?.disabled ?? false,
        available: m.available !== false,
      };
    })
    .sort((a, b) => (a.email ?? '').localeCompare(b.email ?? ''));
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

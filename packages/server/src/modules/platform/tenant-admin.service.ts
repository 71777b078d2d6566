import type { CreateTenantRequest } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { AppError } from '../../engine/errors';
import { hashPassword } from '../../engine/security/password';
import { MemberRepo } from '../identity/membership.repo';
import { SessionRepo } from '../identity/session.repo';
import { UserRepo, type User } from '../identity/user.repo';
import { TenantRepo, type Tenant, type TenantStatus } from './tenant.repo';

// What a platform admin does to workspaces and accounts: the rules, apart from the HTTP edge.

export type CreatedTenant = {
  tenant: Tenant;
  owner: User;
  /** The owner already had an account: it got the membership, its password unchanged. */
  existingAccount: boolean;
};

export async function createTenantWithOwner(
  db: Db,
  input: CreateTenantRequest,
): Promise<CreatedTenant> {
  const users = new UserRepo(db);
  const tenant = await new TenantRepo(db).create(input.name);
  // A person may own several tenants: an existing account gets the membership, its password unchanged.
  const existing = await users.getByEmail(input.ownerEmail);
  const owner =
    existing ??
    (await users.create({
      email: input.ownerEmail,
      passwordHash: await hashPassword(input.ownerPassword),
    }));
  await new MemberRepo(db, tenant.id).add({
    userId: owner.id,
    role: 'owner',
    tenantName: tenant.name,
  });
  return { tenant, owner, existingAccount: Boolean(existing) };
}

/**
 * A suspended tenant's tokens and API keys stop working on its next request (the auth middleware
 * reads the status) and its webhooks are kept as unrouted; its data stays.
 */
export function setTenantStatus(
  db: Db,
  tenantId: string,
  status: TenantStatus,
): Promise<Tenant | undefined> {
  return new TenantRepo(db).setStatus(tenantId, status);
}

export type UserStatusChange = { user: User; sessionsEnded: number; tenantIds: string[] };

/** A disabled user's sessions end at once; enabling does not bring them back (sign in again). */
export async function setUserDisabled(
  db: Db,
  input: { userId: string; disabled: boolean; actorUserId?: string; at: Date },
): Promise<UserStatusChange | undefined> {
  if (input.disabled && input.actorUserId === input.userId) {
    throw new AppError('conflict', 'You cannot disable your own account.');
  }
  const users = new UserRepo(db);
  const user = await users.setDisabled(input.userId, input.disabled);
  if (!user) return undefined;
  const sessionsEnded = input.disabled
    ? await new SessionRepo(db).revokeAll(input.userId, 'user_disabled', input.at.toISOString())
    : 0;
  const memberships = await users.listMemberships(input.userId);
  return { user, sessionsEnded, tenantIds: memberships.map((m) => m.tenantId) };
}

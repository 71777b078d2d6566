import type { CreateTenantRequest, InvitationDto } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { dbForTenant, type TenantDbFactory } from '../../engine/data/tenant-data';
import { AppError } from '../../engine/errors';
import { hashPassword } from '../../engine/security/password';
import { InvitationRepo } from '../identity/invitation.repo';
import { inviteWorkspaceOwner } from '../identity/invitations.service';
import type { MailDeps } from '../identity/mail-templates';
import { MemberRepo } from '../identity/membership.repo';
import { SessionRepo } from '../identity/session.repo';
import type { AuthSettings } from '../identity/settings';
import { EmailTakenError, UserRepo, type User } from '../identity/user.repo';
import { TenantRepo, type Tenant, type TenantStatus } from './tenant.repo';

// What a platform admin does to workspaces and accounts: the rules, apart from the HTTP edge.

export type CreatedTenant = {
  tenant: Tenant;
  owner: User;
  /** The owner's e-mail already had an account: it is not attached, its password unchanged. */
  existingAccount: boolean;
  /** Sent to that account instead: it owns the workspace once it accepts through the mail. */
  invitation?: InvitationDto;
};

export type CreateTenantDeps = {
  db: Db;
  tenantDb?: TenantDbFactory;
  settings: AuthSettings;
  now: Date;
  mail: MailDeps;
  /** The platform admin creating it: their own account is attached (they are its proved holder). */
  actorUserId?: string;
};

/**
 * A new e-mail gets an account with the given password and owns the workspace. An e-mail that
 * already has an account is never attached silently (whoever set that account up may not be the
 * person the workspace is for): it is mailed an owner invitation, and the password is not used.
 * The one exception is the calling admin's own account, which they have just proved they hold.
 */
export async function createTenantWithOwner(
  deps: CreateTenantDeps,
  input: CreateTenantRequest,
): Promise<CreatedTenant> {
  const { db, now } = deps;
  const users = new UserRepo(db);
  const tenant = await new TenantRepo(db).create(input.name);
  const inviteExisting = async (owner: User): Promise<CreatedTenant> => {
    const tenantDb = dbForTenant(deps, tenant.id);
    const invitation = await inviteWorkspaceOwner(
      {
        db,
        invitations: new InvitationRepo(tenantDb, tenant.id, db),
        members: new MemberRepo(tenantDb, tenant.id, db),
        tenant: { id: tenant.id, name: tenant.name },
        settings: deps.settings,
        now,
        mail: deps.mail,
      },
      owner.email,
    );
    return { tenant, owner, existingAccount: true, invitation };
  };
  const attach = async (owner: User, existingAccount: boolean): Promise<CreatedTenant> => {
    await new MemberRepo(db, tenant.id).add({
      userId: owner.id,
      role: 'owner',
      tenantName: tenant.name,
    });
    return { tenant, owner, existingAccount };
  };
  const existing = await users.getByEmail(input.ownerEmail);
  if (existing) {
    return existing.id === deps.actorUserId ? attach(existing, true) : inviteExisting(existing);
  }
  let owner: User;
  try {
    owner = await users.create(
      { email: input.ownerEmail, passwordHash: await hashPassword(input.ownerPassword) },
      now,
    );
  } catch (err) {
    if (!(err instanceof EmailTakenError)) throw err;
    // The account appeared meanwhile: the same rule as above.
    const raced = await users.getByEmail(input.ownerEmail);
    if (!raced) throw err;
    return inviteExisting(raced);
  }
  return attach(owner, false);
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

import { roleRank, type Role } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { AppError } from '../../engine/errors';
import { SecurityPolicyRepo, type SecurityPolicy } from './security-policy.repo';
import type { Membership, User } from './user.repo';

// The workspace policy "owners and admins must use two-factor". When it is on, such a member
// without two-factor still signs in and keeps every account route (their sessions, the two-factor
// set-up), but each workspace route answers 403 `two_factor_required` until they turn it on. A
// sign-in that worked and then a screen that says exactly what to do is what people expect; a
// refused sign-in would leave them nowhere to enrol. Checked per request (authenticate.ts) from
// the membership's current role, so a promotion or the policy being switched on applies at once.

/** Whether any policy could stop this member (an owner or admin without two-factor). */
export function mayNeedTwoFactor(role: Role, user: Pick<User, 'twoFactorEnabledAt'>): boolean {
  return roleRank[role] >= roleRank.admin && !user.twoFactorEnabledAt;
}

/** True when this member must turn two-factor on before using the workspace. */
export function mustEnrolTwoFactor(
  policy: SecurityPolicy,
  role: Role,
  user: Pick<User, 'twoFactorEnabledAt'>,
): boolean {
  return policy.requireTwoFactorForAdmins && mayNeedTwoFactor(role, user);
}

/** The workspaces whose policy applies to this person (owner or admin there). */
export async function workspacesRequiringTwoFactor(
  db: Db,
  memberships: Membership[],
): Promise<{ tenantId: string; name?: string }[]> {
  const senior = memberships.filter((m) => roleRank[m.role] >= roleRank.admin);
  const policies = await SecurityPolicyRepo.getMany(
    db,
    senior.map((m) => m.tenantId),
  );
  return senior
    .filter((m) => policies.get(m.tenantId)?.requireTwoFactorForAdmins)
    .map((m) => ({ tenantId: m.tenantId, name: m.tenantName }));
}

/**
 * Sets the policy. Switching it on needs two-factor on the owner's own account first, so the
 * owner is never the first person it shuts out of the workspace.
 */
export async function updateSecurityPolicy(
  db: Db,
  tenantId: string,
  actor: User,
  requireTwoFactorForAdmins: boolean,
  now: Date,
): Promise<{ policy: SecurityPolicy; changed: boolean }> {
  const repo = new SecurityPolicyRepo(db, tenantId);
  const before = await repo.get();
  if (requireTwoFactorForAdmins && !actor.twoFactorEnabledAt) {
    throw new AppError(
      'two_factor_required',
      'Turn on two-factor sign-in for your own account before requiring it of others.',
    );
  }
  if (before.requireTwoFactorForAdmins === requireTwoFactorForAdmins) {
    return { policy: before, changed: false };
  }
  const policy: SecurityPolicy = {
    requireTwoFactorForAdmins,
    updatedAt: now.toISOString(),
    updatedBy: actor.id,
  };
  await repo.put(policy);
  return { policy, changed: true };
}

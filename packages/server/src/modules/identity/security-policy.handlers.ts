import { dbForTenant } from '../../engine/data/tenant-data';
import { AppError } from '../../engine/errors';
import { audit } from '../../engine/http/audit';
import type { HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { SecurityPolicyRepo } from './security-policy.repo';
import { updateSecurityPolicy } from './security-policy.service';
import { UserRepo } from './user.repo';

// The workspace's sign-in rules. The tenant comes from the verified caller only; the item is in
// the tenant's own partition, read and written on the tenant's scoped Db.

export const securityPolicyHandlers = {
  'security-policy.get': async ({ c, caller, deps }) => {
    const { tenantId } = tenantOf(caller).ctx;
    return c.json(await new SecurityPolicyRepo(dbForTenant(deps, tenantId), tenantId).get());
  },

  'security-policy.update': async ({ c, caller, deps, body }) => {
    const tenant = tenantOf(caller);
    const { requireTwoFactorForAdmins } = await body();
    const user = tenant.userId ? await new UserRepo(deps.db).get(tenant.userId) : undefined;
    if (!user) throw new AppError('forbidden', 'Only a signed-in owner can change this.');
    const { policy, changed } = await updateSecurityPolicy(
      dbForTenant(deps, tenant.ctx.tenantId),
      tenant.ctx.tenantId,
      user,
      requireTwoFactorForAdmins,
      nowOf(deps),
    );
    if (changed) {
      await audit(c, caller, deps, {
        action: 'tenant.security_policy_changed',
        details: { requireTwoFactorForAdmins },
      });
    }
    return c.json(policy);
  },
} satisfies Partial<HandlerTable>;

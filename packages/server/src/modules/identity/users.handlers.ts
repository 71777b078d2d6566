import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { tenantOf } from '../../engine/http/tenant-caller';
import { changeMemberRole, listMembers, removeMember } from './team.service';

export const userHandlers = {
  'users.list': async ({ c, caller, deps }) => {
    const items = await listMembers(deps.db, tenantOf(caller).data);
    return c.json({ items, nextCursor: null });
  },

  'users.update': async ({ c, caller, deps, params, body }) => {
    const tenant = tenantOf(caller);
    const { role } = await body();
    const { member, from } = await changeMemberRole(
      { db: deps.db, data: tenant.data },
      tenant,
      params.id,
      role,
    );
    if (from !== role) {
      // Its sockets were opened with the old role: closed, they reconnect with the new one.
      await deps.live.closeWhere({ tenantId: tenant.ctx.tenantId, userId: params.id }, 'forbidden');
      await audit(c, caller, deps, {
        action: 'member.role_changed',
        target: { type: 'user', id: params.id },
        details: { from, to: role },
      });
    }
    return c.json(member);
  },

  'users.remove': async ({ c, caller, deps, params }) => {
    const tenant = tenantOf(caller);
    const { role } = await removeMember(tenant.data, tenant, params.id);
    await deps.live.closeWhere({ tenantId: tenant.ctx.tenantId, userId: params.id }, 'forbidden');
    await audit(c, caller, deps, {
      action: 'member.removed',
      target: { type: 'user', id: params.id },
      details: { role },
    });
    return c.body(null, 204);
  },
} satisfies Partial<HandlerTable>;

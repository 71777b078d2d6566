import { indexPositionSchema } from '../../engine/data/index-page';
import { NotFoundError } from '../../engine/errors';
import type { HandlerTable, RouteRequest } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { mailDeps } from '../../engine/http/mail-deps';
import { nowOf, settingsOf } from '../../engine/http/session-deps';
import { queues, type QueueName } from '../../engine/topology';
import { UnroutedRepo } from '../messaging/unrouted.repo';
import type { TenantStatus } from './tenant.repo';
import { TenantRepo } from './tenant.repo';
import { createTenantWithOwner, setTenantStatus, setUserDisabled } from './tenant-admin.service';

function queueOf(name: string): QueueName {
  if (Object.hasOwn(queues, name)) return name as QueueName;
  throw new NotFoundError('Queue');
}

function tenantStatusHandler(status: TenantStatus) {
  return async ({
    c,
    caller,
    deps,
    params,
  }: RouteRequest<'admin.tenants.suspend' | 'admin.tenants.resume'>) => {
    const tenant = await setTenantStatus(deps.db, params.id, status);
    if (!tenant) throw new NotFoundError('Tenant');
    if (status === 'suspended') await deps.live.closeWhere({ tenantId: tenant.id }, 'forbidden');
    await audit(
      c,
      caller,
      deps,
      {
        action: status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed',
        target: { type: 'tenant', id: tenant.id },
      },
      { tenantIds: [tenant.id], platform: true },
    );
    return c.json(tenant);
  };
}

function userDisabledHandler(disabled: boolean) {
  return async ({
    c,
    caller,
    deps,
    params,
  }: RouteRequest<'admin.users.disable' | 'admin.users.enable'>) => {
    const change = await setUserDisabled(deps.db, {
      userId: params.id,
      disabled,
      actorUserId: caller.kind === 'user' ? caller.userId : undefined,
      at: nowOf(deps),
    });
    if (!change) throw new NotFoundError('User');
    const { user } = change;
    if (disabled) await deps.live.closeWhere({ userId: user.id }, 'session_ended');
    await audit(
      c,
      caller,
      deps,
      {
        action: disabled ? 'user.disabled' : 'user.enabled',
        target: { type: 'user', id: user.id },
        details: disabled ? { sessionsEnded: change.sessionsEnded } : undefined,
      },
      { tenantIds: change.tenantIds, platform: true },
    );
    return c.json({
      id: user.id,
      email: user.email,
      platformAdmin: user.platformAdmin,
      disabled: user.disabled,
    });
  };
}

export const adminHandlers = {
  'admin.tenants.create': async ({ c, caller, deps, body }) => {
    const input = await body();
    const { tenant, owner, existingAccount, invitation } = await createTenantWithOwner(
      {
        db: deps.db,
        tenantDb: deps.tenantDb,
        settings: settingsOf(deps),
        now: nowOf(deps),
        mail: mailDeps(deps),
        actorUserId: caller.kind === 'user' ? caller.userId : undefined,
      },
      input,
    );
    await audit(
      c,
      caller,
      deps,
      {
        action: 'tenant.created',
        target: { type: 'tenant', id: tenant.id },
        details: {
          name: tenant.name,
          ownerId: owner.id,
          ...(invitation ? { ownerInvitationId: invitation.id } : {}),
        },
      },
      { tenantIds: [tenant.id], platform: true },
    );
    return c.json(
      {
        ...tenant,
        owner: {
          id: owner.id,
          email: owner.email,
          existingAccount,
          invitationSent: invitation !== undefined,
        },
      },
      201,
    );
  },
  'admin.tenants.list': async ({ c, deps, query, cursors }) => {
    const page = await new TenantRepo(deps.db).list(
      query.limit,
      await cursors.read(indexPositionSchema),
    );
    return c.json({ items: page.items, nextCursor: await cursors.next(page.next) });
  },
  'admin.unrouted.list': async ({ c, deps, query, cursors }) => {
    const page = await new UnroutedRepo(deps.db).list(
      query.limit,
      await cursors.read(indexPositionSchema),
    );
    return c.json({ items: page.items, nextCursor: await cursors.next(page.next) });
  },
  'admin.dlq.list': async ({ c, deps, params, query }) => {
    const queue = queueOf(params.queue);
    return c.json({ queue, items: await deps.dlq[queue].list(query.limit) });
  },
  'admin.dlq.redrive': async ({ c, deps, params, body }) => {
    const queue = queueOf(params.queue);
    const input = await body();
    return c.json({ queue, moved: await deps.dlq[queue].redrive(input?.ids) });
  },
  'admin.tenants.suspend': tenantStatusHandler('suspended'),
  'admin.tenants.resume': tenantStatusHandler('active'),
  'admin.users.disable': userDisabledHandler(true),
  'admin.users.enable': userDisabledHandler(false),
} satisfies Partial<HandlerTable>;

import { createTenantRequestSchema } from '@switchboard/contracts';
import { z } from 'zod';
import { MemberRepo } from '../identity/membership.repo';
import { SessionRepo } from '../identity/session.repo';
import { TenantRepo, type TenantStatus } from './tenant.repo';
import { UnroutedRepo } from '../messaging/unrouted.repo';
import { UserRepo } from '../identity/user.repo';
import { hashPassword } from '../../engine/security/password';
import { AppError, NotFoundError } from '../../engine/errors';
import { queues, type QueueName } from '../../engine/topology';
import type { AppDeps, HandlerTable, RouteHandler } from '../../engine/http/app';
import { audit } from '../../engine/http/audit';
import { nowOf } from '../../engine/http/session-deps';
import {
  decodeCursor,
  encodeCursor,
  pageSizeSchema,
  parseJsonBody,
  parseQuery,
} from '../../engine/http/validate';

const listQuery = z.object({ limit: pageSizeSchema, cursor: z.string().max(2048).optional() });
const gsiCursor = z.object({ pk: z.string(), sk: z.string(), gsk: z.string() });

export const adminHandlers = {
  'admin.tenants.create': async (c, caller, deps) => {
    const body = await parseJsonBody(c, createTenantRequestSchema);
    const users = new UserRepo(deps.db);
    const tenant = await new TenantRepo(deps.db).create(body.name);
    // A person may own several tenants: an existing account gets the membership, its password unchanged.
    const existing = await users.getByEmail(body.ownerEmail);
    const owner =
      existing ??
      (await users.create({
        email: body.ownerEmail,
        passwordHash: await hashPassword(body.ownerPassword),
      }));
    await new MemberRepo(deps.db, tenant.id).add({
      userId: owner.id,
      role: 'owner',
      tenantName: tenant.name,
    });
    await audit(
      c,
      caller,
      deps,
      {
        action: 'tenant.created',
        target: { type: 'tenant', id: tenant.id },
        details: { name: tenant.name, ownerId: owner.id },
      },
      { tenantIds: [tenant.id], platform: true },
    );
    return c.json(
      {
        ...tenant,
        owner: { id: owner.id, email: owner.email, existingAccount: Boolean(existing) },
      },
      201,
    );
  },
  'admin.tenants.list': async (c, _caller, deps) => {
    const query = parseQuery(c, listQuery);
    const cursor = decodeCursor(query.cursor, gsiCursor);
    const page = await new TenantRepo(deps.db).list(
      query.limit,
      cursor && { PK: cursor.pk, SK: cursor.sk, GSI1PK: 'TENANTS', GSI1SK: cursor.gsk },
    );
    const last = page.lastKey;
    return c.json({
      items: page.items,
      nextCursor: last ? encodeCursor({ pk: last.PK, sk: last.SK, gsk: last.GSI1SK }) : null,
    });
  },
  'admin.unrouted.list': async (c, _caller, deps) => {
    const query = parseQuery(c, listQuery);
    const cursor = decodeCursor(query.cursor, gsiCursor);
    const page = await new UnroutedRepo(deps.db).list(
      query.limit,
      cursor && { PK: cursor.pk, SK: cursor.sk, GSI1PK: 'UNROUTED', GSI1SK: cursor.gsk },
    );
    const last = page.lastKey;
    return c.json({
      items: page.items,
      nextCursor: last ? encodeCursor({ pk: last.PK, sk: last.SK, gsk: last.GSI1SK }) : null,
    });
  },
  'admin.dlq.list': async (c, _caller, deps) => {
    const queue = queueOf(c.req.param('queue'));
    const { limit } = parseQuery(c, z.object({ limit: pageSizeSchema }));
    return c.json({ queue, items: await deps.dlq[queue].list(limit) });
  },
  'admin.dlq.redrive': async (c, _caller, deps) => {
    const queue = queueOf(c.req.param('queue'));
    const text = await c.req.text();
    const body = text.trim() ? await parseJsonBody(c, redriveBody, text) : {};
    return c.json({ queue, moved: await deps.dlq[queue].redrive(body.ids) });
  },
  'admin.tenants.suspend': setTenantStatus('suspended'),
  'admin.tenants.resume': setTenantStatus('active'),
  'admin.users.disable': setUserDisabled(true),
  'admin.users.enable': setUserDisabled(false),
} satisfies Partial<HandlerTable>;

/**
 * A suspended tenant's tokens and API keys stop working on its next request (the auth middleware
 * reads the status) and its webhooks are kept as unrouted; its data stays.
 */
function setTenantStatus(status: TenantStatus): RouteHandler {
  return async (c, caller, deps) => {
    const tenantId = c.req.param('id') ?? '';
    const tenant = await new TenantRepo(deps.db).setStatus(tenantId, status);
    if (!tenant) throw new NotFoundError('Tenant');
    await audit(
      c,
      caller,
      deps,
      {
        action: status === 'suspended' ? 'tenant.suspended' : 'tenant.resumed',
        target: { type: 'tenant', id: tenantId },
      },
      { tenantIds: [tenantId], platform: true },
    );
    return c.json(tenant);
  };
}

/** A disabled user's sessions end at once; enabling does not bring them back (sign in again). */
function setUserDisabled(disabled: boolean): RouteHandler {
  return async (c, caller, deps: AppDeps) => {
    const userId = c.req.param('id') ?? '';
    if (disabled && caller.kind === 'user' && caller.userId === userId) {
      throw new AppError('conflict', 'You cannot disable your own account.');
    }
    const users = new UserRepo(deps.db);
    const user = await users.setDisabled(userId, disabled);
    if (!user) throw new NotFoundError('User');
    const ended = disabled
      ? await new SessionRepo(deps.db).revokeAll(userId, 'user_disabled', nowOf(deps).toISOString())
      : 0;
    const memberships = await users.listMemberships(userId);
    await audit(
      c,
      caller,
      deps,
      {
        action: disabled ? 'user.disabled' : 'user.enabled',
        target: { type: 'user', id: userId },
        details: disabled ? { sessionsEnded: ended } : undefined,
      },
      { tenantIds: memberships.map((m) => m.tenantId), platform: true },
    );
    return c.json({
      id: user.id,
      email: user.email,
      platformAdmin: user.platformAdmin,
      disabled: user.disabled,
    });
  };
}

const redriveBody = z.object({
  ids: z.array(z.string().min(1).max(128)).min(1).max(1000).optional(),
});

function queueOf(name: string | undefined): QueueName {
  if (name && Object.hasOwn(queues, name)) return name as QueueName;
  throw new NotFoundError('Queue');
}

import { createTenantRequestSchema } from '@switchboard/contracts';
import { z } from 'zod';
import { TenantRepo } from '../../data/tenant.repo';
import { UnroutedRepo } from '../../data/unrouted.repo';
import { UserRepo } from '../../data/user.repo';
import { hashPassword } from '../../security/password';
import { NotFoundError } from '../../errors';
import { queues, type QueueName } from '../../topology';
import type { HandlerTable } from '../app';
import { decodeCursor, encodeCursor, pageSizeSchema, parseJsonBody, parseQuery } from '../validate';

const listQuery = z.object({ limit: pageSizeSchema, cursor: z.string().max(2048).optional() });
const gsiCursor = z.object({ pk: z.string(), sk: z.string(), gsk: z.string() });

export const adminHandlers = {
  'admin.tenants.create': async (c, _caller, deps) => {
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
    await users.addMembership({
      tenantId: tenant.id,
      userId: owner.id,
      role: 'owner',
      tenantName: tenant.name,
    });
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
} satisfies Partial<HandlerTable>;

const redriveBody = z.object({
  ids: z.array(z.string().min(1).max(128)).min(1).max(1000).optional(),
});

function queueOf(name: string | undefined): QueueName {
  if (name && Object.hasOwn(queues, name)) return name as QueueName;
  throw new NotFoundError('Queue');
}

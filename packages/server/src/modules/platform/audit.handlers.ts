import { z } from 'zod';
import { AuditLog } from './audit.repo';
import type { HandlerTable } from '../../engine/http/route-handler';
import { decodeCursor, encodeCursor } from '../../engine/http/validate';
import { tenantOf } from '../../engine/http/tenant-caller';

const auditCursor = z.object({ before: z.string().startsWith('AUDIT#').max(256) });

async function page(trail: AuditLog, query: { limit: number; cursor?: string }) {
  const cursor = decodeCursor(query.cursor, auditCursor);
  const result = await trail.list(query.limit, cursor?.before);
  return {
    items: result.items,
    nextCursor: result.nextBefore ? encodeCursor({ before: result.nextBefore }) : null,
  };
}

export const auditHandlers = {
  'audit.list': async ({ c, caller, query }) => {
    const { data } = tenantOf(caller);
    return c.json(await page(data.audit, query));
  },
  'admin.audit.list': async ({ c, deps, query }) => {
    const trail = AuditLog.forPlatform(deps.db);
    return c.json(await page(trail, query));
  },
} satisfies Partial<HandlerTable>;

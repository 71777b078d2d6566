import { z } from 'zod';
import { AuditLog } from './audit.repo';
import type { HandlerTable } from '../../engine/http/route-handler';
import type { PageCursor } from '../../engine/http/cursor';
import { tenantOf } from '../../engine/http/tenant-caller';

const auditCursor = z.object({ before: z.string().startsWith('AUDIT#').max(256) });

async function page(trail: AuditLog, query: { limit: number }, cursors: PageCursor) {
  const cursor = await cursors.read(auditCursor);
  const result = await trail.list(query.limit, cursor?.before);
  return {
    items: result.items,
    nextCursor: await cursors.next(result.nextBefore ? { before: result.nextBefore } : null),
  };
}

export const auditHandlers = {
  'audit.list': async ({ c, caller, query, cursors }) => {
    const { data } = tenantOf(caller);
    return c.json(await page(data.audit, query, cursors));
  },
  'admin.audit.list': async ({ c, deps, query, cursors }) => {
    const trail = AuditLog.forPlatform(deps.db);
    return c.json(await page(trail, query, cursors));
  },
} satisfies Partial<HandlerTable>;

import type { HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { AppError } from '../../engine/errors';
import { issueLiveTicket } from './live-tickets.service';

export const liveHandlers = {
  'live.tickets.create': async ({ c, caller, deps }) => {
    const { ctx, userId, role, sessionId } = tenantOf(caller);
    // The route takes no API key (no scope), so a member's session is always there.
    if (!userId || !role || !sessionId) {
      throw new AppError('forbidden', 'Live updates are for signed-in members.');
    }
    const url = deps.live.url();
    if (!url) throw new AppError('service_unavailable', 'Live updates are not available yet.');
    const { ticket, expiresAt } = await issueLiveTicket(
      deps.db,
      { tenantId: ctx.tenantId, userId, role, sessionId },
      nowOf(deps),
    );
    return c.json({ ticket, url, expiresAt: expiresAt.toISOString() }, 201);
  },
} satisfies Partial<HandlerTable>;

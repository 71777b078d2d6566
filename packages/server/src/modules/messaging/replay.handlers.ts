import { indexPositionSchema } from '../../engine/data/index-page';
import { NotFoundError } from '../../engine/errors';
import { audit } from '../../engine/http/audit';
import type { HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { ReplayRepo, type Replay } from './replay.repo';
import { startReplay } from './replay.service';

/** A replay as the contract answers it (the creator stays in the audit trail). */
function viewOf(replay: Replay) {
  const { createdBy: _createdBy, ...view } = replay;
  return view;
}

export const replayHandlers = {
  'admin.replays.create': async ({ c, caller, deps, body }) => {
    const input = await body();
    const createdBy = caller.kind === 'user' ? caller.userId : 'unknown';
    const replay = await startReplay(
      { db: deps.db, replayQueue: deps.replayQueue, now: () => nowOf(deps) },
      { ...input, createdBy },
    );
    await audit(
      c,
      caller,
      deps,
      {
        action: 'webhooks.replay_started',
        target: { type: 'replay', id: replay.id },
        details: { tenantId: replay.tenantId, from: replay.from, to: replay.to },
      },
      { tenantIds: [replay.tenantId], platform: true },
    );
    return c.json(viewOf(replay), 202);
  },
  'admin.replays.list': async ({ c, deps, query, cursors }) => {
    const page = await new ReplayRepo(deps.db).list(
      query.limit,
      await cursors.read(indexPositionSchema),
    );
    return c.json({ items: page.items.map(viewOf), nextCursor: await cursors.next(page.next) });
  },
  'admin.replays.get': async ({ c, deps, params }) => {
    const replay = await new ReplayRepo(deps.db).get(params.id);
    if (!replay) throw new NotFoundError('Replay');
    return c.json(viewOf(replay));
  },
} satisfies Partial<HandlerTable>;

import type { Context } from 'hono';
import { audit } from '../../engine/http/audit';
import { assetUrlSigner } from '../../engine/http/public-urls';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import type { TenantData } from '../../engine/data/tenant-data';
import { emitConversationUpdated } from '../live/live-events';
import { conversationView } from '../messaging/conversation-view';
import type { ConversationWithCustomer } from '../messaging/inbox.service';
import { MEDIA_URL_TTL_SECONDS } from '../messaging/media/media-keys';
import { labelsChangedEvent } from '../workspace/workspace-views';
import { setChannelAutoAssignment } from './auto-assign.service';
import { getAvailability, setAvailability } from './availability.service';
import { bulkConversations, type BulkChange } from './bulk.service';
import { snoozeConversation, unsnoozeConversation } from './snooze.service';

// Snooze, bulk actions, availability and the per-channel auto-assignment setting. Each write
// emits `conversation.updated` once it succeeded (change `snoozed`, `unsnoozed`, or the bulk
// action's own: `assigned`, `closed`, `labels`, …).

const signerOf = (c: Context, deps: AppDeps) => assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS);

async function emitChange(
  deps: AppDeps,
  data: TenantData,
  row: ConversationWithCustomer,
  change: BulkChange,
  view: Awaited<ReturnType<typeof conversationView>>,
): Promise<void> {
  if (change.kind === 'labels') {
    await deps.events.emit(
      data.tenantId,
      labelsChangedEvent(view, change.labelsVersion, nowOf(deps)),
    );
    return;
  }
  await emitConversationUpdated(deps.events, data, row.conversation, change.change, change.key);
}

export const assignmentHandlers = {
  'conversations.snooze': async ({ c, caller, deps, params, body }) => {
    const { data, userId } = tenantOf(caller);
    const now = nowOf(deps);
    const row = await snoozeConversation(data, params.id, await body(), userId, now);
    await emitConversationUpdated(
      deps.events,
      data,
      row.conversation,
      'snoozed',
      row.conversation.snooze?.snoozedAt ?? now.toISOString(),
    );
    return c.json(await conversationView(row.conversation, row.customer, signerOf(c, deps)));
  },
  'conversations.unsnooze': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const row = await unsnoozeConversation(data, params.id);
    await emitConversationUpdated(
      deps.events,
      data,
      row.conversation,
      'unsnoozed',
      nowOf(deps).toISOString(),
    );
    return c.json(await conversationView(row.conversation, row.customer, signerOf(c, deps)));
  },
  'conversations.bulk': async ({ c, caller, deps, body }) => {
    const { data, userId } = tenantOf(caller);
    const request = await body();
    const rows = await bulkConversations(data, request, { userId, now: nowOf(deps) });
    const sign = signerOf(c, deps);
    const results = [];
    for (const row of rows) {
      if (!row.ok) {
        results.push({ id: row.id, ok: false, error: row.error });
        continue;
      }
      const view = await conversationView(row.result.conversation, row.result.customer, sign);
      await emitChange(deps, data, row.result, row.change, view);
      results.push({ id: row.id, ok: true, conversation: view });
    }
    const succeeded = results.filter((r) => r.ok).length;
    return c.json({
      action: request.action,
      results,
      succeeded,
      failed: results.length - succeeded,
    });
  },
  'users.availability.get': async ({ c, caller }) => {
    const { data, userId } = tenantOf(caller);
    return c.json(await getAvailability(data, userId));
  },
  'users.availability.set': async ({ c, caller, deps, body }) => {
    const { data, userId } = tenantOf(caller);
    const { available } = await body();
    return c.json(await setAvailability(data, userId, available, nowOf(deps)));
  },
  'channels.autoAssignment.set': async ({ c, caller, deps, params, body }) => {
    const request = await body();
    const channel = await setChannelAutoAssignment(tenantOf(caller).data, params.id, request);
    await audit(c, caller, deps, {
      action: 'channel.auto_assignment_changed',
      target: { type: 'channel', id: channel.id },
      details: {
        enabled: channel.autoAssignment.enabled,
        memberIds: channel.autoAssignment.memberIds.join(','),
      },
    });
    return c.json(channel);
  },
} satisfies Partial<HandlerTable>;

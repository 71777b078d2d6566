import { z } from 'zod';
import type { HandlerTable } from '../../engine/http/route-handler';
import { assetUrlSigner } from '../../engine/http/public-urls';
import { tenantOf } from '../../engine/http/tenant-caller';
import { conversationView } from './conversation-view';
import { MEDIA_URL_TTL_SECONDS } from './media/media-keys';
import { messageViews } from './media/media-view';
import { getConversation, listInbox, listThread, markConversationRead } from './inbox.service';
import { outboundDepsOf } from './outbound-deps';
import { sendReadReceipt, showTyping } from './receipts.service';
import { emitConversationUpdated } from '../live/live-events';

// Cursors carry sort-key values only: the tenant's keys are rebuilt by the repository.
const inboxCursor = z.object({ id: z.string().min(1).max(64), at: z.string().min(1).max(128) });
const messagesCursor = z.object({ before: z.string().startsWith('MSG#').max(512) });

export const conversationHandlers = {
  'conversations.list': async ({ c, caller, deps, query, cursors }) => {
    const { data, userId } = tenantOf(caller);
    const page = await listInbox(
      data,
      {
        limit: query.limit,
        after: await cursors.read(inboxCursor),
        channel: query.channel,
        status: query.status,
        unread: query.unread === 'true',
        assigned: query.assigned,
        label: query.label,
      },
      userId,
    );
    const sign = assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS);
    return c.json({
      items: await Promise.all(
        page.items.map((row) => conversationView(row.conversation, row.customer, sign)),
      ),
      nextCursor: await cursors.next(page.next),
    });
  },
  'conversations.get': async ({ c, caller, deps, params }) => {
    const { conversation, customer } = await getConversation(tenantOf(caller).data, params.id);
    return c.json(
      await conversationView(
        conversation,
        customer,
        assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS),
      ),
    );
  },
  'conversations.read': async ({ c, caller, deps, params }) => {
    const { data } = tenantOf(caller);
    const { conversation, customer } = await markConversationRead(data, params.id);
    await emitConversationUpdated(
      deps.events,
      data,
      conversation,
      'read',
      conversation.lastReadAt ?? 'none',
    );
    // Best effort: Meta refusing the receipt does not undo the read.
    await sendReadReceipt(outboundDepsOf(deps), data, conversation);
    return c.json(
      await conversationView(
        conversation,
        customer,
        assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS),
      ),
    );
  },
  'conversations.typing': async ({ c, caller, deps, params }) => {
    await showTyping(outboundDepsOf(deps), tenantOf(caller).data, params.id);
    return c.body(null, 204);
  },
  'conversations.messages': async ({ c, caller, deps, params, query, cursors }) => {
    const { data } = tenantOf(caller);
    const cursor = await cursors.read(messagesCursor);
    const page = await listThread(data, params.id, query.limit, cursor?.before);
    return c.json({
      items: await messageViews(page.items, assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS)),
      nextCursor: await cursors.next(page.nextBefore ? { before: page.nextBefore } : null),
    });
  },
} satisfies Partial<HandlerTable>;

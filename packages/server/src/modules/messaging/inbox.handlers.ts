import { z } from 'zod';
import type { Context } from 'hono';
import type { AppDeps, HandlerTable, RouteRequest } from '../../engine/http/route-handler';
import { assetUrlSigner } from '../../engine/http/public-urls';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import type { ConversationStatus } from './conversation.repo';
import { conversationSummaryView, conversationView, customerRecordView } from './conversation-view';
import { MEDIA_URL_TTL_SECONDS } from './media/media-keys';
import { messageViews } from './media/media-view';
import { customerProfile } from '../contacts/customer-profile.service';
import { phoneReader } from '../contacts/contact.service';
import {
  assignConversation,
  setConversationStatus,
  type ConversationWithCustomer,
} from './inbox.service';
import { emitConversationUpdated } from '../live/live-events';

// Conversation actions an agent takes in the inbox (assign, close, reopen; read and typing, which
// reach Meta, are in conversations.handlers.ts) and the customer
// directory (search, profile with every identity and the timeline across channels).

/** List: the last customer id; search: the plan's prefix (`i`) and the last index key read. */
const customersCursor = z.object({
  after: z.string().min(1).max(400).optional(),
  i: z
    .string()
    .regex(/^[0-3]$/)
    .optional(),
});
const timelineCursor = z.object({ before: z.string().startsWith('MSG#').max(512) });

/** Signed URLs of attachments and avatars, for one request. */
const signerOf = (c: Context, deps: AppDeps) => assetUrlSigner(c, deps, MEDIA_URL_TTL_SECONDS);

const view = (c: Context, deps: AppDeps, { conversation, customer }: ConversationWithCustomer) =>
  conversationView(conversation, customer, signerOf(c, deps));

function statusHandler(status: ConversationStatus) {
  return async ({
    c,
    caller,
    deps,
    params,
  }: RouteRequest<'conversations.close' | 'conversations.reopen'>) => {
    const { data } = tenantOf(caller);
    const at = nowOf(deps).toISOString();
    const result = await setConversationStatus(data, params.id, status, nowOf(deps));
    const closed = status === 'closed';
    await emitConversationUpdated(
      deps.events,
      data,
      result.conversation,
      closed ? 'closed' : 'reopened',
      closed ? (result.conversation.closedAt ?? at) : at,
    );
    return c.json(await view(c, deps, result));
  };
}

export const inboxHandlers = {
  'conversations.assign': async ({ c, caller, deps, params, body }) => {
    const { userId } = await body();
    const { data } = tenantOf(caller);
    const result = await assignConversation(data, params.id, userId, nowOf(deps));
    const { assigneeId, assignedAt } = result.conversation;
    await emitConversationUpdated(
      deps.events,
      data,
      result.conversation,
      'assigned',
      `${assigneeId ?? 'nobody'}@${assignedAt ?? nowOf(deps).toISOString()}`,
    );
    return c.json(await view(c, deps, result));
  },
  'conversations.close': statusHandler('closed'),
  'conversations.reopen': statusHandler('open'),
  'customers.search': async ({ c, caller, deps, query, cursors }) => {
    const { data } = tenantOf(caller);
    const cursor = await cursors.read(customersCursor);
    const text = query.search ?? '';
    // A phone typed in any format is read in the workspace's default country (one more read).
    const toE164 = /\d/.test(text) ? await phoneReader(data) : () => undefined;
    const from = cursor
      ? { after: cursor.after, i: cursor.i ? Number(cursor.i) : undefined }
      : undefined;
    const page = await data.customers.search(text, query.limit, from, toE164);
    const sign = signerOf(c, deps);
    return c.json({
      items: await Promise.all(page.items.map((customer) => customerRecordView(customer, sign))),
      nextCursor: await cursors.next(
        page.next
          ? {
              ...(page.next.after ? { after: page.next.after } : {}),
              ...(page.next.i !== undefined ? { i: String(page.next.i) } : {}),
            }
          : null,
      ),
    });
  },
  'customers.get': async ({ c, caller, deps, params, query, cursors }) => {
    const cursor = await cursors.read(timelineCursor);
    const profile = await customerProfile(
      tenantOf(caller).data,
      params.id,
      query.limit,
      cursor?.before,
    );
    const sign = signerOf(c, deps);
    return c.json({
      ...(await customerRecordView(profile.customer, sign)),
      leadIds: profile.leadIds,
      conversations: profile.conversations.map(conversationSummaryView),
      timeline: {
        items: await messageViews(profile.timeline.items, sign),
        nextCursor: await cursors.next(
          profile.timeline.nextBefore ? { before: profile.timeline.nextBefore } : null,
        ),
      },
    });
  },
} satisfies Partial<HandlerTable>;

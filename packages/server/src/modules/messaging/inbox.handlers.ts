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
import {
  assignConversation,
  customerProfile,
  setConversationStatus,
  type ConversationWithCustomer,
} from './inbox.service';

// Conversation actions an agent takes in the inbox (assign, close, reopen; read and typing, which
// reach Meta, are in conversations.handlers.ts) and the customer
// directory (search, profile with every identity and the timeline across channels).

const customersCursor = z.object({ after: z.string().min(1).max(160) });
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
  }: RouteRequest<'conversations.close' | 'conversations.reopen'>) =>
    c.json(
      await view(
        c,
        deps,
        await setConversationStatus(tenantOf(caller).data, params.id, status, nowOf(deps)),
      ),
    );
}

export const inboxHandlers = {
  'conversations.assign': async ({ c, caller, deps, params, body }) => {
    const { userId } = await body();
    return c.json(
      await view(
        c,
        deps,
        await assignConversation(tenantOf(caller).data, params.id, userId, nowOf(deps)),
      ),
    );
  },
  'conversations.close': statusHandler('closed'),
  'conversations.reopen': statusHandler('open'),
  'customers.search': async ({ c, caller, deps, query, cursors }) => {
    const { data } = tenantOf(caller);
    const cursor = await cursors.read(customersCursor);
    const page = await data.customers.search(query.search ?? '', query.limit, cursor?.after);
    const sign = signerOf(c, deps);
    return c.json({
      items: await Promise.all(page.items.map((customer) => customerRecordView(customer, sign))),
      nextCursor: await cursors.next(page.lastId ? { after: page.lastId } : null),
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

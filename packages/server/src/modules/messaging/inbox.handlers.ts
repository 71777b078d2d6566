import { z } from 'zod';
import type { HandlerTable, RouteRequest } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import type { ConversationStatus } from './conversation.repo';
import { conversationView, messageView } from './conversation-view';
import {
  assignConversation,
  customerProfile,
  markConversationRead,
  setConversationStatus,
  type ConversationWithCustomer,
} from './inbox.service';

// Conversation actions an agent takes in the inbox (read, assign, close, reopen) and the customer
// directory (search, profile with every identity and the timeline across channels).

const customersCursor = z.object({ after: z.string().min(1).max(160) });
const timelineCursor = z.object({ before: z.string().startsWith('MSG#').max(512) });

const view = ({ conversation, customer }: ConversationWithCustomer) =>
  conversationView(conversation, customer);

function statusHandler(status: ConversationStatus) {
  return async ({
    c,
    caller,
    deps,
    params,
  }: RouteRequest<'conversations.close' | 'conversations.reopen'>) =>
    c.json(
      view(await setConversationStatus(tenantOf(caller).data, params.id, status, nowOf(deps))),
    );
}

export const inboxHandlers = {
  'conversations.read': async ({ c, caller, params }) =>
    c.json(view(await markConversationRead(tenantOf(caller).data, params.id))),
  'conversations.assign': async ({ c, caller, deps, params, body }) => {
    const { userId } = await body();
    return c.json(
      view(await assignConversation(tenantOf(caller).data, params.id, userId, nowOf(deps))),
    );
  },
  'conversations.close': statusHandler('closed'),
  'conversations.reopen': statusHandler('open'),
  'customers.search': async ({ c, caller, query, cursors }) => {
    const { data } = tenantOf(caller);
    const cursor = await cursors.read(customersCursor);
    const page = await data.customers.search(query.search ?? '', query.limit, cursor?.after);
    return c.json({
      items: page.items,
      nextCursor: await cursors.next(page.lastId ? { after: page.lastId } : null),
    });
  },
  'customers.get': async ({ c, caller, params, query, cursors }) => {
    const cursor = await cursors.read(timelineCursor);
    const profile = await customerProfile(
      tenantOf(caller).data,
      params.id,
      query.limit,
      cursor?.before,
    );
    return c.json({
      ...profile.customer,
      leadIds: profile.leadIds,
      conversations: profile.conversations.map((conv) => {
        const { customer: _customer, ...rest } = conversationView(conv);
        return rest;
      }),
      timeline: {
        items: profile.timeline.items.map(messageView),
        nextCursor: await cursors.next(
          profile.timeline.nextBefore ? { before: profile.timeline.nextBefore } : null,
        ),
      },
    });
  },
} satisfies Partial<HandlerTable>;

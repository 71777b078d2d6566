import { listConversationsQuerySchema, listMessagesQuerySchema } from '@switchboard/contracts';
import { z } from 'zod';
import type { Conversation } from './conversation.repo';
import type { Customer } from './customer.repo';
import { keys } from '../../engine/data/keys';
import type { StoredMessage } from './message.repo';
import { AppError, NotFoundError } from '../../engine/errors';
import type { HandlerTable } from '../../engine/http/app';
import { decodeCursor, encodeCursor, parseQuery } from '../../engine/http/validate';
import { tenantOf } from '../../engine/http/tenant-caller';

const inboxCursor = z.object({ id: z.string().min(1).max(64), at: z.string().min(1).max(128) });
const messagesCursor = z.object({ before: z.string().startsWith('MSG#').max(512) });

export function customerView(customerId: string, customer?: Customer) {
  return {
    id: customerId,
    name: customer?.name,
    phone: customer?.phone,
    identities: customer?.identities ?? {},
  };
}

export function conversationView(conversation: Conversation, customer?: Customer) {
  const { customerId, ...rest } = conversation;
  return { ...rest, customer: customerView(customerId, customer) };
}

export function messageView(message: StoredMessage) {
  return message;
}

export const conversationHandlers = {
  'conversations.list': async (c, caller) => {
    const { data, userId } = tenantOf(caller);
    const query = parseQuery(c, listConversationsQuerySchema);
    if (query.assigned === 'me' && !userId) {
      throw new AppError('bad_request', 'assigned=me needs a signed-in user, not an API key.', {
        param: 'assigned',
      });
    }
    const cursor = decodeCursor(query.cursor, inboxCursor);
    // The cursor carries sort-key values only; the tenant's keys are rebuilt here, never taken from it.
    const startKey = cursor && {
      ...keys.conversation(data.tenantId, cursor.id),
      GSI1PK: keys.inboxPk(data.tenantId),
      GSI1SK: cursor.at,
    };
    const page = await data.conversations.listInbox(query.limit, startKey, {
      channel: query.channel,
      status: query.status,
      unread: query.unread === 'true',
      assigneeId: query.assigned === 'me' ? userId : undefined,
      unassigned: query.assigned === 'none',
    });
    const customers = await data.customers.getMany(page.items.map((conv) => conv.customerId));
    const last = page.lastKey;
    return c.json({
      items: page.items.map((conv) => conversationView(conv, customers.get(conv.customerId))),
      nextCursor: last
        ? encodeCursor({ id: String(last.SK).slice('CONV#'.length), at: String(last.GSI1SK) })
        : null,
    });
  },
  'conversations.get': async (c, caller) => {
    const { data } = tenantOf(caller);
    const conversation = await data.conversations.get(c.req.param('id') ?? '');
    if (!conversation) throw new NotFoundError('Conversation');
    const customer = await data.customers.get(conversation.customerId);
    return c.json(conversationView(conversation, customer));
  },
  'conversations.messages': async (c, caller) => {
    const { data } = tenantOf(caller);
    const query = parseQuery(c, listMessagesQuerySchema);
    const conversation = await data.conversations.get(c.req.param('id') ?? '');
    if (!conversation) throw new NotFoundError('Conversation');
    const cursor = decodeCursor(query.cursor, messagesCursor);
    const page = await data.messages.listForConversation(
      conversation.customerId,
      conversation.channelId,
      query.limit,
      cursor?.before,
    );
    return c.json({
      items: page.items.map(messageView),
      nextCursor: page.nextBefore ? encodeCursor({ before: page.nextBefore }) : null,
    });
  },
} satisfies Partial<HandlerTable>;

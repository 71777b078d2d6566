import {
  assignConversationRequestSchema,
  customerDetailQuerySchema,
  searchCustomersQuerySchema,
} from '@switchboard/contracts';
import type { Context } from 'hono';
import { z } from 'zod';
import { conversationIdOf, type ConversationStatus } from './conversation.repo';
import { AppError, NotFoundError } from '../../engine/errors';
import type { AppDeps, HandlerTable } from '../../engine/http/app';
import type { Caller } from '../../engine/http/auth-context';
import { decodeCursor, encodeCursor, parseJsonBody, parseQuery } from '../../engine/http/validate';
import { conversationView, messageView } from './conversations.handlers';
import { tenantOf } from '../../engine/http/tenant-caller';

// Conversation actions an agent takes in the inbox (read, assign, close, reopen) and the customer
// directory (search, profile with every identity and the timeline across channels).

const customersCursor = z.object({ after: z.string().min(1).max(160) });
const timelineCursor = z.object({ before: z.string().startsWith('MSG#').max(512) });

async function respondWithConversation(c: Context, caller: Caller, conversationId: string) {
  const { data } = tenantOf(caller);
  const conversation = await data.conversations.get(conversationId);
  if (!conversation) throw new NotFoundError('Conversation');
  const customer = await data.customers.get(conversation.customerId);
  return c.json(conversationView(conversation, customer));
}

function setStatus(status: ConversationStatus) {
  return async (c: Context, caller: Caller, deps: AppDeps) => {
    const { data } = tenantOf(caller);
    const id = c.req.param('id') ?? '';
    const at = (deps.now?.() ?? new Date()).toISOString();
    const updated = await data.conversations.setStatus(id, status, at);
    if (!updated) throw new NotFoundError('Conversation');
    return respondWithConversation(c, caller, id);
  };
}

export const inboxHandlers = {
  'conversations.read': async (c, caller) => {
    const { data } = tenantOf(caller);
    const id = c.req.param('id') ?? '';
    if (!(await data.conversations.markRead(id))) throw new NotFoundError('Conversation');
    return respondWithConversation(c, caller, id);
  },
  'conversations.assign': async (c, caller, deps) => {
    const { data } = tenantOf(caller);
    const id = c.req.param('id') ?? '';
    const body = await parseJsonBody(c, assignConversationRequestSchema);
    if (!(await data.conversations.get(id))) throw new NotFoundError('Conversation');
    if (body.userId !== null && !(await data.members.get(body.userId))) {
      throw new AppError('invalid_parameter', 'The assignee is not a member of this workspace.', {
        param: 'userId',
      });
    }
    const at = (deps.now?.() ?? new Date()).toISOString();
    if (!(await data.conversations.assign(id, body.userId, at))) {
      throw new NotFoundError('Conversation');
    }
    return respondWithConversation(c, caller, id);
  },
  'conversations.close': setStatus('closed'),
  'conversations.reopen': setStatus('open'),
  'customers.search': async (c, caller) => {
    const { data } = tenantOf(caller);
    const query = parseQuery(c, searchCustomersQuerySchema);
    const cursor = decodeCursor(query.cursor, customersCursor);
    const page = await data.customers.search(query.search ?? '', query.limit, cursor?.after);
    return c.json({
      items: page.items,
      nextCursor: page.lastId ? encodeCursor({ after: page.lastId }) : null,
    });
  },
  'customers.get': async (c, caller) => {
    const { data } = tenantOf(caller);
    const query = parseQuery(c, customerDetailQuerySchema);
    const cursor = decodeCursor(query.cursor, timelineCursor);
    const customer = await data.customers.get(c.req.param('id') ?? '');
    if (!customer) throw new NotFoundError('Customer');
    const channels = await data.channels.list();
    const [conversations, timeline, leadIds] = await Promise.all([
      data.conversations.getMany(channels.map((ch) => conversationIdOf(ch.id, customer.id))),
      data.messages.listForCustomer(customer.id, query.limit, cursor?.before),
      data.contacts.leadIdsOf(customer.id),
    ]);
    return c.json({
      ...customer,
      leadIds,
      conversations: conversations
        .sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt))
        .map((conv) => {
          const { customer: _customer, ...view } = conversationView(conv);
          return view;
        }),
      timeline: {
        items: timeline.items.map(messageView),
        nextCursor: timeline.nextBefore ? encodeCursor({ before: timeline.nextBefore }) : null,
      },
    });
  },
} satisfies Partial<HandlerTable>;

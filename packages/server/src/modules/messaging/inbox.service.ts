import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import {
  type Conversation,
  type ConversationStatus,
  type InboxFilter,
  type InboxPosition,
} from './conversation.repo';
import type { Customer } from './customer.repo';
import type { StoredMessage } from './message.repo';

// The inbox as agents use it: pages of conversations, a thread, the actions on a conversation
// (read, assign, close, reopen) and the customer directory. Every call works on one tenant's data.

export type InboxQuery = {
  limit: number;
  after?: InboxPosition;
  channel?: 'whatsapp' | 'instagram';
  /** `snoozed`: open with a snooze in effect; `open` leaves those out. */
  status?: ConversationStatus | 'snoozed';
  unread?: boolean;
  assigned?: 'me' | 'none';
  /** A label id; one that no longer exists matches nothing. */
  label?: string;
};

export type ConversationWithCustomer = { conversation: Conversation; customer?: Customer };

export async function listInbox(
  data: TenantData,
  query: InboxQuery,
  userId: string | undefined,
): Promise<{ items: ConversationWithCustomer[]; next?: InboxPosition }> {
  if (query.assigned === 'me' && !userId) {
    throw new AppError('bad_request', 'assigned=me needs a signed-in user, not an API key.', {
      param: 'assigned',
    });
  }
  const filter: InboxFilter = {
    channel: query.channel,
    status: query.status === 'snoozed' ? 'open' : query.status,
    snoozed: query.status === 'snoozed' ? true : query.status === 'open' ? false : undefined,
    unread: query.unread,
    assigneeId: query.assigned === 'me' ? userId : undefined,
    unassigned: query.assigned === 'none',
    labelId: query.label,
  };
  if (query.label && !(await data.labels.get(query.label))) return { items: [] };
  const page = await data.conversations.listInbox(query.limit, query.after, filter);
  const customers = await data.customers.getMany(page.items.map((conv) => conv.customerId));
  return {
    items: page.items.map((conversation) => ({
      conversation,
      customer: customers.get(conversation.customerId),
    })),
    next: page.next,
  };
}

export async function getConversation(
  data: TenantData,
  conversationId: string,
): Promise<ConversationWithCustomer> {
  const conversation = await data.conversations.get(conversationId);
  if (!conversation) throw new NotFoundError('Conversation');
  return { conversation, customer: await data.customers.get(conversation.customerId) };
}

export async function listThread(
  data: TenantData,
  conversationId: string,
  limit: number,
  before?: string,
): Promise<{ items: StoredMessage[]; nextBefore?: string }> {
  const conversation = await data.conversations.get(conversationId);
  if (!conversation) throw new NotFoundError('Conversation');
  return data.messages.listForConversation(conversation, limit, before);
}

export async function markConversationRead(
  data: TenantData,
  conversationId: string,
): Promise<ConversationWithCustomer> {
  if (!(await data.conversations.markRead(conversationId))) {
    throw new NotFoundError('Conversation');
  }
  return getConversation(data, conversationId);
}

/** Assigns to a member of the workspace (or unassigns with null). */
export async function assignConversation(
  data: TenantData,
  conversationId: string,
  assigneeId: string | null,
  at: Date,
): Promise<ConversationWithCustomer> {
  if (!(await data.conversations.get(conversationId))) throw new NotFoundError('Conversation');
  if (assigneeId !== null && !(await data.members.get(assigneeId))) {
    throw new AppError('invalid_parameter', 'The assignee is not a member of this workspace.', {
      param: 'userId',
    });
  }
  if (!(await data.conversations.assign(conversationId, assigneeId, at.toISOString()))) {
    throw new NotFoundError('Conversation');
  }
  return getConversation(data, conversationId);
}

export async function setConversationStatus(
  data: TenantData,
  conversationId: string,
  status: ConversationStatus,
  at: Date,
): Promise<ConversationWithCustomer> {
  const updated = await data.conversations.setStatus(conversationId, status, at.toISOString());
  if (!updated) throw new NotFoundError('Conversation');
  return getConversation(data, conversationId);
}

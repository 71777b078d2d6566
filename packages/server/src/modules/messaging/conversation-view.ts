import type { Conversation } from './conversation.repo';
import type { Customer } from './customer.repo';
import type { StoredMessage } from './message.repo';
import { messageView as signedMessageView, type SignMediaUrl } from './media/media-view';

// How conversations, their customers and messages look through the API (the contracts'
// conversationSchema, customerSummarySchema, customerSchema and messageSchema). Blob keys never
// leave: attachments and avatars are shown as short-lived signed URLs (`sign`, made by the HTTP
// layer), so every view that may hold one is async.

export type { SignMediaUrl };

export async function customerView(
  customerId: string,
  customer: Customer | undefined,
  sign: SignMediaUrl,
) {
  return {
    id: customerId,
    name: customer?.name,
    phone: customer?.phone,
    identities: customer?.identities ?? {},
    username: customer?.username,
    avatarUrl: customer?.avatarKey ? await sign(customer.avatarKey) : undefined,
  };
}

/** A customer record (the directory, a customer's page): the summary and what leads added. */
export async function customerRecordView(customer: Customer, sign: SignMediaUrl) {
  return {
    ...(await customerView(customer.id, customer, sign)),
    email: customer.email,
    company: customer.company,
    mergedInto: customer.mergedInto,
    mergedFrom: customer.mergedFrom,
    attributes: customer.attributes,
    tags: customer.tags,
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
  };
}

export async function conversationView(
  conversation: Conversation,
  customer: Customer | undefined,
  sign: SignMediaUrl,
) {
  const { customerId, formerCustomerIds: _former, ...rest } = conversation;
  return { ...rest, customer: await customerView(customerId, customer, sign) };
}

/** A conversation without its customer (a customer's page lists their conversations). */
export function conversationSummaryView(conversation: Conversation) {
  const { customerId: _customerId, formerCustomerIds: _former, ...rest } = conversation;
  return rest;
}

export function messageView(message: StoredMessage, sign: SignMediaUrl) {
  return signedMessageView(message, sign);
}

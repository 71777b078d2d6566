import type { Conversation } from './conversation.repo';
import type { Customer } from './customer.repo';
import type { StoredMessage } from './message.repo';

// How conversations, their customers and messages look through the API (the contracts'
// conversationSchema, customerSummarySchema and messageSchema).

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

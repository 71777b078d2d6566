import type { TenantData } from '../../engine/data/tenant-data';
import { NotFoundError } from '../../engine/errors';
import { conversationIdOf } from '../messaging/conversation.repo';
import type { Customer } from '../messaging/customer.repo';
import type { StoredMessage } from '../messaging/message.repo';

// A customer's page: the record, their conversations on every channel, leads, and one timeline
// across channels. A contact others were merged into also shows theirs: its timeline reads its
// own message partition and each merged one's (k Query requests per page, k = 1 + merged), in
// one order (message sort keys are `MSG#<timestamp>#<id>`, so one `before` key pages them all).

export type CustomerProfile = {
  customer: Customer;
  conversations: Awaited<ReturnType<TenantData['conversations']['getMany']>>;
  timeline: { items: StoredMessage[]; nextBefore?: string };
  leadIds: string[];
};

const messageSk = (m: StoredMessage) => `MSG#${m.timestamp}#${m.id}`;

export async function customerProfile(
  data: TenantData,
  customerId: string,
  limit: number,
  before?: string,
): Promise<CustomerProfile> {
  const customer = await data.customers.get(customerId);
  if (!customer) throw new NotFoundError('Customer');
  const people = [customer.id, ...(customer.mergedFrom ?? [])];
  const [channels, merged] = await Promise.all([
    data.channels.list(),
    customer.mergedFrom?.length
      ? data.customers.getMany(customer.mergedFrom, { followMerges: false })
      : Promise.resolve(new Map<string, Customer>()),
  ]);
  const [conversations, pages] = await Promise.all([
    data.conversations.getMany(
      people.flatMap((id) => channels.map((ch) => conversationIdOf(ch.id, id))),
    ),
    Promise.all(people.map((id) => data.messages.listForCustomer(id, limit, before))),
  ]);
  conversations.sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt));
  const all = pages
    .flatMap((p) => p.items)
    .sort((a, b) => messageSk(b).localeCompare(messageSk(a)));
  const items = all.slice(0, limit);
  const more = all.length > limit || pages.some((p) => p.nextBefore !== undefined);
  const last = items[items.length - 1];
  // Leads of the merged contacts too (a lead that arrived on one after the merge included).
  const leadIds = new Set(customer.leadIds ?? []);
  for (const other of merged.values()) for (const id of other.leadIds ?? []) leadIds.add(id);
  return {
    customer,
    conversations,
    timeline: { items, nextBefore: more && last ? messageSk(last) : undefined },
    leadIds: [...leadIds].sort(),
  };
}

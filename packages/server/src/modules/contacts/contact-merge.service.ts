import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { conversationIdOf, type Conversation } from '../messaging/conversation.repo';
import type { Customer } from '../messaging/customer.repo';

// Merging one contact into another: one person, one timeline (for example the same person's
// WhatsApp and Instagram). No message moves: the source becomes a pointer (`mergedInto`), the
// target takes its identities and fields and lists it in `mergedFrom`, and the target's page
// reads the message partitions and conversations of both. From then on the message processor
// follows the pointer, so new messages on the source's identity land on the target.
//
// Like Chatwoot, the source's conversations and leads move to the target: their contact becomes
// the target (a conversation keeps its id, so the identity's next message continues it, and its
// thread also reads the partitions it came from).
//
// Every step is idempotent and the steps run in an order a crash can resume from: the merge
// record (claimed once per source), the target's absorb (conditional on the identities read),
// the pointer, the pointers of contacts merged into the source earlier, the e-mail key, the
// conversations, the leads. Merging the same source again runs every step after the absorb
// again, so it completes a merge that crashed halfway, and answers the same result.

export type MergeResult = {
  contact: Customer;
  sourceId: string;
  mergedAt: string;
  /** True when this source was already merged into this target (nothing new happened). */
  replay: boolean;
  /** Every conversation of the source (and those merged into it), now the target's. */
  conversations: Conversation[];
};

const ABSORB_ATTEMPTS = 3;

function mergedError(param: 'id' | 'sourceId', into: string): AppError {
  return new AppError('contact_merged', `That contact was merged into ${into}.`, {
    param,
    contactId: into,
  });
}

/** A channel on which both have an identity, and they differ: two people, or a mistake. */
function identityClash(target: Customer, source: Customer): string | undefined {
  return (['whatsapp', 'instagram'] as const).find(
    (ch) =>
      target.identities[ch] !== undefined &&
      source.identities[ch] !== undefined &&
      target.identities[ch] !== source.identities[ch],
  );
}

function clashError(channel: string): AppError {
  return new AppError(
    'merge_conflict',
    `Both contacts have their own ${channel === 'whatsapp' ? 'WhatsApp number' : 'Instagram account'}.`,
    { param: 'sourceId', channel },
  );
}

export async function mergeContacts(
  data: TenantData,
  targetId: string,
  sourceId: string,
  at: string,
  by?: string,
): Promise<MergeResult> {
  if (targetId === sourceId) {
    throw new AppError('invalid_parameter', 'A contact cannot be merged into itself.', {
      param: 'sourceId',
    });
  }
  const [target, source] = await Promise.all([
    data.customers.get(targetId),
    data.customers.get(sourceId),
  ]);
  if (!target || !source) throw new NotFoundError('Customer');
  // Merging into a contact that was merged itself would make a chain: answer where it went.
  if (target.mergedInto) throw mergedError('id', target.mergedInto);
  if (source.mergedInto && source.mergedInto !== targetId) {
    throw mergedError('sourceId', source.mergedInto);
  }
  const absorbed = target.mergedFrom?.includes(sourceId) ?? false;
  if (!absorbed) {
    const clash = identityClash(target, source);
    if (clash) throw clashError(clash);
  }

  const { claimed, merge } = await data.contactMerges.claim({
    sourceId,
    targetId,
    mergedAt: at,
    by,
  });
  if (merge.targetId !== targetId) throw mergedError('sourceId', merge.targetId);

  let contact = target;
  if (!absorbed) {
    let expected: Customer | undefined = target;
    let done: Customer | undefined;
    for (let attempt = 0; attempt < ABSORB_ATTEMPTS && expected && !done; attempt++) {
      done = await data.customers.absorb(expected, source, at);
      if (done) break;
      expected = await data.customers.get(targetId);
      const clash = expected && !expected.mergedInto && identityClash(expected, source);
      if (!expected || expected.mergedInto || clash) {
        if (claimed) await data.contactMerges.release(sourceId, targetId);
        if (!expected) throw new NotFoundError('Customer');
        if (expected.mergedInto) throw mergedError('id', expected.mergedInto);
        throw clashError(clash as string);
      }
    }
    if (!done) throw new AppError('conflict', 'The contact kept changing; try the merge again.');
    contact = done;
  }

  if (!(await data.customers.pointTo(sourceId, targetId, at))) {
    throw new AppError('conflict', 'The other contact changed meanwhile; try the merge again.');
  }
  // Contacts merged into the source earlier now point at the target (one hop, never a chain).
  for (const earlier of source.mergedFrom ?? []) {
    await data.customers.pointTo(earlier, targetId, at, sourceId);
  }
  if (source.email && (await data.contacts.emailOwner(source.email)) === sourceId) {
    await data.contacts.repointEmail(source.email, sourceId, targetId);
  }
  const conversations = await moveConversations(data, source, targetId);
  await moveLeads(data, source, targetId);
  return {
    contact,
    sourceId,
    mergedAt: merge.mergedAt,
    replay: !claimed && absorbed,
    conversations,
  };
}

/** The source's conversations, one per channel and merged person, become the target's. */
async function moveConversations(
  data: TenantData,
  source: Customer,
  targetId: string,
): Promise<Conversation[]> {
  const people = [source.id, ...(source.mergedFrom ?? [])];
  const channels = await data.channels.list();
  const found = await data.conversations.getMany(
    people.flatMap((id) => channels.map((ch) => conversationIdOf(ch.id, id))),
  );
  const moved: Conversation[] = [];
  for (const conversation of found) {
    if (conversation.customerId !== targetId) {
      const from = conversation.customerId;
      if (!(await data.conversations.repointCustomer(conversation.id, [from], targetId))) continue;
      const former = new Set([...(conversation.formerCustomerIds ?? []), from]);
      moved.push({ ...conversation, customerId: targetId, formerCustomerIds: [...former].sort() });
    } else {
      moved.push(conversation);
    }
  }
  return moved;
}

/** The source's leads (it took those of contacts merged into it) now name the target. */
async function moveLeads(data: TenantData, source: Customer, targetId: string): Promise<void> {
  const from = [source.id, ...(source.mergedFrom ?? [])];
  for (const leadId of source.leadIds ?? []) {
    await data.leads.repointCustomer(leadId, from, targetId);
  }
  // The source's open lead becomes the target's when it has none: the next submission with the
  // source's phone or e-mail joins it rather than starting another.
  const open = await data.contacts.openLead(source.id);
  if (open) await data.contacts.claimOpenLead(targetId, open);
}

import type { TenantData } from '../../engine/data/tenant-data';
import { NotFoundError } from '../../engine/errors';
import { stableId } from '../../engine/ids';
import type { Lead } from '../leads/lead.repo';
import type { LeadSubmitted } from '../leads/lead-events';
import { mergeForCustomer } from '../leads/lead-merge.service';
import type { Customer } from '../messaging/customer.repo';

// `POST /conversations/{id}/lead`: the conversation's contact becomes a lead (source
// `conversation`) through the leads module's own merge, as if the contact had submitted a form:
// it joins the contact's open lead or starts one, and the lead's stream write starts the CRM
// sync. The submission id derives from the conversation, and the raw submission (stored after
// the merge) records the lead: a second call answers that lead, and a retry after a crash
// between the two writes merges the same submission again, which changes nothing.

export type ConversationLead = { lead: Lead; created: boolean };

function contactOf(customer: Customer | undefined): LeadSubmitted['contact'] {
  const phone =
    customer?.phone ??
    (customer?.identities.whatsapp ? `+${customer.identities.whatsapp}` : undefined);
  return {
    ...(customer?.name ? { name: customer.name } : {}),
    ...(phone ? { phone } : {}),
    ...(customer?.email ? { email: customer.email } : {}),
    ...(customer?.company ? { company: customer.company } : {}),
  };
}

export async function leadFromConversation(
  data: TenantData,
  conversationId: string,
  actor: { kind: 'user' | 'apiKey'; id: string },
  now: Date,
): Promise<ConversationLead> {
  const conversation = await data.conversations.get(conversationId);
  if (!conversation) throw new NotFoundError('Conversation');
  const submissionId = stableId('sub', data.tenantId, 'conversation', conversation.id);
  const stored = await data.submissions.get(submissionId);
  const known = stored?.meta.leadId ? await data.leads.get(stored.meta.leadId) : undefined;
  if (known) return { lead: known, created: false };

  const customer = await data.customers.get(conversation.customerId);
  const contact = contactOf(customer);
  const instagram = customer?.username ? `@${customer.username}` : customer?.identities.instagram;
  const custom: Record<string, string> = instagram ? { instagram } : {};
  const submittedAt = stored?.submittedAt ?? now.toISOString();
  const event: LeadSubmitted = {
    tenantId: data.tenantId,
    submissionId,
    source: 'conversation',
    conversationId: conversation.id,
    submittedAt,
    contact,
    values: { ...(contact as Record<string, string>), ...custom },
    custom,
    utm: {},
    consents: [],
    meta: {
      conversationId: conversation.id,
      channel: conversation.channel,
      [actor.kind === 'apiKey' ? 'apiKeyId' : 'userId']: actor.id,
    },
  };
  const lead = await mergeForCustomer(data, event, conversation.customerId, now.toISOString());
  const first = await data.submissions.storeOnce({
    id: submissionId,
    source: 'conversation',
    values: event.values,
    submittedAt,
    meta: { ...event.meta, leadId: lead.id },
    storedAt: now.toISOString(),
  });
  // New when this call stored the submission and the lead is the one it started.
  const created =
    first && lead.submissionIds.length === 1 && lead.submissionIds[0] === submissionId;
  return { lead, created };
}

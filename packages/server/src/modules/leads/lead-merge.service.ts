import { touchFromSubmission } from '../attribution/touches';
import type { ContactRepo } from './contact.repo';
import type { Db } from '../../engine/data/dynamo';
import { leadIdFor, type Lead, type NewLead, type SubmissionMerge } from './lead.repo';
import { entryStage } from './pipeline.repo';
import { dbForTenant, type TenantData, type TenantDbFactory } from '../../engine/data/tenant-data';
import { sha256Hex } from '../../engine/ids';
import type { Logger } from '../../engine/log';
import type { SqsBatchHandler } from '../../engine/ports/queue';
import { leadRules } from '../../engine/topology';
import { createEventConsumer } from './event-consumer';
import { leadSubmittedSchema, type LeadSubmitted } from './lead-events';
import { mergeCustomWithinLimits } from './lead-limits';
import { whatsappCustomerIdOf } from './phone';
import { recordFormConsent } from '../consent/form-consent.service';
import type { OutboundDeps } from '../messaging/outbound-deps';
import { RetryLaterError } from '../../engine/queue/consumer-errors';
import { handOffToWhatsApp } from './whatsapp-handoff.service';

export type LeadMergeDeps = {
  db: Db;
  tenantDb?: TenantDbFactory;
  log: Logger;
  now?: () => Date;
  /** How long a tenant's active/suspended status is trusted in memory (event-consumer.ts). */
  tenantStatusTtlMs?: number;
  /**
   * The send path of forms' WhatsApp follow-ups (whatsapp-handoff.service.ts). Undefined while
   * it is not ready yet (the sandbox's Meta stand-in still starting): the event is retried.
   */
  outbound?: () => OutboundDeps | undefined;
};

type ResolvedContact = { customerId: string; mergedFrom?: string };

/**
 * Who the submission is. A phone number decides (`wa-<digits>`, shared with WhatsApp); an e-mail
 * alone finds its claimed owner or claims a deterministic `em-` id, so concurrent first
 * submissions agree. An e-mail-only contact that turns out to have a phone is folded into it.
 */
export async function resolveContact(
  contacts: ContactRepo,
  contact: LeadSubmitted['contact'],
  at: string,
): Promise<ResolvedContact> {
  const { email, phone } = contact;
  if (phone) {
    const customerId = whatsappCustomerIdOf(phone);
    if (!email) return { customerId };
    const owner = await contacts.claimEmail(email, customerId);
    if (owner !== customerId && owner.startsWith('em-')) {
      if (await contacts.repointEmail(email, owner, customerId)) {
        await contacts.markMerged(owner, customerId, at);
        return { customerId, mergedFrom: owner };
      }
    }
    return { customerId };
  }
  if (!email) throw new Error('a submission without e-mail or phone passed validation');
  return { customerId: await contacts.claimEmail(email, `em-${sha256Hex(email).slice(0, 24)}`) };
}

/**
 * Joins a submission whose contact is already known (a conversation's customer) to that
 * contact's open lead, or starts one, right away instead of through the bus: the same steps as
 * LeadMerge, for `POST /conversations/{id}/lead` (conversation-lead.service.ts).
 */
export async function mergeForCustomer(
  data: TenantData,
  event: LeadSubmitted,
  customerId: string,
  now: string,
): Promise<Lead> {
  const { lead } = await joinLead(data, event, { customerId }, now);
  await data.contacts.upsertFromLead(customerId, event.contact, lead.id, event.submittedAt);
  // A lead made from a conversation came from where the conversation did.
  const fromConversation = await data.attribution.get('contact', customerId);
  if (fromConversation) await data.attribution.record(fromConversation.latest, { leadId: lead.id });
  return lead;
}

const isOpen = (lead: Lead) => !lead.deletedAt && lead.stageKind === 'open';

/**
 * LeadMerge: the submission joins its contact and the contact's open lead (or starts one). The
 * lead's write names the submission as its `lastChange`; the table's stream turns that into
 * LeadUpserted (lead-stream.ts), so no publish here can be lost after the write.
 */
export function createLeadMerge(deps: LeadMergeDeps): SqsBatchHandler {
  const now = deps.now ?? (() => new Date());
  return createEventConsumer({
    rule: leadRules.merge,
    schema: leadSubmittedSchema,
    db: deps.db,
    tenantDb: deps.tenantDb,
    log: deps.log,
    now,
    tenantStatusTtlMs: deps.tenantStatusTtlMs,
    subject: (event) => ({ type: 'submission', id: event.submissionId }),
    async handle(event, { data, log }) {
      const { contacts } = data;
      const found = await resolveContact(contacts, event.contact, event.submittedAt);
      // A phone whose contact an agent merged into another: the lead joins that one.
      const into = (await data.customers.get(found.customerId))?.mergedInto;
      const resolved = into ? { customerId: into } : found;
      // The contact's touch first: the lead's write starts its CRM sync, which sends the
      // lead's attribution, or the contact's while the lead's is not written yet.
      const touch = touchFromSubmission({
        submissionId: event.submissionId,
        formId: event.formId,
        at: event.submittedAt,
        utm: event.utm,
        // The embed's Referer is the landing page the form sits on.
        pageUrl: event.meta.referrer,
      });
      await data.attribution.record(touch, { contactId: resolved.customerId });
      const { lead, skippedCustom } = await joinLead(data, event, resolved, now().toISOString());
      if (skippedCustom.length > 0) {
        // The lead is at its custom-field caps: these values stay in the stored submission only.
        log.warn('custom fields not merged: the lead is at its caps', {
          leadId: lead.id,
          submissionId: event.submissionId,
          keys: skippedCustom.join(',').slice(0, 500),
        });
      }
      await contacts.upsertFromLead(resolved.customerId, event.contact, lead.id, event.submittedAt);
      await data.attribution.record({ ...touch, leadId: lead.id }, { leadId: lead.id });
      // A ticked WhatsApp opt-in box opts the number in, its label and the lead as the evidence,
      // before the form's follow-up that the consent allows.
      const db = dbForTenant(deps, event.tenantId);
      await recordFormConsent(db, { ...event, leadId: lead.id });
      const outbound = deps.outbound?.();
      if (deps.outbound && !outbound) throw new RetryLaterError('the send path is not ready', 2);
      if (outbound) await handOffToWhatsApp({ outbound, db, log }, data, event, lead);
    },
  });
}

function mergeOf(event: LeadSubmitted): SubmissionMerge {
  return {
    submissionId: event.submissionId,
    submittedAt: event.submittedAt,
    contact: event.contact,
    custom: event.custom,
    utm: event.utm,
    consents: event.consents,
  };
}

async function newLead(
  data: TenantData,
  event: LeadSubmitted,
  id: string,
  customerId: string,
): Promise<NewLead> {
  const pipeline = await data.pipeline.get();
  const stage = pipeline.stages.find((s) => s.id === event.stage) ?? entryStage(pipeline);
  return {
    id,
    customerId,
    ...event.contact,
    stage: stage.id,
    stageKind: stage.kind,
    tags: event.tags ?? [],
    // Ingest refuses a submission that passes the caps; an event from before that rule is fitted.
    custom: mergeCustomWithinLimits({}, event.custom).custom,
    utm: Object.keys(event.utm).length > 0 ? event.utm : undefined,
    formId: event.formId,
    source: event.source,
    ...(event.conversationId ? { conversationId: event.conversationId } : {}),
    submissionIds: [event.submissionId],
    consents: event.consents.map((c) => ({ ...c, at: event.submittedAt })),
    createdAt: event.submittedAt,
    lastSubmittedAt: event.submittedAt,
  };
}

/**
 * The contact's open lead, found through its `OPENLEAD#<customerId>` pointer. Every step is a
 * conditional put or an idempotent update, so concurrent submissions of one person converge on
 * one lead and a redelivery changes nothing.
 */
type Joined = { lead: Lead; skippedCustom: string[] };

async function joinLead(
  data: TenantData,
  event: LeadSubmitted,
  contact: ResolvedContact,
  now: string,
): Promise<Joined> {
  const { contacts, leads } = data;
  const { customerId } = contact;
  const fresh = leadIdFor(event.tenantId, event.submissionId, event.submittedAt);
  const createOrMerge = async (leadId: string): Promise<Joined> => {
    let skippedCustom: string[] = [];
    const change = { id: event.submissionId, reason: 'submission' as const, at: now };
    if (!(await leads.create(await newLead(data, event, leadId, customerId), change))) {
      const existing = await leads.get(leadId);
      if (!existing) throw new Error(`lead ${leadId} vanished`);
      ({ skippedCustom } = await leads.mergeSubmission(existing, mergeOf(event), now));
    }
    const lead = await leads.get(leadId);
    if (!lead) throw new Error(`lead ${leadId} vanished`);
    return { lead, skippedCustom };
  };

  let carried = false;
  for (let attempt = 0; attempt < 5; attempt++) {
    const pointer = await contacts.openLead(customerId);
    if (pointer) {
      const lead = await leads.get(pointer);
      // Pointer claimed but its lead not written yet (a crash, or a racing first submission).
      if (!lead) return createOrMerge(pointer);
      if (isOpen(lead) || lead.submissionIds.includes(event.submissionId)) {
        const { skippedCustom } = await leads.mergeSubmission(lead, mergeOf(event), now);
        return { lead: (await leads.get(lead.id)) ?? lead, skippedCustom };
      }
      // Won, lost or deleted: this submission starts a new lead.
      if (await contacts.claimOpenLead(customerId, fresh, pointer)) return createOrMerge(fresh);
      continue;
    }
    if (contact.mergedFrom && !carried) {
      // The e-mail-only contact's open lead moves with it.
      carried = true;
      const previous = await contacts.openLead(contact.mergedFrom);
      const lead = previous ? await leads.get(previous) : undefined;
      if (lead && isOpen(lead) && (await contacts.claimOpenLead(customerId, lead.id))) {
        await leads.setCustomer(lead.id, customerId, now);
      }
      continue;
    }
    if (await contacts.claimOpenLead(customerId, fresh)) return createOrMerge(fresh);
  }
  throw new Error(`the open lead of ${customerId} kept changing`);
}

import type {
  FormDefinition,
  FormWhatsappHandoff,
  StartConversationRequest,
} from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError } from '../../engine/errors';
import { stableId } from '../../engine/ids';
import type { Logger } from '../../engine/log';
import { RetryLaterError } from '../../engine/queue/consumer-errors';
import { parametersFor } from '../campaigns/campaign-audience';
import { ConsentRepo } from '../consent/consent.repo';
import { whatsappOptInKeys } from '../consent/form-consent.service';
import { recipientCustomer, startConversation } from '../integrations/start-conversation.service';
import type { Customer } from '../messaging/customer.repo';
import { approvedTemplates } from '../messaging/message-templates.service';
import type { OutboundDeps } from '../messaging/outbound-deps';
import type { LeadSubmitted } from './lead-events';
import type { Lead } from './lead.repo';
import { WhatsappHandoffRepo } from './whatsapp-handoff.repo';

// A form's WhatsApp follow-up (`whatsappHandoff`): once a submission's lead exists, a ticked
// WhatsApp opt-in box with a phone sends the form's approved template to that phone through the
// one way to write first (integrations/start-conversation.service.ts: the contact's conversation
// on that channel, the message stored as an outbound template), and the lead is linked to the
// conversation. The lead merge runs it after recording the box's consent.
//
// At most once per submission: claimed before the send (whatsapp-handoff.repo.ts), since Meta
// has no idempotency key. A claim left unsettled by a delivery that died is taken over only once
// that delivery is surely over; the claim's reserved message id lets the send path see whether
// it had stored (and possibly sent) the message, which it then reports rather than sends again.
// Meta's refusal is the outbound message's `failed` status, as for any send; the lead is kept.

/** Longer than the merge consumer may run (15 s): an unsettled claim this old is abandoned. */
const TAKEOVER_AFTER_MS = 60_000;
const RETRY_CLAIM_SECONDS = 30;

/** The configured channel (WhatsApp, of this workspace) and an APPROVED template on it. */
export async function checkWhatsappHandoff(
  outbound: OutboundDeps,
  data: TenantData,
  definition: FormDefinition,
): Promise<void> {
  const handoff = definition.whatsappHandoff;
  if (!handoff) return;
  const channel = await data.channels.getWithSecret(handoff.channelId);
  if (!channel || channel.type !== 'whatsapp') {
    // Not echoed: another workspace's channel answers like one that does not exist.
    throw new AppError('channel_not_found', 'No connected WhatsApp channel has that id.', {
      param: 'whatsappHandoff.channelId',
    });
  }
  const { name, language } = handoff.template;
  const find = (list: Awaited<ReturnType<typeof approvedTemplates>>) =>
    list.templates.find((t) => t.name === name && t.language === language);
  const found =
    find(await approvedTemplates(outbound, data, channel)) ??
    find(await approvedTemplates(outbound, data, channel, { refresh: true }));
  if (!found) {
    throw new AppError(
      'template_not_found',
      `No approved template "${name}" in ${language} on this number.`,
      { param: 'whatsappHandoff.template' },
    );
  }
}

/**
 * The submission as the campaigns' parameter vocabulary reads a contact: its contact fields, and
 * every field's value as `contact.attributes.<key>`.
 */
function submissionAsContact(event: LeadSubmitted, customerId: string): Customer {
  const attributes: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(event.values)) {
    attributes[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    id: customerId,
    ...event.contact,
    identities: {},
    attributes,
    createdAt: event.submittedAt,
    updatedAt: event.submittedAt,
  };
}

type Planned = { handoff: FormWhatsappHandoff; phone: string; request: StartConversationRequest };

async function plan(
  data: TenantData,
  db: Db,
  event: LeadSubmitted,
  lead: Lead,
  log: Logger,
): Promise<Planned | undefined> {
  const phone = event.contact.phone;
  if (event.source !== 'form' || !event.formId || event.formVersion === undefined || !phone) {
    return undefined;
  }
  const definition = await data.forms.getVersion(event.formId, event.formVersion);
  const handoff = definition?.whatsappHandoff;
  if (!definition || !handoff) return undefined;
  const optIns = whatsappOptInKeys(definition.fields);
  if (!event.consents.some((c) => optIns.has(c.key))) return undefined;
  // The box's consent was recorded just before; a later opt-out of the number outranks it.
  const consent = await new ConsentRepo(db, data.tenantId).get(phone);
  if (consent.status !== 'opted_in') {
    log.info('WhatsApp follow-up not sent: the number is not opted in', {
      submissionId: event.submissionId,
    });
    return undefined;
  }
  const parameters = parametersFor(submissionAsContact(event, lead.customerId), handoff.template);
  if (parameters === null) {
    log.warn('WhatsApp follow-up not sent: a parameter has no value and no fallback', {
      submissionId: event.submissionId,
      formId: event.formId,
    });
    return undefined;
  }
  const { name, language } = handoff.template;
  return {
    handoff,
    phone,
    request: {
      channelId: handoff.channelId,
      to: phone,
      template: { name, language, ...(parameters ? { parameters } : {}) },
    },
  };
}

export type HandoffDeps = { outbound: OutboundDeps; db: Db; log: Logger };

/** Sends the form's WhatsApp follow-up of one merged submission, if it has one to send. */
export async function handOffToWhatsApp(
  deps: HandoffDeps,
  data: TenantData,
  event: LeadSubmitted,
  lead: Lead,
): Promise<void> {
  const planned = await plan(data, deps.db, event, lead, deps.log);
  if (!planned) return;
  const claims = new WhatsappHandoffRepo(deps.db, data.tenantId);
  const now = deps.outbound.now();
  const fresh = {
    messageId: stableId('msg', 'wa-handoff', data.tenantId, event.submissionId),
    at: now.toISOString(),
    claimedAt: now.toISOString(),
  };
  let claim = fresh;
  const won = await claims.claim(event.submissionId, fresh, now);
  if (!won) {
    const existing = await claims.get(event.submissionId);
    if (!existing) throw new Error(`the follow-up claim of ${event.submissionId} vanished`);
    if (existing.settledAt) {
      if (existing.conversationId)
        await data.leads.linkConversation(lead.id, existing.conversationId);
      return;
    }
    if (now.getTime() - Date.parse(existing.claimedAt) < TAKEOVER_AFTER_MS) {
      throw new RetryLaterError('another delivery is sending this follow-up', RETRY_CLAIM_SECONDS);
    }
    claim = existing;
  }

  const customerId = await recipientCustomer(data, planned.request, now);
  const reservation = { id: claim.messageId, at: claim.at, resumed: !won };
  let outcome: string;
  try {
    const sent = await startConversation(
      deps.outbound,
      data,
      { ...planned.request, to: undefined, customerId },
      undefined,
      reservation,
    );
    outcome = sent.status;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    // Meta's refusal is on the stored message already; a check that failed earlier stored none.
    outcome = err.code;
    deps.log.warn('WhatsApp follow-up not sent', {
      submissionId: event.submissionId,
      channelId: planned.handoff.channelId,
      code: err.code,
    });
  }
  const stored = await data.messages.get(
    data.messages.keyOf({ customerId, timestamp: claim.at, id: claim.messageId }),
  );
  const conversationId = stored?.conversationId;
  await claims.settle(event.submissionId, {
    at: deps.outbound.now().toISOString(),
    outcome,
    ...(conversationId ? { conversationId } : {}),
  });
  if (conversationId) await data.leads.linkConversation(lead.id, conversationId);
}

import type { FormField } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { stableId } from '../../engine/ids';
import { ConsentRepo } from './consent.repo';

// A form's WhatsApp opt-in box (a consent checkbox with `consentChannel: 'whatsapp'`), ticked
// on a submission with a phone number: the number is opted in, with the box's label exactly as
// the person saw it. The lead merge calls it for each submission once the lead exists, so the
// evidence names the lead, and before the form's WhatsApp follow-up is sent
// (leads/whatsapp-handoff.service.ts): the consent is what allows it. Idempotent per submission
// and box (the change id is derived from both), so a redelivered event records nothing twice.

/** What of a submission this reads (the leads flow's `LeadSubmitted` has this shape). */
export type SubmissionForConsent = {
  tenantId: string;
  submissionId: string;
  source: string;
  formId?: string;
  formVersion?: number;
  submittedAt: string;
  /** `phone` in E.164, as the submission check left it. */
  contact: { phone?: string };
  consents: { key: string; label: string }[];
  /** `referrer`: the page the form was on, when the browser said. */
  meta: Record<string, string>;
  leadId?: string;
};

/** Which of a form's boxes are WhatsApp opt-ins. */
export function whatsappOptInKeys(fields: readonly FormField[]): Set<string> {
  return new Set(
    fields.filter((f) => f.consent && f.consentChannel === 'whatsapp').map((f) => f.key),
  );
}

/** The WhatsApp opt-ins of a published form version (read from that version). */
async function whatsappConsentKeys(
  db: Db,
  tenantId: string,
  formId: string,
  version: number,
): Promise<Set<string>> {
  const item = await db.get(keys.formVersion(tenantId, formId, version));
  return whatsappOptInKeys((item?.definition?.fields ?? []) as FormField[]);
}

/** Records the opt-ins of one submission; returns how many boxes it recorded. */
export async function recordFormConsent(db: Db, input: SubmissionForConsent): Promise<number> {
  const { formId, formVersion } = input;
  const phone = input.contact.phone;
  if (input.source !== 'form' || !formId || formVersion === undefined) return 0;
  if (!phone || input.consents.length === 0) return 0;
  const optIns = await whatsappConsentKeys(db, input.tenantId, formId, formVersion);
  const ticked = input.consents.filter((c) => optIns.has(c.key));
  const repo = new ConsentRepo(db, input.tenantId);
  for (const box of ticked) {
    await repo.record(phone, {
      id: stableId('cns', 'form', input.submissionId, box.key),
      status: 'opted_in',
      at: new Date(input.submittedAt).toISOString(),
      evidence: {
        source: 'form',
        formId,
        ...(input.leadId ? { leadId: input.leadId } : {}),
        label: box.label,
        ...(input.meta.referrer ? { pageUrl: input.meta.referrer } : {}),
      },
    });
  }
  return ticked.length;
}

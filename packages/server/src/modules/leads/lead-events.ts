import { z } from 'zod';
import type { BusEventInput } from '../../engine/ports/bus';
import { leadEventSource } from '../../engine/topology';

// The leads flow's events on the bus. `LeadSubmitted` carries a validated submission (its values,
// never the client's object); the rules in topology.ts deliver it to the raw store and to the
// merge. The merge publishes `LeadUpserted` and a user's re-sync `LeadSyncRequested`; both go to
// the CRM sync queue.

const fieldValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

export const leadSubmittedSchema = z.object({
  tenantId: z.string().min(1),
  submissionId: z.string().min(1),
  source: z.enum(['form', 'api', 'import', 'conversation']),
  /** A lead made from a conversation (conversation-lead.service.ts) names it. */
  conversationId: z.string().optional(),
  formId: z.string().optional(),
  formVersion: z.number().optional(),
  submittedAt: z.string(),
  contact: z.object({
    name: z.string().optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    company: z.string().optional(),
  }),
  values: z.record(z.string(), fieldValue),
  custom: z.record(z.string(), fieldValue),
  utm: z.record(z.string(), z.string()),
  consents: z.array(z.object({ key: z.string(), label: z.string() })),
  // Events published before the raw store kept validated values also carry `raw`, the client's
  // object: not part of the schema, so it is stripped here and never stored.
  meta: z.record(z.string(), z.string()),
  /** Imports may place new leads in a stage and tag them. */
  stage: z.string().optional(),
  tags: z.array(z.string()).optional(),
});
export type LeadSubmitted = z.infer<typeof leadSubmittedSchema>;

export const leadSyncJobSchema = z.object({
  tenantId: z.string().min(1),
  leadId: z.string().min(1),
  /** Names the delivery: retries and replays of a job reuse its webhook-id. */
  jobId: z.string().min(1),
  reason: z.enum(['submission', 'update', 'manual']),
});
export type LeadSyncJob = z.infer<typeof leadSyncJobSchema>;

export const leadDetailTypes = {
  submitted: 'LeadSubmitted',
  upserted: 'LeadUpserted',
  syncRequested: 'LeadSyncRequested',
} as const;

export function leadSubmittedEvent(detail: LeadSubmitted): BusEventInput {
  return { source: leadEventSource, detailType: leadDetailTypes.submitted, detail };
}

export function leadSyncEvent(job: LeadSyncJob): BusEventInput {
  return {
    source: leadEventSource,
    detailType:
      job.reason === 'submission' ? leadDetailTypes.upserted : leadDetailTypes.syncRequested,
    detail: job,
  };
}

import { z } from 'zod';
import type { Key } from '../../engine/data/dynamo';
import type { BusEventInput } from '../../engine/ports/bus';
import { tenantOfPk, type ItemChange } from '../stream-record';
import { leadSyncEvent } from './lead-events';

// Lead changes from the table's stream. A lead item (`TENANT#<id>` / `LEAD#<leadId>`, entity
// `Lead`) whose `lastChange` has a new id asks for a CRM sync: LeadUpserted for a submission,
// LeadSyncRequested for an edit or a re-sync, with the detail handlers published before the
// stream did it. The job id is the change's id, written with the change: a redelivered record, a
// retried batch or a replayed write all name the same job, and the CRM sync's per-destination
// markers (`EVENT#SyncLeadToCrm:<destination>#<jobId>`) make the repeat send nothing twice.
// Writes without a new `lastChange` (the sync's own status, deletes, restores) raise nothing,
// nor does a removed item.

const leadChangeSchema = z.object({
  id: z.string().min(1),
  reason: z.enum(['submission', 'update', 'manual']),
  at: z.string(),
});

export function isLeadKey(key: Key): boolean {
  return tenantOfPk(key.PK) !== undefined && key.SK.startsWith('LEAD#');
}

const changeIdOf = (image: ItemChange['oldImage']): string | undefined =>
  leadChangeSchema.safeParse(image?.lastChange).data?.id;

/** The CRM sync event a lead record asks for, if any; undefined for anything not a lead. */
export function leadEventsOf(change: ItemChange): BusEventInput[] | undefined {
  const tenantId = tenantOfPk(change.pk);
  if (!tenantId || !change.sk.startsWith('LEAD#')) return undefined;
  const item = change.newImage;
  if (change.kind === 'REMOVE' || !item || item.entity !== 'Lead') return [];
  const parsed = leadChangeSchema.safeParse(item.lastChange);
  if (!parsed.success || typeof item.id !== 'string' || item.deletedAt) return [];
  if (changeIdOf(change.oldImage) === parsed.data.id) return [];
  return [
    leadSyncEvent({
      tenantId,
      leadId: item.id,
      jobId: parsed.data.id,
      reason: parsed.data.reason,
    }),
  ];
}

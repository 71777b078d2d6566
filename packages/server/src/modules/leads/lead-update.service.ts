import type { PatchLeadRequest } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import { reservedKeys } from './form-schema';
import type { Lead, LeadChange, LeadPatch } from './lead.repo';

/**
 * An agent moves, assigns, tags or edits a lead: the stage must be one of the tenant's pipeline,
 * the owner one of its members, the custom fields within the lead's caps (lead-limits.ts: 422
 * `lead_too_large` before anything is written). The CRM destinations hear of the change through
 * LeadSyncRequested, which the table's stream raises from the `lastChange` written with the edit
 * (lead-stream.ts): the edit and its sync cannot part.
 */
export async function updateLead(
  deps: { data: TenantData; now: Date },
  leadId: string,
  input: PatchLeadRequest,
): Promise<Lead> {
  const { data } = deps;
  const reserved = Object.keys(input.custom ?? {}).filter((k) => reservedKeys.has(k));
  if (reserved.length > 0) {
    throw new AppError('validation_failed', 'Some custom field keys are reserved.', {
      fields: Object.fromEntries(
        reserved.map((k) => [
          `custom.${k}`,
          'Keys named constructor or prototype are not accepted.',
        ]),
      ),
    });
  }
  const patch: LeadPatch = {
    ownerId: input.ownerId,
    tags: input.tags,
    custom: input.custom,
    name: input.name,
    company: input.company,
  };
  if (input.stage !== undefined) {
    const stage = (await data.pipeline.get()).stages.find((s) => s.id === input.stage);
    if (!stage) {
      throw new AppError('validation_failed', 'No such stage in the pipeline.', {
        fields: { stage: 'Unknown stage.' },
      });
    }
    patch.stage = { id: stage.id, kind: stage.kind };
  }
  if (input.ownerId && !(await data.members.get(input.ownerId))) {
    throw new AppError('validation_failed', 'The owner must be a member of the workspace.', {
      fields: { ownerId: 'Not a member.' },
    });
  }
  const at = deps.now.toISOString();
  const change: LeadChange = { id: randomId('job'), reason: 'update', at };
  const outcome = await data.leads.patch(leadId, patch, at, change);
  if ('missing' in outcome) throw new NotFoundError('Lead');
  if ('customLimit' in outcome) {
    throw new AppError('lead_too_large', outcome.customLimit, {
      fields: { custom: outcome.customLimit },
    });
  }
  if ('conflict' in outcome) {
    throw new AppError('conflict', 'The lead kept changing while saving; reload it and try again.');
  }
  return outcome.lead;
}

import type { Pipeline } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import { csvLine } from './csv';
import type { Lead, LeadFilter } from './lead.repo';

// The lead pipeline as agents work it: a contact's leads, exports, re-syncs, notes and stages.

export async function requireLead(data: TenantData, leadId: string): Promise<Lead> {
  const lead = await data.leads.get(leadId);
  if (!lead) throw new NotFoundError('Lead');
  return lead;
}

/** A contact's leads, newest first: one timeline across chats and forms (at most 100). */
export async function leadsOfContact(data: TenantData, customerId: string): Promise<Lead[]> {
  const ids = await data.contacts.leadIdsOf(customerId);
  const leads = ids.length ? await data.leads.getMany(ids.slice(0, 100)) : [];
  return leads.filter((l) => !l.deletedAt).sort((a, b) => (a.id < b.id ? 1 : -1));
}

/** A lead with its contact and its latest raw submissions. */
export async function leadDetail(data: TenantData, leadId: string) {
  const lead = await requireLead(data, leadId);
  const [customers, submissions] = await Promise.all([
    // A contact merged into another answers as that one (a merge re-points its leads too).
    data.customers.getMany([lead.customerId]),
    data.submissions.getMany(lead.submissionIds.slice(0, 25)),
  ]);
  const customer = customers.get(lead.customerId);
  return { lead: customer ? { ...lead, customerId: customer.id } : lead, customer, submissions };
}

/**
 * Pushes the lead to the CRM destinations again (LeadSyncRequested, reason `manual`): the pending
 * status and the job are one write, which the table's stream turns into the event.
 */
export async function requestLeadSync(
  deps: { data: TenantData; now: Date },
  leadId: string,
): Promise<{ leadId: string; jobId: string }> {
  const lead = await requireLead(deps.data, leadId);
  if (lead.deletedAt) throw new NotFoundError('Lead');
  const jobId = randomId('job');
  const change = { id: jobId, reason: 'manual' as const, at: deps.now.toISOString() };
  const sync = { ...lead.sync, status: 'pending' as const, jobId };
  if (!(await deps.data.leads.requestSync(lead.id, sync, change))) throw new NotFoundError('Lead');
  return { leadId: lead.id, jobId };
}

export type NoteAuthor = { kind: 'user' | 'apiKey'; id: string };

export async function addLeadNote(
  data: TenantData,
  lead: Lead,
  input: { body: string; author: NoteAuthor; now: Date },
) {
  const note = {
    id: randomId('nt'),
    leadId: lead.id,
    body: input.body,
    author: input.author,
    createdAt: input.now.toISOString(),
  };
  await data.leadNotes.add(note);
  return note;
}

const EXPORT_MAX_ROWS = 10_000;
const coreColumns = [
  'id',
  'createdAt',
  'updatedAt',
  'stage',
  'ownerId',
  'name',
  'email',
  'phone',
  'company',
  'source',
  'formId',
  'tags',
] as const;

/** The leads the filter selects as CSV (formula-safe cells), at most EXPORT_MAX_ROWS rows. */
export async function exportLeadsCsv(
  data: TenantData,
  filter: LeadFilter,
): Promise<{ csv: string; rows: number; truncated: boolean }> {
  const leads: Lead[] = [];
  let after: string | undefined;
  do {
    const page = await data.leads.list(filter, 200, after, 2000);
    leads.push(...page.items);
    after = page.lastId;
  } while (after && leads.length < EXPORT_MAX_ROWS);
  const customKeys = [...new Set(leads.flatMap((l) => Object.keys(l.custom)))].sort();
  const utmKeys = [...new Set(leads.flatMap((l) => Object.keys(l.utm ?? {})))].sort();
  let csv = csvLine([...coreColumns, ...utmKeys, ...customKeys]);
  const rows = leads.slice(0, EXPORT_MAX_ROWS);
  for (const lead of rows) {
    csv += csvLine([
      ...coreColumns.map((k) => lead[k]),
      ...utmKeys.map((k) => lead.utm?.[k]),
      ...customKeys.map((k) => lead.custom[k]),
    ]);
  }
  return { csv, rows: rows.length, truncated: leads.length > EXPORT_MAX_ROWS || Boolean(after) };
}

/** Replaces the stages; a stage that still holds leads cannot be removed. */
export async function replacePipeline(data: TenantData, input: Pipeline, now: Date) {
  const current = await data.pipeline.get();
  const kept = new Set(input.stages.map((s) => s.id));
  for (const stage of current.stages) {
    if (!kept.has(stage.id) && (await data.leads.anyInStage(stage.id))) {
      throw new AppError(
        'stage_in_use',
        `Leads are still in stage "${stage.name}"; move them first.`,
        {
          stage: stage.id,
        },
      );
    }
  }
  await data.pipeline.put(input, now.toISOString());
  return data.pipeline.get();
}

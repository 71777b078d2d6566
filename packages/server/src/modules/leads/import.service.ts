import type { Pipeline } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { AppError } from '../../engine/errors';
import { sha256Hex, stableId } from '../../engine/ids';
import { BUS_MAX_BATCH_ENTRIES, type EventBus } from '../../engine/ports/bus';
import { CsvError, parseCsv } from './csv';
import { reservedKeys, validateApiLead } from './form-schema';
import { leadSubmittedEvent, type LeadSubmitted } from './lead-events';
import { customLimitIssue } from './lead-limits';

// `POST /leads/import` (text/csv): each row goes through the same pipeline as a form submission
// (raw store, merge into contact and lead, CRM sync). Submission ids derive from the file's hash
// and the row number, so uploading the same file again changes nothing. A reserved column name
// refuses the file; a row whose values fail (or pass a lead's custom-field caps) is rejected.

export const IMPORT_MAX_ROWS = 1000;

// A Map, not an object literal: a column named "constructor" must not find Object's.
const headerAliases = new Map<string, string>([
  ['full name', 'name'],
  ['e-mail', 'email'],
  ['email address', 'email'],
  ['mobile', 'phone'],
  ['telephone', 'phone'],
  ['first name', 'first_name'],
  ['last name', 'last_name'],
]);

function columnKey(header: string): string {
  const lower = header.trim().toLowerCase();
  return headerAliases.get(lower) ?? lower.replace(/[\s-]+/g, '_');
}

export type ImportResult = {
  accepted: number;
  rejected: { row: number; fields: Record<string, string> }[];
  submissionIds: string[];
};

export async function importLeads(
  deps: { db: Db; bus: EventBus; now: Date },
  input: {
    tenantId: string;
    csv: string;
    pipeline: Pipeline;
    actor: { kind: string; id: string };
    /** The tenant's default country (ISO 3166 alpha-2) for phone numbers without a code. */
    defaultCountry?: string;
  },
): Promise<ImportResult> {
  let rows: string[][];
  try {
    rows = parseCsv(input.csv, { maxRows: IMPORT_MAX_ROWS + 1, maxColumns: 60 });
  } catch (err) {
    if (err instanceof CsvError) throw new AppError('validation_failed', err.message);
    throw err;
  }
  const [header, ...body] = rows;
  if (!header || body.length === 0)
    throw new AppError('validation_failed', 'The file needs a header row and at least one lead.');
  const columns = header.map(columnKey);
  const reserved = columns.filter((key) => reservedKeys.has(key));
  if (reserved.length > 0) {
    throw new AppError('validation_failed', 'Some column names are reserved.', {
      fields: Object.fromEntries(
        reserved.map((key) => [
          key,
          'Columns named __proto__, constructor or prototype are not accepted.',
        ]),
      ),
    });
  }
  const stages = new Set(input.pipeline.stages.map((s) => s.id));
  const fileHash = sha256Hex(input.csv);
  const result: ImportResult = { accepted: 0, rejected: [], submissionIds: [] };
  const events: LeadSubmitted[] = [];
  const submittedAt = deps.now.toISOString();

  body.forEach((cells, index) => {
    const row = index + 2; // 1-based, after the header
    const fields: Record<string, unknown> = {};
    let stage: string | undefined;
    let tags: string[] | undefined;
    columns.forEach((key, i) => {
      const value = cells[i]?.trim() ?? '';
      if (value === '') return;
      if (key === 'stage') stage = value;
      else if (key === 'tags')
        tags = value
          .split(/[;,]/)
          .map((t) => t.trim())
          .filter(Boolean)
          .slice(0, 50);
      else fields[key] = value;
    });
    if (stage !== undefined && !stages.has(stage)) {
      result.rejected.push({ row, fields: { stage: 'Unknown stage.' } });
      return;
    }
    const check = validateApiLead(fields, input.defaultCountry);
    if (!check.ok) {
      result.rejected.push({ row, fields: check.fields });
      return;
    }
    const tooLarge = customLimitIssue(check.submission.custom);
    if (tooLarge) {
      result.rejected.push({ row, fields: { custom: tooLarge } });
      return;
    }
    const submissionId = stableId('sub', input.tenantId, 'import', fileHash, String(row));
    events.push({
      tenantId: input.tenantId,
      submissionId,
      source: 'import',
      submittedAt,
      contact: check.submission.contact,
      values: check.submission.values,
      custom: check.submission.custom,
      utm: check.submission.utm,
      consents: [],
      meta: {
        [input.actor.kind === 'apiKey' ? 'apiKeyId' : 'userId']: input.actor.id,
        importRow: String(row),
      },
      stage,
      tags,
    });
    result.submissionIds.push(submissionId);
  });

  for (let i = 0; i < events.length; i += BUS_MAX_BATCH_ENTRIES) {
    await deps.bus.publish(events.slice(i, i + BUS_MAX_BATCH_ENTRIES).map(leadSubmittedEvent));
    result.accepted += Math.min(BUS_MAX_BATCH_ENTRIES, events.length - i);
  }
  return result;
}

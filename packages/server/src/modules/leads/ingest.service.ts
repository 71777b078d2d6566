import type { FormDefinition } from '@switchboard/contracts';
import { idempotencyKeySchema } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import {
  dbForTenant,
  tenantData,
  type TenantContext,
  type TenantData,
  type TenantDbFactory,
} from '../../engine/data/tenant-data';
import { AppError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import type { EventBus } from '../../engine/ports/bus';
import { runIdempotent, type IdempotentOutcome } from '../../engine/data/idempotent-request';
import {
  compileForm,
  validateApiLead,
  type CompiledForm,
  type SubmissionCheck,
} from './form-schema';
import { leadSubmittedEvent, type LeadSubmitted } from './lead-events';
import { customLimitIssue } from './lead-limits';

// Ingestion, shared by the public form route and `POST /leads`: validate against the form (or the
// built-in API fields), then publish `LeadSubmitted` and answer 202 only once the bus holds it.
// Only the validated values travel on: the client's object is never stored. An `Idempotency-Key`
// makes a retried submission answer with the first one's submissionId.

export type IngestDeps = { db: Db; tenantDb?: TenantDbFactory; bus: EventBus; now: Date };

export type IngestForm = { formId: string; version: number; definition: FormDefinition };

export type IngestInput = {
  tenantId: string;
  source: 'form' | 'api';
  form?: IngestForm;
  /** The client's field values, unchecked: only what validation makes of them is kept. */
  fields: Record<string, unknown>;
  idempotencyKey?: string;
  meta: Record<string, string>;
  /** The caller's accessor when it has one (API keys, users); public forms get a system one. */
  data?: TenantData;
  /** The tenant's default country (ISO 3166 alpha-2) for phone numbers without a country code. */
  defaultCountry?: string;
};

// Compiled submission schemas by form version: published versions never change.
const compiled = new Map<string, CompiledForm>();
function compiledForm(form: IngestForm, defaultCountry: string | undefined): CompiledForm {
  const key = `${form.formId}#${form.version}#${defaultCountry ?? ''}`;
  let hit = compiled.get(key);
  if (!hit) {
    hit = compileForm(form.definition, defaultCountry);
    if (compiled.size >= 500) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, hit);
  }
  return hit;
}

export function checkSubmission(
  form: IngestForm | undefined,
  fields: unknown,
  defaultCountry?: string,
): SubmissionCheck {
  return form
    ? compiledForm(form, defaultCountry).validate(fields)
    : validateApiLead(fields, defaultCountry);
}

/**
 * The error a refused submission answers: 400 `validation_failed` for a malformed one (a reserved
 * key, a nested value; paths under `fields.` like the edge's body errors), 422
 * `invalid_submission` for answers that need another look (by field key).
 */
export function submissionRefused(check: Extract<SubmissionCheck, { ok: false }>): AppError {
  if (check.kind === 'shape') {
    return new AppError('validation_failed', 'The submission is malformed.', {
      fields: Object.fromEntries(
        Object.entries(check.fields).map(([key, message]) => [
          key === '(body)' ? 'fields' : `fields.${key}`,
          message,
        ]),
      ),
    });
  }
  return new AppError('invalid_submission', 'Some fields are missing or invalid.', {
    fields: check.fields,
  });
}

export function checkIdempotencyKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!idempotencyKeySchema.safeParse(value).success) {
    throw new AppError('bad_request', 'Idempotency-Key must be 1-255 visible ASCII characters.');
  }
  return value;
}

export async function ingestSubmission(
  deps: IngestDeps,
  input: IngestInput,
): Promise<IdempotentOutcome> {
  const check = checkSubmission(input.form, input.fields, input.defaultCountry);
  if (!check.ok) throw submissionRefused(check);
  const submission = check.submission;
  // The lead this creates must be able to hold it (a merge into an existing lead fits what it can).
  const tooLarge = customLimitIssue(submission.custom);
  if (tooLarge) throw new AppError('lead_too_large', tooLarge);
  const ctx: TenantContext = {
    tenantId: input.tenantId,
    actor: { kind: 'system', reason: 'lead-ingest' },
  };
  const data = input.data ?? tenantData(dbForTenant(deps, ctx.tenantId), ctx, deps.db);
  return runIdempotent(
    data,
    {
      operation: `lead-submit:${input.form?.formId ?? 'api'}`,
      key: input.idempotencyKey,
      request: submission.values,
      reservation: { id: randomId('sub'), at: deps.now.toISOString() },
      now: deps.now,
    },
    async (reservation) => {
      const detail: LeadSubmitted = {
        tenantId: input.tenantId,
        submissionId: reservation.id,
        source: input.source,
        formId: input.form?.formId,
        formVersion: input.form?.version,
        submittedAt: reservation.at,
        contact: submission.contact,
        values: submission.values,
        custom: submission.custom,
        utm: submission.utm,
        consents: submission.consents,
        meta: input.meta,
      };
      await deps.bus.publish([leadSubmittedEvent(detail)]);
      return { status: 202, body: { submissionId: reservation.id } };
    },
  );
}

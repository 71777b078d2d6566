import type { Db } from '../../engine/data/dynamo';
import { AppError, NotFoundError } from '../../engine/errors';
import {
  hit,
  leadFormCounter,
  leadIpCounter,
  overLimit,
  type Counter,
} from '../identity/rate-limiter';
import { TenantRepo } from '../platform/tenant.repo';
import { FormPointerRepo, type PublishedForm } from './form.repo';
import type { LeadLimits } from './lead-deps';

// What a landing page may do without signing in. A form id finds its tenant through the global
// FORM#<formId> pointer; the tenant never comes from the client.

/**
 * A published, live form of an active tenant; anything else (archived, never published, malformed
 * id, a suspended tenant's) is missing. A suspended workspace's forms answer 404 rather than
 * `tenant_suspended`: a visitor can do nothing about a suspension, and the world need not learn
 * of one; the form is gone, exactly like an archived one (and the embed shows the same).
 * The status is read on every request, as the authenticated routes read it.
 */
export async function liveForm(db: Db, formId: string): Promise<PublishedForm> {
  const form = /^fm_[0-9a-z]{20}$/.test(formId)
    ? await new FormPointerRepo(db).get(formId)
    : undefined;
  if (!form || !form.live) throw new NotFoundError('Form');
  const tenant = await new TenantRepo(db).get(form.tenantId);
  if (tenant?.status !== 'active') throw new NotFoundError('Form');
  return form;
}

/** A live form of this tenant, for its own API submissions; another tenant's answers like a missing one. */
export async function tenantLiveForm(db: Db, tenantId: string, formId: string) {
  const published = await new FormPointerRepo(db).get(formId);
  if (!published || published.tenantId !== tenantId || !published.live) {
    throw new NotFoundError('Form');
  }
  return { formId: published.formId, version: published.version, definition: published.definition };
}

/**
 * The page posting must be one of the form's allowed origins, or one of ours (the hosted form
 * page, the API's own origin). Returns the origin to answer CORS with.
 */
export function allowedOrigin(
  form: PublishedForm,
  origin: string | undefined,
  ownOrigins: readonly string[],
): string {
  const given = origin?.toLowerCase();
  const allowed = new Set([
    ...form.definition.allowedOrigins.map((o) => o.toLowerCase()),
    ...ownOrigins.map((o) => o.toLowerCase()),
  ]);
  if (!given || !allowed.has(given)) {
    throw new AppError(
      'origin_not_allowed',
      'This form does not accept submissions from this site.',
    );
  }
  return given;
}

/** Counts a submission per form and per sender IP; throws a 429 with Retry-After past either. */
export async function countSubmission(
  db: Db,
  input: { formId: string; ip?: string; limits: LeadLimits; now: Date },
): Promise<void> {
  const counters: Counter[] = [leadFormCounter(input.formId, input.limits.perForm)];
  if (input.ip) counters.push(leadIpCounter(input.ip, input.limits.perIp));
  const blocked = overLimit(await hit(db, input.now, counters), input.now, {
    code: 'rate_limited',
    message: 'Too many submissions.',
  });
  if (blocked) throw blocked;
}

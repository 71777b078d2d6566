import type { Context } from 'hono';
import type { Lead } from './lead.repo';
import { NotFoundError } from '../../engine/errors';
import type { AppDeps } from '../../engine/http/app';

/** The API's public base URL: configured, or the request's own origin (the sandbox). */
export function apiBaseUrl(c: Context, deps: AppDeps): string {
  return deps.leads.publicApiUrl?.replace(/\/$/, '') ?? new URL(c.req.url).origin;
}

/** Signed asset URLs may be relative (`/assets/...`, the sandbox): make them absolute. */
export async function signedAssetUrl(
  c: Context,
  deps: AppDeps,
  key: string,
  ttlSeconds: number,
): Promise<string> {
  const url = await deps.leads.assets.sign(key, ttlSeconds, deps.now?.() ?? new Date());
  return url.startsWith('/') ? `${apiBaseUrl(c, deps)}${url}` : url;
}

export function embedSnippet(base: string, formId: string): string {
  return `<script src="${base}/public/forms/${formId}/embed.js" async></script>`;
}

/** A lead as the API shows it: submission ids summarised, sync status in the contract's shape. */
export function leadView(lead: Lead) {
  const { submissionIds, sync, stageKind: _kind, ...rest } = lead;
  return {
    ...rest,
    submissionCount: submissionIds.length,
    sync: {
      status: sync.status,
      attempts: sync.attempts,
      lastError: sync.lastError,
      lastAttemptAt: sync.lastAttemptAt,
      syncedAt: sync.syncedAt,
    },
  };
}

const idPatterns = {
  Form: /^fm_[0-9a-z]{20}$/,
  Lead: /^ld_[0-9a-z]{22}$/,
  'CRM destination': /^crm_[0-9a-z]{20}$/,
} as const;

/** A path id of the expected shape; anything else is a missing object (404), before any read. */
export function idParam(c: Context, what: keyof typeof idPatterns): string {
  const id = c.req.param('id') ?? '';
  if (!idPatterns[what].test(id)) throw new NotFoundError(what);
  return id;
}

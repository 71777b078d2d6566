import type { AppDeps } from '../../engine/http/route-handler';
import type { FormConfigDeps, FormConfigUrls } from './form-config.service';
import { nowOf } from '../../engine/http/session-deps';

/** The path under which the sandbox serves its blob store's `public/` files, as a CDN would. */
export const sandboxCdnPrefix = '/cdn';

/**
 * Where form configs are served: the configured CDN, or `<apiBase>/cdn` (the sandbox). `apiBase`
 * is the API's public base URL (`apiBaseUrl(c, deps)` in a handler).
 */
export function formConfigUrls(apiBase: string, deps: Pick<AppDeps, 'leads'>): FormConfigUrls {
  const configured = deps.leads.formConfigBaseUrl?.replace(/\/$/, '');
  return { apiBase, configBase: configured ?? `${apiBase}${sandboxCdnPrefix}` };
}

/** What `syncFormConfig` needs, from a request's deps. */
export function formConfigDeps(apiBase: string, deps: AppDeps): FormConfigDeps {
  return { db: deps.db, blobs: deps.blobs, now: nowOf(deps), urls: formConfigUrls(apiBase, deps) };
}

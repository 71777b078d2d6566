import type { Context } from 'hono';
import type { AppDeps } from './route-handler';

// Absolute URLs the API hands out (form submit URLs, embed snippets, signed asset links): the
// configured public base, or the request's own origin in the sandbox.

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

/** `signedAssetUrl` for one request and lifetime, as views take it: `(key) => url`. */
export function assetUrlSigner(
  c: Context,
  deps: AppDeps,
  ttlSeconds: number,
): (key: string) => Promise<string> {
  return (key) => signedAssetUrl(c, deps, key, ttlSeconds);
}

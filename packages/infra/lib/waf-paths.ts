import type { RouteSpec } from './server';

// Regexes over the request path WAF sees. On the execute-api host that path starts with the stage
// (`/prod/auth/login`); behind a custom domain it does not, so the stage prefix is optional.

function escape(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

/** `/conversations/{id}` -> `^(/prod)?/conversations/[^/]+/?$`. */
export function routePathRegex(path: string, stage: string): string {
  const body = path
    .split('/')
    .map((segment) => (/^\{\w+\+?\}$/.test(segment) ? '[^/]+' : escape(segment)))
    .join('/');
  return `^(/${escape(stage)})?${body}/?$`;
}

/** The literal part of a path before its first parameter: `/admin/dlq/{queue}` -> `/admin/dlq`. */
export function staticPrefix(path: string): string {
  const segments = path.split('/');
  const firstParam = segments.findIndex((s) => s.startsWith('{'));
  return (firstParam === -1 ? segments : segments.slice(0, firstParam)).join('/');
}

/** One regex matching these routes and anything below their static prefixes (fails closed). */
export function routeTreeRegex(routes: readonly RouteSpec[], stage: string): string {
  const prefixes = [...new Set(routes.map((r) => staticPrefix(r.path)))].sort();
  // Drop prefixes already covered by a shorter one.
  const minimal = prefixes.filter(
    (p) => !prefixes.some((q) => q !== p && (p.startsWith(`${q}/`) || q === '')),
  );
  return `^(/${escape(stage)})?(${minimal.map(escape).join('|')})(/|$)`;
}

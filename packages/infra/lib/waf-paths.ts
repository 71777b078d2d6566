import type { RouteSpec } from './server';

// Regexes over the request path WAF sees. On the execute-api host that path starts with the stage
// (`/prod/auth/login`); behind a custom domain it does not, so the stage prefix is optional.

/** WAF's limit on one regex string. */
export const maxRegexLength = 512;

function escape(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

/** `/conversations/{id}` -> `/conversations/[^/]+` (a parameter is one path segment). */
function pathBody(path: string): string {
  return path
    .split('/')
    .map((segment) => (/^\{\w+\+?\}$/.test(segment) ? '[^/]+' : escape(segment)))
    .join('/');
}

function exactly(bodies: string[], stage: string): string {
  const body = bodies.length === 1 ? bodies[0] : `(${bodies.join('|')})`;
  return `^(/${escape(stage)})?${body}/?$`;
}

/** `/conversations/{id}` -> `^(/prod)?/conversations/[^/]+/?$`. */
export function routePathRegex(path: string, stage: string): string {
  return exactly([pathBody(path)], stage);
}

/** As few regexes as fit WAF's length limit, together matching exactly these paths. */
export function routesRegexes(paths: readonly string[], stage: string): string[] {
  const bodies = [...new Set(paths)].map(pathBody);
  const out: string[] = [];
  let group: string[] = [];
  for (const body of bodies) {
    if (group.length > 0 && exactly([...group, body], stage).length > maxRegexLength) {
      out.push(exactly(group, stage));
      group = [];
    }
    group.push(body);
  }
  if (group.length > 0) out.push(exactly(group, stage));
  return out;
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
  const regex = `^(/${escape(stage)})?(${minimal.map(escape).join('|')})(/|$)`;
  if (regex.length > maxRegexLength) throw new Error('admin route prefixes exceed a WAF regex');
  return regex;
}

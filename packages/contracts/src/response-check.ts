import type { ZodType } from 'zod';
import { apiErrorSchema, errorCatalog, type ErrorCode } from './errors';
import { errorCodesOf, type RouteContract } from './route-contract';
import { routeList } from './routes';

// Checks an HTTP answer against its route's contract: a success status the route declares, a
// body its response schema accepts with no field the schema does not name, or an error whose
// code the route may answer, with that code's status. The integration suites run every response
// they receive through it, so a field added on one side and not the other fails CI.

export type ResponseViolation = { route: string; status: number; problems: string[] };

type Matcher = { route: RouteContract & { id: string }; regex: RegExp };

let matchers: Matcher[] | undefined;

function routeMatchers(): Matcher[] {
  matchers ??= routeList.map((route) => ({
    route,
    regex: new RegExp(
      `^${route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, '[^/]+')}$`,
    ),
  }));
  return matchers;
}

/** The contract a request reaches, by method and path (the query string ignored). */
export function routeFor(
  method: string,
  path: string,
): (RouteContract & { id: string }) | undefined {
  const pathname = path.split('?')[0]!;
  return routeMatchers().find(
    (m) => m.route.method === method.toUpperCase() && m.regex.test(pathname),
  )?.route;
}

/** Fields present in `raw` that parsing dropped: what the schema does not declare. */
function undeclaredFields(raw: unknown, parsed: unknown, at = ''): string[] {
  if (Array.isArray(raw) && Array.isArray(parsed)) {
    return raw.flatMap((item, i) => undeclaredFields(item, parsed[i], `${at}[${i}]`));
  }
  if (raw && parsed && typeof raw === 'object' && typeof parsed === 'object') {
    const out: string[] = [];
    for (const [key, value] of Object.entries(raw)) {
      const path = at ? `${at}.${key}` : key;
      if (!(key in parsed)) out.push(path);
      else out.push(...undeclaredFields(value, (parsed as Record<string, unknown>)[key], path));
    }
    return out;
  }
  return [];
}

function checkBody(schema: ZodType, body: unknown): string[] {
  const result = schema.safeParse(body);
  if (!result.success) {
    return result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
    );
  }
  return undeclaredFields(body, result.data).map((path) => `${path}: not in the response schema`);
}

/**
 * Codes any route may answer, whatever it declares: the edge's own failures, and a 503 with
 * Retry-After while the database is briefly out of reach (the sandbox restarting its child).
 */
const everywhere: ErrorCode[] = ['internal_error', 'payload_too_large', 'service_unavailable'];

export function checkResponse(
  route: RouteContract & { id: string },
  status: number,
  contentType: string | null,
  body: unknown,
): ResponseViolation | undefined {
  const problems: string[] = [];
  if (status >= 400) {
    const parsed = apiErrorSchema.safeParse(body);
    if (!parsed.success) {
      problems.push('error body is not { error: { code, message } }');
    } else {
      const code = parsed.data.error.code as ErrorCode;
      const known = errorCatalog[code];
      if (!known) problems.push(`error code ${code} is not in the error catalog`);
      else if (known.status !== status) {
        problems.push(`error code ${code} answered ${status}, the catalog says ${known.status}`);
      } else if (!errorCodesOf(route).includes(code) && !everywhere.includes(code)) {
        problems.push(`error code ${code} is not among the route's errors`);
      }
    }
  } else {
    const spec = route.responses[status];
    if (!spec) problems.push(`status ${status} is not among the route's responses`);
    else if (spec.schema) {
      if (!contentType?.includes('json')) problems.push(`content-type ${contentType} is not JSON`);
      else problems.push(...checkBody(spec.schema, body));
    } else if (
      spec.contentType &&
      spec.contentType !== '*/*' &&
      !contentType?.startsWith(spec.contentType)
    ) {
      problems.push(`content-type ${contentType}, the contract says ${spec.contentType}`);
    }
  }
  return problems.length ? { route: route.id, status, problems } : undefined;
}

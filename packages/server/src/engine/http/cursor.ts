import { createHmac } from 'node:crypto';
import type { ZodType } from 'zod';
import { canonicalJson } from '../data/idempotent-request';
import { AppError } from '../errors';
import { macMatches } from '../security/mac-compare';

// Page cursors are opaque to clients and sealed by the server: base64url JSON of the few sort-key
// values a list needs, then an HMAC over those values and the cursor's scope: the route, the
// caller's tenant and every other query parameter. A cursor taken from another route, another
// tenant, another filter or another range, or edited by hand, fails the seal and is a 400 before
// any read; the data layer also refuses a start key outside its query (dynamo.ts), so even a
// correctly sealed position can never move a query out of its own bounds.

const macBytes = 16;

/** Query parameters that may change between pages of the same list. */
const pageParams = new Set(['cursor', 'limit']);

export type CursorScope = {
  route: string;
  tenant: string;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
};

function scopeText(scope: CursorScope): string {
  const filters = Object.fromEntries(
    Object.entries(scope.query ?? {}).filter(([name]) => !pageParams.has(name)),
  );
  return [
    scope.route,
    scope.tenant,
    canonicalJson(scope.params ?? {}),
    canonicalJson(filters),
  ].join('\n');
}

function mac(key: Uint8Array, scope: CursorScope, payload: string): Buffer {
  return createHmac('sha256', key)
    .update(`${scopeText(scope)}\n${payload}`)
    .digest()
    .subarray(0, macBytes);
}

const invalid = () =>
  new AppError('bad_request', 'The cursor is not valid for this list.', { param: 'cursor' });

export function sealCursor(
  key: Uint8Array,
  scope: CursorScope,
  value: Record<string, string>,
): string {
  const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${payload}.${mac(key, scope, payload).toString('base64url')}`;
}

export function openCursor<T>(
  key: Uint8Array,
  scope: CursorScope,
  cursor: string,
  schema: ZodType<T>,
): T {
  const [payload, seal, ...rest] = cursor.split('.');
  if (!payload || !seal || rest.length > 0) throw invalid();
  if (!macMatches(seal, mac(key, scope, payload))) throw invalid();
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid();
  return parsed.data;
}

/** What a list handler gets: its own query's cursor, read and written under that query's scope. */
export type PageCursor = {
  /** The request's `cursor`, verified and parsed; undefined on the first page. */
  read<T>(schema: ZodType<T>): Promise<T | undefined>;
  /** The cursor of the next page, or null when there is none. */
  next(value: Record<string, string> | undefined | null): Promise<string | null>;
};

export function pageCursor(
  key: () => Promise<Uint8Array>,
  scope: CursorScope,
  given: string | undefined,
): PageCursor {
  return {
    async read(schema) {
      if (given === undefined) return undefined;
      return openCursor(await key(), scope, given, schema);
    },
    async next(value) {
      return value ? sealCursor(await key(), scope, value) : null;
    },
  };
}

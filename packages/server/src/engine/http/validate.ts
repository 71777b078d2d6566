import type { z } from 'zod';
import { type ZodType } from 'zod';
import { AppError } from '../errors';

/** Zod issues as `{ "path.to.field": "message" }`, the shape clients can show next to inputs. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.join('.') || '(body)';
    out[path] ??= issue.message;
  }
  return out;
}

/** Opaque cursors: base64url JSON of the few sort-key fields a list needs; the server rebuilds the keys. */
export function encodeCursor(value: Record<string, string>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string | undefined, schema: ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('bad_request', 'The cursor is not valid.', { param: 'cursor' });
  }
}

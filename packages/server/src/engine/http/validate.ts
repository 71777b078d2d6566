import type { Context } from 'hono';
import { z, type ZodType } from 'zod';
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

export async function parseJsonBody<T>(c: Context, schema: ZodType<T>, text?: string): Promise<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? (await c.req.text()));
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new AppError('validation_failed', 'The request body is invalid.', {
      fields: fieldErrors(result.error),
    });
  }
  return result.data;
}

export function parseQuery<T>(c: Context, schema: ZodType<T>): T {
  const result = schema.safeParse(c.req.query());
  if (!result.success) {
    throw new AppError('validation_failed', 'The query string is invalid.', {
      fields: fieldErrors(result.error),
    });
  }
  return result.data;
}

export const pageSizeSchema = z.coerce.number().int().min(1).max(100).default(25);

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

import type { Context } from 'hono';
import { NotFoundError } from '../errors';

/** Longer than any id we mint (ids are ~23 characters, Meta ids ~20 digits). */
const maxParamLength = 128;

/**
 * Path ids end up in DynamoDB keys, which refuse keys over 1-2 KB with a server error. An id no
 * object can have is simply not found: 404 before any handler builds a key from it.
 */
export function assertPathParams(c: Context): void {
  for (const value of Object.values(c.req.param() as Record<string, string>)) {
    if (value.length > maxParamLength) throw new NotFoundError('Object');
  }
}

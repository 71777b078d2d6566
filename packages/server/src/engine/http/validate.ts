import type { z } from 'zod';

/** Zod issues as `{ "path.to.field": "message" }`, the shape clients can show next to inputs. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.join('.') || '(body)';
    out[path] ??= issue.message;
  }
  return out;
}

import { z } from 'zod';

// Pieces several route contracts share.

export const KiB = 1024;
export const MiB = 1024 * KiB;

export const pageSizeSchema = z.coerce.number().int().min(1).max(100).default(25);
export const cursorSchema = z.string().max(2048).optional();
/** `?limit=&cursor=`: an opaque cursor the server made (base64url of sort-key values). */
export const listQuerySchema = z.object({ limit: pageSizeSchema, cursor: cursorSchema });

export const noContent = { description: 'Done; no body.' } as const;

/** Makes retries safe: the same key answers with the first response (24 h). */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'Printable ASCII without spaces.');

import { z } from 'zod';

/** Every error the API returns: `{ error: { code, message, ...details } }`. */
export const apiErrorSchema = z.object({
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional(),
    })
    .passthrough(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

import { z } from 'zod';

// Response shapes of routes that have no schema in @switchboard/contracts yet. Each moves to the
// contracts package when its route lands there; keep these tolerant (optional fields) meanwhile.

export const brandingSchema = z
  .object({
    primaryColor: z.string().nullish(),
    accentColor: z.string().nullish(),
    logoUrl: z.string().nullish(),
    displayName: z.string().nullish(),
  })
  .passthrough();
export type Branding = z.infer<typeof brandingSchema>;

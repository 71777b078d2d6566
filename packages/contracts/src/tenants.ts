import { z } from 'zod';

export const createTenantRequestSchema = z.object({
  name: z.string().trim().min(1).max(120),
  ownerEmail: z.email().max(254),
  ownerPassword: z.string().min(10, 'Use at least 10 characters.').max(1024),
});
export type CreateTenantRequest = z.infer<typeof createTenantRequestSchema>;

export const tenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'suspended']),
  createdAt: z.string(),
});
export type TenantDto = z.infer<typeof tenantSchema>;

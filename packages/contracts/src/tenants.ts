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

/** A workspace's sign-in rules, which its owners set. */
export const securityPolicySchema = z.object({
  /** Owners and admins must use two-factor sign-in to reach the workspace. */
  requireTwoFactorForAdmins: z.boolean(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export type SecurityPolicy = z.infer<typeof securityPolicySchema>;

export const updateSecurityPolicyRequestSchema = z.object({
  requireTwoFactorForAdmins: z.boolean(),
});

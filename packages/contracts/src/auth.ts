import { z } from 'zod';

export const roleSchema = z.enum(['owner', 'admin', 'agent', 'viewer']);

export const loginRequestSchema = z.object({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const tenantMembershipSchema = z.object({
  tenantId: z.string(),
  name: z.string().optional(),
  role: roleSchema,
});

export const loginResponseSchema = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number(),
  user: z.object({ id: z.string(), email: z.string(), platformAdmin: z.boolean() }),
  tenantId: z.string().optional(),
  tenants: z.array(tenantMembershipSchema),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

import { z } from 'zod';

import { apiKeyScopeSchema, roleSchema } from './access';

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
  /** Seconds until the access token expires. */
  expiresIn: z.number(),
  /** Single use: `POST /auth/refresh` swaps it for a new pair; a reused one ends the session. */
  refreshToken: z.string(),
  refreshExpiresIn: z.number(),
  user: z.object({ id: z.string(), email: z.string(), platformAdmin: z.boolean() }),
  tenantId: z.string().optional(),
  tenants: z.array(tenantMembershipSchema),
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

// Passwords: long enough to resist guessing, bounded so scrypt cannot be made to chew megabytes.
export const newPasswordSchema = z.string().min(10, 'Use at least 10 characters.').max(1024);

export const refreshRequestSchema = z.object({ refreshToken: z.string().min(1).max(512) });
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const switchTenantRequestSchema = z.object({ tenantId: z.string().min(1).max(64) });
export type SwitchTenantRequest = z.infer<typeof switchTenantRequestSchema>;

export const changePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: newPasswordSchema,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

export const acceptInviteRequestSchema = z.object({
  token: z.string().min(1).max(512),
  /** A new account's password, or the existing account's current one (it is not changed). */
  password: z.string().min(1).max(1024),
});
export type AcceptInviteRequest = z.infer<typeof acceptInviteRequestSchema>;

// Team
export const inviteUserRequestSchema = z.object({
  email: z.email().max(254),
  role: roleSchema,
});
export type InviteUserRequest = z.infer<typeof inviteUserRequestSchema>;

export const inviteUserResponseSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  /** Shown once; only its hash is stored. */
  inviteToken: z.string(),
  inviteUrl: z.string().optional(),
  expiresAt: z.string(),
});
export type InviteUserResponse = z.infer<typeof inviteUserResponseSchema>;

export const updateUserRequestSchema = z.object({ role: roleSchema });
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

export const memberSchema = z.object({
  id: z.string(),
  email: z.string().optional(),
  role: roleSchema,
  disabled: z.boolean(),
});
export type MemberDto = z.infer<typeof memberSchema>;

// API keys

export const createApiKeyRequestSchema = z.object({
  name: z.string().trim().min(1).max(120),
  scopes: z
    .array(apiKeyScopeSchema)
    .min(1)
    .max(3)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'Each scope once.'),
});
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The visible start of the key (`sk_live_<id>_`), enough to recognise it; never the secret. */
  prefix: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  createdAt: z.string(),
  createdBy: z.string().optional(),
  lastUsedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type ApiKeyDto = z.infer<typeof apiKeySchema>;

export const createApiKeyResponseSchema = apiKeySchema.extend({
  /** Shown once; only its SHA-256 is stored. */
  key: z.string(),
});
export type CreateApiKeyResponse = z.infer<typeof createApiKeyResponseSchema>;

// Audit
export const auditEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  actor: z.object({
    kind: z.enum(['user', 'apiKey', 'anonymous', 'system']),
    id: z.string().optional(),
    email: z.string().optional(),
  }),
  target: z.object({ type: z.string(), id: z.string() }).optional(),
  ip: z.string().optional(),
  userAgent: z.string().optional(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type AuditEventDto = z.infer<typeof auditEventSchema>;

export const listAuditEventsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

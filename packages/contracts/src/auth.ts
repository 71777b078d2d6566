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

/** A refresh answered from the httpOnly cookie carries no refresh token: the new one is the cookie. */
export const refreshResponseSchema = loginResponseSchema.extend({
  refreshToken: z.string().optional(),
});
export type RefreshResponse = z.infer<typeof refreshResponseSchema>;
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const switchTenantRequestSchema = z.object({ tenantId: z.string().min(1).max(64) });
export type SwitchTenantRequest = z.infer<typeof switchTenantRequestSchema>;

export const changePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: newPasswordSchema,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

// Password reset by e-mail: the answer never says whether the address has an account.
export const passwordResetRequestSchema = z.object({ email: z.email().max(254) });
export type PasswordResetRequest = z.infer<typeof passwordResetRequestSchema>;

export const passwordResetAcceptedSchema = z.object({ message: z.string() });
export type PasswordResetAccepted = z.infer<typeof passwordResetAcceptedSchema>;

export const passwordResetConfirmRequestSchema = z.object({
  /** From the link in the reset e-mail; single use, valid 30 minutes. */
  token: z.string().min(1).max(512),
  password: newPasswordSchema,
});
export type PasswordResetConfirmRequest = z.infer<typeof passwordResetConfirmRequestSchema>;

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

/** An invitation as its tenant's admins see it: never its token, which only the invitee's mail holds. */
export const invitationStatusSchema = z.enum(['pending', 'accepted', 'revoked', 'expired']);
export type InvitationStatus = z.infer<typeof invitationStatusSchema>;

export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  status: invitationStatusSchema,
  invitedBy: z.string().optional(),
  createdAt: z.string(),
  /** When the link was last mailed (creation or the latest resend). */
  sentAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type InvitationDto = z.infer<typeof invitationSchema>;

/** The answer to an invitation: no token and no link (the invitee gets them by mail). */
export const inviteUserResponseSchema = invitationSchema;
export type InviteUserResponse = z.infer<typeof inviteUserResponseSchema>;

export const updateUserRequestSchema = z.object({ role: roleSchema });
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

export const memberSchema = z.object({
  id: z.string(),
  email: z.string().optional(),
  role: roleSchema,
  disabled: z.boolean(),
  /** Takes auto-assigned conversations (`PUT /users/me/availability`); true until the member says otherwise. */
  available: z.boolean(),
});
export type MemberDto = z.infer<typeof memberSchema>;

// API keys

/** An IPv4 or IPv6 range in CIDR notation (`203.0.113.0/24`, `2001:db8::/32`), or one address. */
export const ipRangeSchema = z
  .union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()])
  .describe('A CIDR range such as 203.0.113.0/24 or 2001:db8::/32, or a single address.');

/** Where a key may be used from: at most 50 ranges; empty or absent, from anywhere. */
export const allowedIpsSchema = z
  .array(ipRangeSchema)
  .max(50)
  .refine((ranges) => new Set(ranges).size === ranges.length, 'Each range once.')
  .describe('Requests with this key from any other address answer 403 `ip_not_allowed`.');

export const createApiKeyRequestSchema = z.object({
  name: z.string().trim().min(1).max(120),
  scopes: z
    .array(apiKeyScopeSchema)
    .min(1)
    .max(3)
    .refine((scopes) => new Set(scopes).size === scopes.length, 'Each scope once.'),
  allowedIps: allowedIpsSchema.optional(),
});

export const updateApiKeyRequestSchema = z
  .object({ allowedIps: allowedIpsSchema })
  .strict()
  .describe('Replaces the key’s allowed ranges; an empty list allows every address again.');
export type CreateApiKeyRequest = z.infer<typeof createApiKeyRequestSchema>;

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The visible start of the key (`sk_live_<id>_`), enough to recognise it; never the secret. */
  prefix: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  /** Absent or empty: usable from any address. */
  allowedIps: z.array(z.string()).optional(),
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

// Two-factor sign-in (TOTP, RFC 6238) and recovery codes

/** Six digits from an authenticator app; spaces are ignored. */
export const totpCodeSchema = z.string().trim().min(1).max(16);
/** One of the ten recovery codes (`xxxx-xxxx-xxxx-xxxx`); case, spaces and dashes are ignored. */
export const recoveryCodeSchema = z.string().trim().min(1).max(64);

/** `POST /auth/login` with the right password, for an account with two-factor on: no session yet. */
export const twoFactorChallengeSchema = z.object({
  twoFactorRequired: z.literal(true),
  /** Single use and short-lived: send it with a code to `POST /auth/login/two-factor`. */
  challenge: z.string(),
  /** Seconds until the challenge expires (then sign in with the password again). */
  expiresIn: z.number(),
});
export type TwoFactorChallenge = z.infer<typeof twoFactorChallengeSchema>;

/** What a password sign-in answers: a session, or a challenge when two-factor is on. */
export const loginAnswerSchema = z.union([loginResponseSchema, twoFactorChallengeSchema]);
export type LoginAnswer = z.infer<typeof loginAnswerSchema>;

const oneSecondFactor = (v: { code?: string; recoveryCode?: string }) =>
  (v.code === undefined) !== (v.recoveryCode === undefined);
const oneSecondFactorIssue = { message: 'Send either code or recoveryCode.', path: ['code'] };

export const loginTwoFactorRequestSchema = z
  .object({
    challenge: z.string().min(1).max(512),
    code: totpCodeSchema.optional(),
    recoveryCode: recoveryCodeSchema.optional(),
  })
  .refine(oneSecondFactor, oneSecondFactorIssue);
export type LoginTwoFactorRequest = z.infer<typeof loginTwoFactorRequestSchema>;

export const twoFactorStatusSchema = z.object({
  enabled: z.boolean(),
  enabledAt: z.string().optional(),
  /** An enrolment was started and awaits its first code. */
  pending: z.boolean(),
  recoveryCodesLeft: z.number(),
  /** Workspaces whose policy asks this person (an owner or admin there) to use two-factor. */
  requiredBy: z.array(z.object({ tenantId: z.string(), name: z.string().optional() })),
});
export type TwoFactorStatus = z.infer<typeof twoFactorStatusSchema>;

/** Starting an enrolment asks for the password: a stolen session must not lock the owner out. */
export const startTwoFactorRequestSchema = z.object({ password: z.string().min(1).max(1024) });

export const startTwoFactorResponseSchema = z.object({
  /** Base32, for typing into an authenticator app. */
  secret: z.string(),
  /** `otpauth://totp/…`: what a QR code would carry. */
  otpauthUri: z.string(),
  issuer: z.string(),
  accountName: z.string(),
  digits: z.number(),
  period: z.number(),
});
export type StartTwoFactorResponse = z.infer<typeof startTwoFactorResponseSchema>;

export const confirmTwoFactorRequestSchema = z.object({ code: totpCodeSchema });

export const recoveryCodesResponseSchema = z.object({
  /** Shown once; only their hashes are stored, and each works once. */
  recoveryCodes: z.array(z.string()),
});
export type RecoveryCodesResponse = z.infer<typeof recoveryCodesResponseSchema>;

export const disableTwoFactorRequestSchema = z
  .object({
    password: z.string().min(1).max(1024),
    code: totpCodeSchema.optional(),
    recoveryCode: recoveryCodeSchema.optional(),
  })
  .refine(oneSecondFactor, oneSecondFactorIssue);

export const regenerateRecoveryCodesRequestSchema = z.object({
  password: z.string().min(1).max(1024),
  code: totpCodeSchema,
});

// Sessions (sign-ins) of the caller

export const sessionSchema = z.object({
  id: z.string(),
  /** The session this request was made with. */
  current: z.boolean(),
  /** Read from the User-Agent: "Firefox on Windows", "curl". */
  device: z.string(),
  userAgent: z.string().optional(),
  /** Where it signed in from, and where it last renewed its token from. */
  ip: z.string().optional(),
  lastIp: z.string().optional(),
  createdAt: z.string(),
  /** Its last token renewal (every few minutes while the app is open), or its sign-in. */
  lastUsedAt: z.string(),
  expiresAt: z.string(),
});
export type SessionDto = z.infer<typeof sessionSchema>;

export const sessionListSchema = z.object({ items: z.array(sessionSchema) });

export const revokeSessionsRequestSchema = z.object({
  /** Keep the session making this request (sign out everywhere else); false ends it too. */
  keepCurrent: z.boolean().default(true),
});
export const revokeSessionsResponseSchema = z.object({ revoked: z.number() });

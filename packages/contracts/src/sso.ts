import { z } from 'zod';

// Single sign-on with OpenID Connect: the start and callback of a sign-in (browser redirects, so
// their inputs are query strings and their failures a machine-readable `?error=` on the login
// page), and a workspace's settings: its own identity provider and the e-mail domains it admits.

/** `acme-corp`: the workspace's sign-in address, what people type on the login page. */
export const ssoSlugSchema = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Lowercase letters, digits and hyphens.');

/** `acme.com`: a DNS name, lowercased by the client or the server before comparison. */
export const emailDomainSchema = z
  .string()
  .min(3)
  .max(253)
  .regex(
    /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
    'A domain name such as example.com.',
  );

/**
 * `GET /auth/sso/start`: which identity provider. `tenant` (a workspace's sign-in address or id)
 * uses that workspace's own provider, or the platform's when it has none; `email` finds the
 * workspace by its e-mail domain; `provider=platform` alone signs in with the platform's.
 */
export const ssoStartQuerySchema = z.object({
  tenant: z.string().max(128).optional(),
  email: z.string().max(254).optional(),
  provider: z.string().max(32).optional(),
  /** Where in the web app to land afterwards (an `/app/…` path; anything else is ignored). */
  next: z.string().max(512).optional(),
});
export type SsoStartQuery = z.infer<typeof ssoStartQuerySchema>;

/** What the identity provider appends to the callback (RFC 6749 §4.1.2, RFC 9207 `iss`). */
export const ssoCallbackQuerySchema = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(512).optional(),
  iss: z.string().max(2048).optional(),
  error: z.string().max(256).optional(),
  error_description: z.string().max(2048).optional(),
});

export const ssoProvidersSchema = z.object({
  /** The platform's identity provider (e.g. the Amazon Cognito user pool), when one is configured. */
  platform: z.object({ name: z.string() }).optional(),
});
export type SsoProviders = z.infer<typeof ssoProvidersSchema>;

export const ssoIdentityProviderSchema = z.object({
  /** The issuer identifier: `<issuer>/.well-known/openid-configuration` is its discovery document. */
  issuer: z.string(),
  clientId: z.string(),
  /** Whether a client secret is stored (it is never shown again). */
  clientSecretSet: z.boolean(),
  /** What the login page calls it ("Okta", "Google Workspace"). */
  displayName: z.string().optional(),
});

export const ssoSettingsSchema = z.object({
  /** The workspace's sign-in address on the login page. */
  slug: z.string().optional(),
  /** New people with a verified e-mail on these domains join as agents. */
  allowedDomains: z.array(z.string()),
  /** The workspace's own identity provider; absent, its members use the platform's (if any). */
  identityProvider: ssoIdentityProviderSchema.optional(),
  /** The redirect URI to register at the identity provider. */
  callbackUrl: z.string(),
  /** Whether the platform has an identity provider of its own, which this workspace can use. */
  platformProvider: z.object({ name: z.string() }).optional(),
  updatedAt: z.string().optional(),
  updatedBy: z.string().optional(),
});
export type SsoSettings = z.infer<typeof ssoSettingsSchema>;

export const updateSsoSettingsRequestSchema = z.object({
  slug: ssoSlugSchema.nullable().optional(),
  allowedDomains: z.array(emailDomainSchema).max(20).default([]),
  identityProvider: z
    .object({
      issuer: z.url({ protocol: /^https?$/ }).max(2048),
      clientId: z.string().min(1).max(256),
      /** Required the first time (or with a new issuer); left out, the stored one is kept. */
      clientSecret: z.string().min(1).max(2048).optional(),
      displayName: z.string().min(1).max(64).optional(),
    })
    .nullable()
    .optional(),
});
export type UpdateSsoSettingsRequest = z.input<typeof updateSsoSettingsRequestSchema>;

/**
 * The `?error=` codes the callback may put on the login page (each in the error catalog, whose
 * sentence the page shows). Also `account_disabled`, `tenant_suspended`, `too_many_attempts`.
 */
export const ssoRedirectErrorCodes = [
  'sso_not_configured',
  'sso_state_invalid',
  'sso_denied',
  'sso_failed',
  'sso_email_unverified',
  'sso_not_allowed',
  'sso_account_not_eligible',
  'sso_account_mismatch',
  'account_disabled',
  'tenant_suspended',
  'too_many_attempts',
] as const;
export type SsoRedirectErrorCode = (typeof ssoRedirectErrorCodes)[number];

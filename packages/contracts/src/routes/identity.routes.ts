import { z } from 'zod';
import {
  acceptInviteRequestSchema,
  apiKeySchema,
  changePasswordRequestSchema,
  createApiKeyRequestSchema,
  updateApiKeyRequestSchema,
  createApiKeyResponseSchema,
  invitationSchema,
  inviteUserRequestSchema,
  inviteUserResponseSchema,
  loginRequestSchema,
  loginResponseSchema,
  memberSchema,
  passwordResetAcceptedSchema,
  passwordResetConfirmRequestSchema,
  passwordResetRequestSchema,
  refreshRequestSchema,
  refreshResponseSchema,
  switchTenantRequestSchema,
  updateUserRequestSchema,
  // Two-factor and sessions
  confirmTwoFactorRequestSchema,
  disableTwoFactorRequestSchema,
  loginAnswerSchema,
  loginTwoFactorRequestSchema,
  recoveryCodesResponseSchema,
  regenerateRecoveryCodesRequestSchema,
  revokeSessionsRequestSchema,
  revokeSessionsResponseSchema,
  sessionListSchema,
  startTwoFactorRequestSchema,
  startTwoFactorResponseSchema,
  twoFactorStatusSchema,
} from '../auth';
import { roleSchema } from '../access';
import { securityPolicySchema, updateSecurityPolicyRequestSchema } from '../tenants';
import { pageOf } from '../conversations';
import {
  ssoCallbackQuerySchema,
  ssoProvidersSchema,
  ssoSettingsSchema,
  ssoStartQuerySchema,
  updateSsoSettingsRequestSchema,
} from '../sso';
import {
  signupAcceptedSchema,
  signupConfirmRequestSchema,
  signupRequestSchema,
  signupStatusSchema,
} from '../signup';
import { defineRoutes } from '../route-contract';
import { KiB, listQuerySchema, noContent } from './common';

export const meResponseSchema = z.object({
  user: z.object({ id: z.string(), email: z.string().optional(), platformAdmin: z.boolean() }),
  tenantId: z.string().optional(),
  role: roleSchema.optional(),
  tenants: z.array(
    z.object({ tenantId: z.string(), name: z.string().optional(), role: roleSchema }),
  ),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

export const jwksSchema = z.object({
  keys: z.array(z.record(z.string(), z.union([z.string(), z.array(z.string())]))),
});

export const authRoutes = defineRoutes({
  'auth.login': {
    method: 'POST',
    path: '/auth/login',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Sign in with e-mail and password',
    description:
      'Failed attempts slow down only the client making them (per account and client, growing waits), plus a looser cap per IP: 429 `too_many_requests` with Retry-After. With two-factor on, the right password answers a challenge instead of a session: complete it at `POST /auth/login/two-factor`.',
    body: loginRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      200: {
        description: 'An access token and a refresh token, or a two-factor challenge.',
        schema: loginAnswerSchema,
      },
    },
    errors: ['invalid_credentials', 'account_disabled', 'too_many_requests'],
  },
  'auth.me': {
    method: 'GET',
    path: '/auth/me',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'The signed-in user and their workspaces',
    responses: { 200: { description: 'The caller.', schema: meResponseSchema } },
  },
  jwks: {
    method: 'GET',
    path: '/.well-known/jwks.json',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Public keys that verify access tokens (JWKS)',
    responses: { 200: { description: 'A JSON Web Key Set.', schema: jwksSchema } },
  },
  'auth.refresh': {
    method: 'POST',
    path: '/auth/refresh',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Exchange a refresh token for a new session pair',
    description:
      'Refresh tokens rotate: each is single-use, and reusing one ends its session. The web app sends no body: its refresh token is an httpOnly cookie on `/auth`.',
    // Optional, and the cookie wins: the handler reads whichever the client sent.
    rawBody: { contentType: 'application/json', schema: refreshRequestSchema },
    maxBodyBytes: 4 * KiB,
    responses: {
      200: {
        description:
          'New tokens. With the cookie, the new refresh token is only in the cookie (`refreshToken` is absent from the body).',
        schema: refreshResponseSchema,
      },
    },
    errors: ['unauthenticated', 'invalid_token', 'token_reused', 'conflict'],
  },
  'auth.logout': {
    method: 'POST',
    path: '/auth/logout',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'End the current session',
    maxBodyBytes: 4 * KiB,
    responses: { 204: noContent },
  },
  'auth.switchTenant': {
    method: 'POST',
    path: '/auth/switch-tenant',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'Switch the session to another workspace the user belongs to',
    body: switchTenantRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'Tokens for that workspace.', schema: loginResponseSchema } },
    errors: ['forbidden', 'tenant_suspended'],
  },
  'auth.password': {
    method: 'POST',
    path: '/auth/password',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'Change the password (ends other sessions)',
    body: changePasswordRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: { 204: noContent },
    errors: ['invalid_credentials', 'too_many_requests'],
  },
  'auth.acceptInvite': {
    method: 'POST',
    path: '/auth/accept-invite',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Accept an invitation to a workspace',
    body: acceptInviteRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      200: {
        description: 'Signed in to the workspace (or, with two-factor on, a challenge).',
        schema: loginAnswerSchema,
      },
    },
    errors: ['invalid_token', 'invalid_credentials', 'too_many_requests', 'already_member'],
  },
  'auth.passwordReset': {
    method: 'POST',
    path: '/auth/password-reset',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Send a password reset link to an e-mail address',
    description:
      'Always 202 with the same body, whether or not an account has that address (only an existing, enabled account gets the mail). The link is valid for 30 minutes and works once. Limited per address and per client.',
    body: passwordResetRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: {
      202: {
        description: 'Accepted; a mail is on its way if the address has an account.',
        schema: passwordResetAcceptedSchema,
      },
    },
    errors: ['too_many_attempts'],
  },
  'auth.passwordResetConfirm': {
    method: 'POST',
    path: '/auth/password-reset/confirm',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Set a new password with the token from a reset e-mail',
    description:
      'The token works once, for 30 minutes after it was mailed. Every session of the account ends: sign in again with the new password.',
    body: passwordResetConfirmRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: { 204: noContent },
    errors: ['invalid_token', 'too_many_attempts'],
  },
  // ---- self-serve sign-up: a workspace of one's own, once the e-mail is verified
  'auth.signup.status': {
    method: 'GET',
    path: '/auth/signup',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Whether anyone may create a workspace (the login page offers it only then)',
    responses: { 200: { description: 'Open or closed.', schema: signupStatusSchema } },
  },
  'auth.signup': {
    method: 'POST',
    path: '/auth/signup',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Start a sign-up: mails a verification link to the address',
    description:
      'Always 202 with the same body, whether or not an account has that address: a new address gets a verification link (valid 24 hours, works once), an existing account a note that someone tried to sign up with it. 403 `signup_disabled` when the platform has closed sign-up. Limited per address and per client.',
    body: signupRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      202: {
        description: 'Accepted; a mail is on its way to the address.',
        schema: signupAcceptedSchema,
      },
    },
    errors: ['signup_disabled', 'too_many_attempts'],
  },
  'auth.signup.confirm': {
    method: 'POST',
    path: '/auth/signup/confirm',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Confirm a sign-up with the mailed token: creates the account and its workspace',
    description:
      'The account (its e-mail verified, the password chosen at sign-up) and the workspace it owns are created, and the person is signed in to it as login does. The token works once, for 24 hours.',
    body: signupConfirmRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: {
      200: { description: 'Signed in to the new workspace.', schema: loginResponseSchema },
    },
    errors: ['invalid_token', 'signup_disabled', 'conflict', 'too_many_attempts'],
  },
  // ---- two-factor sign-in and sessions (the identity issue's second half)
  'auth.loginTwoFactor': {
    method: 'POST',
    path: '/auth/login/two-factor',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Complete a sign-in with an authenticator code or a recovery code',
    description:
      'Takes the challenge `POST /auth/login` answered and either `code` (TOTP) or `recoveryCode` (each works once). Attempts are limited per challenge and per account.',
    body: loginTwoFactorRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'Signed in.', schema: loginResponseSchema } },
    errors: ['invalid_token', 'invalid_two_factor_code', 'account_disabled', 'too_many_attempts'],
  },
  'auth.sessions.list': {
    method: 'GET',
    path: '/auth/sessions',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'My live sessions: device, IP, sign-in and last use',
    responses: {
      200: { description: 'The live sessions, newest first.', schema: sessionListSchema },
    },
  },
  'auth.sessions.revokeAll': {
    method: 'POST',
    path: '/auth/sessions/revoke-all',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'End all my other sessions, or all of them',
    body: revokeSessionsRequestSchema,
    maxBodyBytes: 1 * KiB,
    responses: {
      200: { description: 'How many sessions ended.', schema: revokeSessionsResponseSchema },
    },
  },
  'auth.sessions.revoke': {
    method: 'DELETE',
    path: '/auth/sessions/{id}',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'End one of my sessions (its refresh token stops working at once)',
    responses: { 204: noContent },
  },
  'auth.twoFactor.status': {
    method: 'GET',
    path: '/auth/two-factor',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'Whether two-factor sign-in is on, and which workspaces require it',
    responses: { 200: { description: 'The status.', schema: twoFactorStatusSchema } },
  },
  'auth.twoFactor.start': {
    method: 'POST',
    path: '/auth/two-factor/start',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'Start two-factor enrolment: a new secret for an authenticator app',
    description:
      'Needs the password. Nothing changes at sign-in until `confirm` proves the app works.',
    body: startTwoFactorRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      200: {
        description: 'The secret and its otpauth:// URI.',
        schema: startTwoFactorResponseSchema,
      },
    },
    errors: ['invalid_credentials', 'too_many_requests', 'two_factor_already_enabled'],
  },
  'auth.twoFactor.confirm': {
    method: 'POST',
    path: '/auth/two-factor/confirm',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'Finish enrolment with a first code: two-factor is on, recovery codes shown once',
    body: confirmTwoFactorRequestSchema,
    maxBodyBytes: 1 * KiB,
    responses: {
      200: { description: 'Ten single-use recovery codes.', schema: recoveryCodesResponseSchema },
    },
    errors: [
      'invalid_two_factor_code',
      'too_many_attempts',
      'two_factor_already_enabled',
      'two_factor_not_enabled',
    ],
  },
  'auth.twoFactor.disable': {
    method: 'POST',
    path: '/auth/two-factor/disable',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'Turn two-factor sign-in off (the password and a code, or a recovery code)',
    body: disableTwoFactorRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: { 204: noContent },
    errors: [
      'invalid_credentials',
      'too_many_requests',
      'invalid_two_factor_code',
      'too_many_attempts',
      'two_factor_not_enabled',
    ],
  },
  'auth.twoFactor.recoveryCodes': {
    method: 'POST',
    path: '/auth/two-factor/recovery-codes',
    access: { kind: 'user' },
    tag: 'Auth',
    summary: 'Replace the recovery codes (the old ones stop working)',
    body: regenerateRecoveryCodesRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      200: {
        description: 'Ten new single-use recovery codes.',
        schema: recoveryCodesResponseSchema,
      },
    },
    errors: [
      'invalid_credentials',
      'too_many_requests',
      'invalid_two_factor_code',
      'too_many_attempts',
      'two_factor_not_enabled',
    ],
  },
  // ---- single sign-on (OpenID Connect): browser redirects, failures as `?error=` on the login page
  'auth.sso.providers': {
    method: 'GET',
    path: '/auth/sso/providers',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Which single sign-on the login page can offer (the platform’s identity provider)',
    responses: { 200: { description: 'The providers.', schema: ssoProvidersSchema } },
  },
  'auth.sso.start': {
    method: 'GET',
    path: '/auth/sso/start',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Start a single sign-on: redirect to the identity provider',
    description:
      'A browser navigation. `tenant` (a workspace’s sign-in address or id) or `email` (its e-mail domain) picks the workspace and its identity provider (its own, else the platform’s); `provider=platform` alone signs in with the platform’s. Answers 302 to the identity provider (authorization code with PKCE, state and nonce held server-side, single use, 10 minutes, bound to this browser by an httpOnly cookie), or 302 to the login page with `?error=`.',
    query: ssoStartQuerySchema,
    responses: {
      302: {
        description: 'To the identity provider, or back to the login page (a link in the body).',
        contentType: 'text/html',
      },
    },
  },
  'auth.sso.callback': {
    method: 'GET',
    path: '/auth/sso/callback',
    access: { kind: 'public' },
    tag: 'Auth',
    summary: 'Finish a single sign-on (the identity provider’s redirect)',
    description:
      'Checks the state (single use, this browser’s), exchanges the code with the PKCE verifier, validates the ID token (issuer, audience, nonce, expiry, signature) and requires a verified e-mail. Links to the account with that e-mail or creates one, admits the person to the workspace if a member, invited, or from an allowed domain, then sets the refresh cookie like a password sign-in and redirects to the web app (or, with two-factor on, to its second step). Failures redirect to the login page with `?error=`.',
    query: ssoCallbackQuerySchema,
    responses: {
      302: {
        description: 'To the web app, signed in, or to the login page with `?error=`.',
        contentType: 'text/html',
      },
    },
  },
});

export const teamRoutes = defineRoutes({
  'users.invite': {
    method: 'POST',
    path: '/users',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'Invite a person to the workspace',
    body: inviteUserRequestSchema,
    maxBodyBytes: 16 * KiB,
    description:
      'The invitee gets the link by e-mail; this answer carries neither the token nor the link. Accepted only through that link.',
    responses: {
      201: {
        description: 'The invitation, mailed to the invitee.',
        schema: inviteUserResponseSchema,
      },
    },
    errors: ['already_member'],
  },
  'invitations.list': {
    method: 'GET',
    path: '/invitations',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'Invitations of the workspace that are not accepted yet',
    description:
      'Pending ones first; revoked and expired ones are listed until the table sweeps them.',
    responses: { 200: { description: 'The invitations.', schema: pageOf(invitationSchema) } },
  },
  'invitations.resend': {
    method: 'POST',
    path: '/invitations/{id}/resend',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'Mail a pending invitation again, with a new link',
    description: 'The link mailed before stops working; the new one is valid for 7 days.',
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The invitation.', schema: invitationSchema } },
    errors: ['conflict'],
  },
  'invitations.revoke': {
    method: 'DELETE',
    path: '/invitations/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'Revoke a pending invitation (its link stops working)',
    responses: { 204: noContent },
    errors: ['conflict'],
  },
  'users.list': {
    method: 'GET',
    path: '/users',
    access: { kind: 'tenant', role: 'viewer' },
    tag: 'Team',
    summary: 'Members of the workspace',
    responses: { 200: { description: 'The members.', schema: pageOf(memberSchema) } },
  },
  'users.update': {
    method: 'PATCH',
    path: '/users/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'Change a member’s role',
    body: updateUserRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The member.', schema: memberSchema } },
    errors: ['last_owner', 'conflict'],
  },
  'users.remove': {
    method: 'DELETE',
    path: '/users/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'Remove a member from the workspace',
    responses: { 204: noContent },
    errors: ['last_owner', 'conflict'],
  },
  'api-keys.create': {
    method: 'POST',
    path: '/api-keys',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'API keys',
    summary: 'Create an API key (shown once)',
    body: createApiKeyRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      201: { description: 'The key, with its secret.', schema: createApiKeyResponseSchema },
    },
  },
  'api-keys.list': {
    method: 'GET',
    path: '/api-keys',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'API keys',
    summary: 'The workspace’s API keys (never their secrets)',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of keys.', schema: pageOf(apiKeySchema) } },
    errors: ['bad_request'],
  },
  'api-keys.update': {
    method: 'PATCH',
    path: '/api-keys/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'API keys',
    summary: 'Restrict an API key to IP ranges (or lift the restriction)',
    description:
      'A key with allowed ranges is refused (403 `ip_not_allowed`) from any other address, before its scopes are checked. The address is the one the API saw (on AWS, API Gateway’s source IP), never a header the caller writes.',
    body: updateApiKeyRequestSchema,
    maxBodyBytes: 8 * KiB,
    responses: { 200: { description: 'The key.', schema: apiKeySchema } },
  },
  'api-keys.revoke': {
    method: 'DELETE',
    path: '/api-keys/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'API keys',
    summary: 'Revoke an API key',
    responses: { 204: noContent },
  },
  'security-policy.get': {
    method: 'GET',
    path: '/security-policy',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'The workspace’s sign-in rules (two-factor for owners and admins)',
    responses: { 200: { description: 'The policy.', schema: securityPolicySchema } },
  },
  'security-policy.update': {
    method: 'PUT',
    path: '/security-policy',
    access: { kind: 'tenant', role: 'owner' },
    tag: 'Team',
    summary: 'Require two-factor sign-in of owners and admins, or stop requiring it',
    description:
      'Turning it on needs two-factor on the owner’s own account. Once on, an owner or admin without two-factor gets 403 `two_factor_required` on every workspace route (their own account routes, enrolment included, keep working) until they turn it on.',
    body: updateSecurityPolicyRequestSchema,
    maxBodyBytes: 1 * KiB,
    responses: { 200: { description: 'The policy.', schema: securityPolicySchema } },
    errors: ['two_factor_required'],
  },
  'sso-settings.get': {
    method: 'GET',
    path: '/sso-settings',
    access: { kind: 'tenant', role: 'owner' },
    tag: 'Team',
    summary:
      'The workspace’s single sign-on: its identity provider and the e-mail domains it admits',
    responses: {
      200: { description: 'The settings (never the client secret).', schema: ssoSettingsSchema },
    },
  },
  'sso-settings.update': {
    method: 'PUT',
    path: '/sso-settings',
    access: { kind: 'tenant', role: 'owner' },
    tag: 'Team',
    summary: 'Set the workspace’s single sign-on',
    description:
      'The identity provider’s discovery document is read before anything is saved. The client secret is encrypted at rest (bound to the workspace) and never returned. A sign-in address or e-mail domain another workspace holds is refused.',
    body: updateSsoSettingsRequestSchema,
    maxBodyBytes: 8 * KiB,
    responses: { 200: { description: 'The settings.', schema: ssoSettingsSchema } },
    errors: ['sso_discovery_failed', 'sso_domain_taken', 'sso_slug_taken'],
  },
  'sso-settings.delete': {
    method: 'DELETE',
    path: '/sso-settings',
    access: { kind: 'tenant', role: 'owner' },
    tag: 'Team',
    summary: 'Turn the workspace’s single sign-on off (its provider, address and domains)',
    responses: { 204: noContent },
  },
});

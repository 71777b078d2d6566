import { z } from 'zod';

// The API's error vocabulary: every code the server may answer, its HTTP status, and a sentence a
// person can read. The server raises only these codes (`AppError` is typed by this union), the
// OpenAPI document lists them per route, and the web shows `message` instead of the server's
// developer-facing text. Adding a code here is the one place a new failure is named.

export const errorCatalog = {
  bad_request: {
    status: 400,
    message: 'That request did not look right. Check the values and try again.',
  },
  invalid_json: {
    status: 400,
    message: 'The app sent something the server could not read. Reload the page and retry.',
  },
  validation_failed: { status: 400, message: 'Some fields need another look.' },
  not_a_meta_envelope: { status: 400, message: 'That is not a Meta webhook delivery.' },
  invalid_parameter: { status: 400, message: 'One of the values is not allowed.' },
  invalid_two_factor_code: {
    status: 400,
    message:
      'That code is not right. Check your authenticator app (or the recovery code) and retry.',
  },
  unsafe_destination: {
    status: 400,
    message: 'That address cannot receive leads. Use a public HTTPS URL.',
  },
  unauthenticated: { status: 401, message: 'Your session has ended. Please sign in again.' },
  invalid_signature: { status: 401, message: 'The webhook signature does not match.' },
  invalid_credentials: { status: 401, message: 'The e-mail or password is not right.' },
  invalid_token: {
    status: 401,
    message: 'This link or session is no longer valid. Please sign in again.',
  },
  token_reused: {
    status: 401,
    message: 'For your safety this session was ended. Please sign in again.',
  },
  invalid_api_key: { status: 401, message: 'The API key is not valid.' },
  api_key_revoked: { status: 401, message: 'This API key was revoked.' },
  account_disabled: {
    status: 403,
    message: 'This account is disabled. Ask your workspace owner for help.',
  },
  forbidden: { status: 403, message: 'Your role does not allow this. Ask a workspace admin.' },
  insufficient_scope: { status: 403, message: 'This key is not allowed to do that.' },
  ip_not_allowed: {
    status: 403,
    message:
      'This API key may not be used from this address. A workspace admin can change its allowed ranges.',
  },
  two_factor_required: {
    status: 403,
    message:
      'This workspace asks owners and admins to use two-factor sign-in. Turn it on in Settings → Security.',
  },
  tenant_suspended: { status: 403, message: 'This workspace is suspended. Contact support.' },
  origin_not_allowed: {
    status: 403,
    message: 'This form does not accept answers from this website.',
  },
  signup_disabled: {
    status: 403,
    message:
      'New workspaces cannot be created here right now. Ask the Switchboard team for an invitation.',
  },
  not_found: { status: 404, message: 'We could not find that. It may have been deleted.' },
  conflict: {
    status: 409,
    message: 'Someone else changed this at the same time. Reload and try again.',
  },
  channel_already_connected: {
    status: 409,
    message: 'This number or account is already connected to a workspace.',
  },
  channel_claim_contested: {
    status: 409,
    message:
      'Another workspace already holds this number or account. Your claim is recorded and under review by the platform team.',
  },
  last_owner: {
    status: 409,
    message: 'A workspace needs at least one owner. Make someone else owner first.',
  },
  already_member: { status: 409, message: 'That person is already in this workspace.' },
  two_factor_already_enabled: {
    status: 409,
    message: 'Two-factor sign-in is already on for this account.',
  },
  two_factor_not_enabled: {
    status: 409,
    message: 'Two-factor sign-in is not on for this account. Set it up first.',
  },
  stage_in_use: {
    status: 409,
    message: 'Leads are still in that stage. Move them to another stage first.',
  },
  label_name_taken: {
    status: 409,
    message: 'A label with that name already exists. Choose another name.',
  },
  short_code_taken: {
    status: 409,
    message: 'Another canned reply already uses that short code. Choose another.',
  },
  limit_reached: {
    status: 422,
    message: 'This workspace has reached the maximum for that. Remove one you no longer use first.',
  },
  contact_conflict: {
    status: 409,
    message: 'Another contact already has that phone number or e-mail. Merge the two instead.',
  },
  contact_merged: {
    status: 409,
    message: 'That contact was merged into another one. Open that contact instead.',
  },
  merge_conflict: {
    status: 409,
    message:
      'Both contacts have their own WhatsApp number or Instagram account, so they cannot become one.',
  },
  invalid_state: {
    status: 409,
    message: 'That cannot be done in the state it is in now. Reload to see where it stands.',
  },
  idempotency_key_reused: {
    status: 409,
    message: 'That retry key was already used for a different request.',
  },
  idempotency_in_progress: {
    status: 409,
    message: 'The same request is still being processed. Wait a moment.',
  },
  payload_too_large: { status: 413, message: 'That is too large to upload.' },
  unsupported_media_type: { status: 415, message: 'That file type is not supported.' },
  media_too_large: {
    status: 413,
    message:
      'That file is over what WhatsApp or Instagram accepts for its kind (images 5 MB, audio and video 16 MB, documents 100 MB, stickers 500 KB).',
  },
  media_type_not_accepted: {
    status: 415,
    message:
      'WhatsApp or Instagram does not accept that file type. Send images as JPEG or PNG, audio as AAC, MP3, M4A, AMR or OGG (Opus), video as MP4 or 3GP, stickers as WebP.',
  },
  media_not_ready: {
    status: 409,
    message: 'That attachment is not available yet. Wait for it to finish, or upload it again.',
  },
  invalid_image: {
    status: 415,
    message: 'That file is not an image we can use. Try a PNG, JPEG or SVG under 512 KB.',
  },
  invalid_submission: { status: 422, message: 'Some answers need another look.' },
  lead_too_large: {
    status: 422,
    message:
      'This lead cannot hold that much custom data. Remove some custom fields and try again.',
  },
  window_closed: {
    status: 422,
    message:
      'The 24-hour reply window is closed. Send an approved template to restart the conversation.',
  },
  undeliverable: {
    status: 422,
    message: 'WhatsApp or Instagram could not deliver this message to that person.',
  },
  template_not_found: {
    status: 422,
    message: 'That template is not approved for this number. Refresh the template list.',
  },
  channel_token_invalid: {
    status: 422,
    message: 'The channel’s access token no longer works. Reconnect it in Settings → Channels.',
  },
  channel_not_found: {
    status: 422,
    message: 'No connected channel can send this. Connect one in Settings → Channels.',
  },
  channel_not_verified: {
    status: 422,
    message:
      'Meta does not confirm that this access token owns that number, WhatsApp Business Account or Instagram account.',
  },
  // Single sign-on (OpenID Connect). The callback puts these on the login page as `?error=`.
  sso_not_configured: {
    status: 404,
    message:
      'Single sign-on is not set up for that workspace or e-mail domain. Check the address, or sign in with your password.',
  },
  sso_state_invalid: {
    status: 400,
    message: 'This sign-in took too long or was already completed. Start the single sign-on again.',
  },
  sso_denied: {
    status: 401,
    message: 'The sign-in was cancelled or refused at your identity provider.',
  },
  sso_failed: {
    status: 502,
    message:
      'Your identity provider did not complete the sign-in. Try again, or ask your administrator to check the single sign-on settings.',
  },
  sso_email_unverified: {
    status: 403,
    message:
      'Your identity provider has not verified your e-mail address, so it cannot sign you in here. Verify it there first.',
  },
  sso_not_allowed: {
    status: 403,
    message:
      'You are not a member of this workspace, and your e-mail domain is not one it admits. Ask a workspace admin to invite you.',
  },
  sso_account_not_eligible: {
    status: 403,
    message:
      'This account cannot sign in through this workspace’s identity provider (it also belongs elsewhere). Sign in with your password instead.',
  },
  sso_account_mismatch: {
    status: 409,
    message:
      'This e-mail address is linked to a different person at that identity provider. Ask your administrator.',
  },
  sso_discovery_failed: {
    status: 422,
    message:
      'We could not read that identity provider’s OpenID configuration. Check the issuer URL (and that it is reachable).',
  },
  sso_domain_taken: {
    status: 409,
    message: 'Another workspace already admits people from that e-mail domain.',
  },
  sso_slug_taken: {
    status: 409,
    message: 'Another workspace already uses that sign-in address. Choose another.',
  },
  rate_limited: {
    status: 429,
    message: 'Too many requests right now. Wait a moment and try again.',
  },
  too_many_attempts: {
    status: 429,
    message: 'Too many attempts. Wait a few minutes before trying again.',
  },
  too_many_requests: {
    status: 429,
    message: 'Too many sign-in attempts from this device or network. Wait a moment and try again.',
  },
  internal_error: { status: 500, message: 'Something went wrong on our side. Please retry.' },
  service_unavailable: {
    status: 503,
    message: 'The service is restarting a part of itself. Try again in a moment.',
  },
  meta_error: { status: 502, message: 'WhatsApp or Instagram refused the message.' },
  meta_unavailable: {
    status: 503,
    message: 'WhatsApp or Instagram is not answering right now. Try again in a minute.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalog;
export const errorCodes = Object.keys(errorCatalog) as ErrorCode[];

export function errorStatus(code: ErrorCode): number {
  return errorCatalog[code].status;
}

/** Every error the API returns: `{ error: { code, message, ...details } }`. */
export const apiErrorSchema = z.object({
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional(),
      /** `no_route` on a 404: no route has that method and path (as opposed to a missing object). */
      reason: z.literal('no_route').optional(),
    })
    .passthrough(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

// Plain-words messages for the API's machine-readable error codes. The server's own message is a
// fallback: it is written for developers and may name routes or fields.

const messages: Record<string, string> = {
  bad_request: 'That request did not look right. Check the values and try again.',
  invalid_json: 'The app sent something the server could not read. Reload the page and retry.',
  validation_failed: 'Some fields need another look.',
  payload_too_large: 'That is too large to upload.',
  unsupported_media_type: 'That file type is not supported.',
  unauthenticated: 'Your session has ended. Please sign in again.',
  invalid_credentials: 'The e-mail or password is not right.',
  invalid_token: 'This link or session is no longer valid. Please sign in again.',
  token_reused: 'For your safety this session was ended. Please sign in again.',
  account_disabled: 'This account is disabled. Ask your workspace owner for help.',
  forbidden: 'Your role does not allow this. Ask a workspace admin.',
  insufficient_scope: 'This key is not allowed to do that.',
  not_found: 'We could not find that. It may have been deleted.',
  conflict: 'Someone else changed this at the same time. Reload and try again.',
  channel_already_connected: 'This number or account is already connected to a workspace.',
  rate_limited: 'Too many requests right now. Wait a moment and try again.',
  too_many_attempts: 'Too many attempts. Wait a few minutes before trying again.',
  last_owner: 'A workspace needs at least one owner. Make someone else owner first.',
  already_member: 'That person is already in this workspace.',
  tenant_suspended: 'This workspace is suspended. Contact support.',
  outside_window:
    'The 24-hour reply window is closed. Send an approved template to restart the conversation.',
  window_closed:
    'The 24-hour reply window is closed. Send an approved template to restart the conversation.',
  meta_error: 'WhatsApp or Instagram refused the message.',
  meta_unavailable: 'WhatsApp or Instagram is not answering right now. Try again in a minute.',
  channel_token_expired:
    'The channel’s access token has expired. Reconnect it in Settings → Channels.',
  channel_needs_reconnect: 'This channel needs to be reconnected in Settings → Channels.',
  form_not_published: 'This form is not accepting responses.',
  invalid_submission: 'Some answers need another look.',
  origin_not_allowed: 'This form does not accept answers from this website.',
  invalid_image: 'That file is not an image we can use. Try a PNG, JPEG or SVG under 512 KB.',
  unsafe_destination: 'That address cannot receive leads. Use a public HTTPS URL.',
  invalid_parameter: 'One of the values is not allowed.',
  idempotency_in_progress: 'The same request is still being processed. Wait a moment.',
  internal_error: 'Something went wrong on our side. Please retry.',
  network_error: 'Cannot reach the server. Check your connection.',
  bad_response: 'The server answered in a way this app does not understand. Reload the page.',
  route_missing: 'This feature is not available on this server yet.',
};

export function messageForCode(code: string, serverMessage?: string): string {
  return messages[code] ?? serverMessage ?? 'Something went wrong. Please retry.';
}

// Domain errors: one base class, a machine-readable code per case, an HTTP status and a message a
// person can read. The HTTP edge turns any AppError into `{ error: { code, message, ...details } }`.

export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'not_a_meta_envelope'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unauthenticated'
  | 'invalid_signature'
  | 'invalid_credentials'
  | 'invalid_token'
  | 'token_reused'
  | 'invalid_api_key'
  | 'api_key_revoked'
  | 'account_disabled'
  | 'forbidden'
  | 'insufficient_scope'
  | 'not_found'
  | 'conflict'
  | 'channel_already_connected'
  | 'rate_limited'
  | 'too_many_attempts'
  | 'last_owner'
  | 'already_member'
  | 'tenant_suspended'
  | 'invalid_submission'
  | 'origin_not_allowed'
  | 'unsafe_destination'
  | 'invalid_image'
  | 'stage_in_use'
  | 'internal_error'
  // Outbound messaging and channels (issue 4)
  | 'window_closed'
  | 'undeliverable'
  | 'invalid_parameter'
  | 'template_not_found'
  | 'channel_token_invalid'
  | 'channel_not_found'
  | 'idempotency_key_reused'
  | 'idempotency_in_progress'
  | 'meta_error'
  | 'meta_unavailable';

const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 400,
  not_a_meta_envelope: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthenticated: 401,
  invalid_signature: 401,
  invalid_credentials: 401,
  invalid_token: 401,
  token_reused: 401,
  invalid_api_key: 401,
  api_key_revoked: 401,
  account_disabled: 403,
  forbidden: 403,
  insufficient_scope: 403,
  not_found: 404,
  conflict: 409,
  channel_already_connected: 409,
  rate_limited: 429,
  too_many_attempts: 429,
  last_owner: 409,
  already_member: 409,
  tenant_suspended: 403,
  invalid_submission: 422,
  origin_not_allowed: 403,
  unsafe_destination: 400,
  invalid_image: 415,
  stage_in_use: 409,
  internal_error: 500,
  window_closed: 422,
  undeliverable: 422,
  invalid_parameter: 400,
  template_not_found: 422,
  channel_token_invalid: 422,
  channel_not_found: 422,
  idempotency_key_reused: 409,
  idempotency_in_progress: 409,
  meta_error: 502,
  meta_unavailable: 503,
};

export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = statusOf[code];
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

/** A 429: the edge adds `Retry-After` (whole seconds) next to the JSON body. */
export class RetryLaterError extends AppError {
  override readonly name = 'RetryLaterError';
  constructor(
    code: 'rate_limited' | 'too_many_attempts',
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message, { retryAfterSeconds });
  }
}

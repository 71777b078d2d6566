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
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'channel_already_connected'
  | 'rate_limited'
  | 'tenant_suspended'
  | 'internal_error';

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
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  channel_already_connected: 409,
  rate_limited: 429,
  tenant_suspended: 403,
  internal_error: 500,
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

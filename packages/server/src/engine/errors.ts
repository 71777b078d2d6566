// Domain errors: one base class, a machine-readable code per case, an HTTP status and a message a
// person can read. The codes and their statuses are the contracts' vocabulary (errorCatalog); the
// HTTP edge turns any AppError into `{ error: { code, message, ...details } }`.

import { errorStatus, type ErrorCode } from '@switchboard/contracts';

export type { ErrorCode };

export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.status = errorStatus(code);
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}

/** A 429: the edge adds `Retry-After` (whole seconds) next to the JSON body. */
export class TooManyRequestsError extends AppError {
  override readonly name = 'TooManyRequestsError';
  constructor(
    code: 'rate_limited' | 'too_many_attempts',
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(code, message, { retryAfterSeconds });
  }
}

/**
 * The database cannot be reached for now (the sandbox restarting its dynalite child): the edge
 * answers 503 with `Retry-After`, a queue consumer retries the record later instead of failing it.
 */
export class DatabaseUnavailableError extends AppError {
  override readonly name = 'DatabaseUnavailableError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('service_unavailable', message, { retryAfterSeconds });
  }
}

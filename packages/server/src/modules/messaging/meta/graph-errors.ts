import { AppError } from '../../../engine/errors';
import type { MetaError } from './inbound-event';

// Meta's Graph API errors, classified once. Every Graph error body looks like
// `{ error: { message, type, code, error_subcode?, error_data?: { messaging_product?, details }, fbtrace_id } }`
// (WhatsApp Cloud API, Instagram messaging and the rest of the Graph share it). Decisions are made on
// `code` (and `error_subcode` where Meta overloads a code), never on the HTTP status or message text,
// except Instagram's outside-window error, which has had several subcodes over the years.

export type GraphErrorBody = {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { messaging_product?: string; details?: string } | string;
  error_user_title?: string;
  error_user_msg?: string;
  is_transient?: boolean;
  fbtrace_id?: string;
};

export type GraphErrorKind =
  | 'window_closed'
  | 'undeliverable'
  | 'rate_limited'
  | 'invalid_parameter'
  | 'template_not_found'
  | 'media_rejected'
  | 'token_invalid'
  | 'permission_denied'
  | 'not_found'
  | 'transient'
  | 'unknown';

/** Throttling codes: app (4), user (17), page (32), hourly (613), WABA (80007), Cloud API throughput (130429), pair rate (131056). */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80007, 130429, 131056]);
/** Meta documents these as temporary ("try again later"). */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016]);
/** WhatsApp parameter and template-shape errors (131052: Meta could not download a media link). */
const INVALID_PARAMETER_CODES = new Set([
  100, 131008, 131009, 131021, 131051, 131052, 132000, 132005, 132007, 132012, 132015, 132016,
]);
/** 131053 "Media upload error": a file Meta will not take (its type, or its size for the kind). */
const MEDIA_REJECTED_CODES = new Set([131053]);
/** Instagram's "This message is sent outside of allowed window." (code 10) subcodes. */
const IG_WINDOW_SUBCODES = new Set([2018278, 2534022]);

export function classifyGraphError(
  httpStatus: number,
  body: GraphErrorBody | undefined,
): GraphErrorKind {
  const code = body?.code;
  const subcode = body?.error_subcode;
  if (code === 131047) return 'window_closed';
  if (
    code === 10 &&
    ((subcode !== undefined && IG_WINDOW_SUBCODES.has(subcode)) ||
      /outside (of )?(the )?allowed window/i.test(body?.message ?? ''))
  ) {
    return 'window_closed';
  }
  if (code === 190 || code === 102) return 'token_invalid';
  if (code === 131026 || code === 131049 || code === 551) return 'undeliverable';
  if (code !== undefined && RATE_LIMIT_CODES.has(code)) return 'rate_limited';
  if (code === 132001) return 'template_not_found';
  if (code !== undefined && MEDIA_REJECTED_CODES.has(code)) return 'media_rejected';
  if (code === 100 && subcode === 33) return 'not_found';
  if (code !== undefined && INVALID_PARAMETER_CODES.has(code)) return 'invalid_parameter';
  if (code === 10 || code === 3 || (code !== undefined && code >= 200 && code <= 299)) {
    return 'permission_denied';
  }
  if ((code !== undefined && TRANSIENT_CODES.has(code)) || body?.is_transient === true) {
    return 'transient';
  }
  if (httpStatus === 429) return 'rate_limited';
  if (httpStatus >= 500) return 'transient';
  if (httpStatus === 404) return 'not_found';
  return 'unknown';
}

/** Only throttling and temporary failures are worth another attempt; 131047, 190, 100 and friends never are. */
export function isRetryableKind(kind: GraphErrorKind): boolean {
  return kind === 'rate_limited' || kind === 'transient';
}

/**
 * Seconds a caller should wait when Meta sent no Retry-After: Cloud API throughput recovers within
 * a second, the pair rate limit allows about one message every 6 s, app and account limits are
 * rolling windows of minutes.
 */
export function defaultRetryAfterSeconds(code: number | undefined): number {
  switch (code) {
    case 130429:
      return 1;
    case 131056:
      return 6;
    case undefined:
      return 2;
    default:
      return RATE_LIMIT_CODES.has(code) ? 60 : 2;
  }
}

/** A Graph call that reached Meta and got an error body (or a non-2xx without one). */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  readonly kind: GraphErrorKind;

  constructor(
    readonly httpStatus: number,
    readonly body: GraphErrorBody | undefined,
    readonly retryAfterSeconds?: number,
  ) {
    super(
      body?.message
        ? `Graph API error ${body.code ?? '?'}: ${body.message}`
        : `Graph API answered HTTP ${httpStatus}`,
    );
    this.kind = classifyGraphError(httpStatus, body);
  }

  get code(): number | undefined {
    return this.body?.code;
  }

  get subcode(): number | undefined {
    return this.body?.error_subcode;
  }

  get details(): string | undefined {
    const data = this.body?.error_data;
    return typeof data === 'string' ? data : data?.details;
  }
}

/** A Graph call that never got an answer: timeout, refused connection, reset. */
export class GraphTransportError extends Error {
  override readonly name = 'GraphTransportError';
  constructor(
    readonly reason: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
  }
}

export type GraphFailure = GraphApiError | GraphTransportError;

/** The error kept on a failed message, in the same shape as status-webhook errors. */
export function toMetaError(err: GraphFailure): MetaError {
  if (err instanceof GraphTransportError) {
    return { code: 0, title: err.reason === 'timeout' ? 'Timeout' : 'Network error' };
  }
  const out: MetaError = { code: err.code ?? err.httpStatus };
  if (err.body?.message) out.message = err.body.message;
  if (err.body?.type) out.title = err.body.type;
  if (err.details) out.details = err.details;
  return out;
}

function metaRef(err: GraphApiError): Record<string, unknown> {
  return {
    meta: {
      code: err.code,
      ...(err.subcode !== undefined ? { subcode: err.subcode } : {}),
      ...(err.details ? { details: err.details } : {}),
      ...(err.body?.fbtrace_id ? { fbtraceId: err.body.fbtrace_id } : {}),
    },
  };
}

/**
 * Maps a Graph failure to the API error a client sees; `extra` carries ids such as the failed
 * message's. `operation` `media_upload`: the one parameter of an upload is the file, so Meta's
 * parameter errors there mean it will not take the file.
 */
export function graphFailureToAppError(
  err: GraphFailure,
  context: {
    channel: 'whatsapp' | 'instagram';
    extra?: Record<string, unknown>;
    operation?: 'send' | 'media_upload';
  },
): AppError {
  const extra = context.extra ?? {};
  if (
    err instanceof GraphApiError &&
    context.operation === 'media_upload' &&
    err.kind === 'invalid_parameter'
  ) {
    return new AppError(
      'media_type_not_accepted',
      `WhatsApp did not take the file: ${err.details ?? err.body?.message ?? 'unsupported file'}`,
      { ...extra, ...metaRef(err) },
    );
  }
  if (err instanceof GraphTransportError) {
    return new AppError(
      'meta_unavailable',
      err.reason === 'timeout'
        ? 'Meta did not answer in time. The message may not have been sent; check the thread before retrying.'
        : 'Meta could not be reached. Please retry.',
      { ...extra, retryAfterSeconds: 2 },
    );
  }
  const who = context.channel === 'whatsapp' ? 'WhatsApp' : 'Instagram';
  switch (err.kind) {
    case 'window_closed':
      return new AppError(
        'window_closed',
        context.channel === 'whatsapp'
          ? 'More than 24 hours have passed since the customer last wrote. Send an approved template instead.'
          : 'Instagram only allows replies within 24 hours of the customer’s last message.',
        { ...extra, ...metaRef(err) },
      );
    case 'undeliverable':
      return new AppError(
        'undeliverable',
        `${who} could not deliver to this recipient (not on ${who}, blocked, or unavailable).`,
        { ...extra, ...metaRef(err) },
      );
    case 'rate_limited':
      return new AppError('rate_limited', `${who} is throttling this sender. Retry later.`, {
        ...extra,
        ...metaRef(err),
        retryAfterSeconds: err.retryAfterSeconds ?? defaultRetryAfterSeconds(err.code),
      });
    case 'invalid_parameter':
      return new AppError(
        'invalid_parameter',
        err.details ?? err.body?.message ?? `${who} rejected a parameter of the message.`,
        { ...extra, ...metaRef(err) },
      );
    case 'template_not_found':
      return new AppError(
        'template_not_found',
        'The template does not exist in that language, or is not approved.',
        { ...extra, ...metaRef(err) },
      );
    case 'media_rejected':
      return new AppError(
        'media_type_not_accepted',
        `${who} did not take the attachment: ${err.details ?? err.body?.message ?? 'unsupported file'}`,
        { ...extra, ...metaRef(err) },
      );
    case 'token_invalid':
    case 'permission_denied':
      return new AppError(
        'channel_token_invalid',
        err.kind === 'token_invalid'
          ? `Meta rejected this channel’s access token (expired or revoked). Reconnect the ${who} channel.`
          : `Meta says this channel’s access token lacks the permission for this action. Reconnect the ${who} channel.`,
        { ...extra, ...metaRef(err) },
      );
    case 'not_found':
      return new AppError(
        'channel_not_found',
        `Meta does not know this ${context.channel === 'whatsapp' ? 'phone number' : 'account'}, or the token cannot see it.`,
        { ...extra, ...metaRef(err) },
      );
    case 'transient':
      return new AppError('meta_unavailable', `${who} is temporarily unavailable. Please retry.`, {
        ...extra,
        ...metaRef(err),
        retryAfterSeconds: err.retryAfterSeconds ?? 2,
      });
    case 'unknown':
      return new AppError('meta_error', `${who} refused the request: ${err.body?.message ?? ''}`, {
        ...extra,
        ...metaRef(err),
      });
  }
}

import type { IdempotencyRecord, StoredResponse } from './idempotency.repo';
import type { TenantData } from './tenant-data';
import { AppError } from '../errors';
import { sha256Hex } from '../ids';

// `Idempotency-Key` for unsafe requests, the way payment APIs do it: the first request with a key
// claims it (conditional put) and reserves the id of what it will create; a retry with the same key
// and the same body gets the stored response; the same key with another body is refused. Final
// answers (success and 4xx) are kept for 24 h; throttling and upstream failures release the key so
// the client's retry runs again.

const KEEP_SECONDS = 24 * 60 * 60;
/** Longer than any request can run (the Api function times out after 15 s). */
const ABANDONED_AFTER_MS = 60_000;

export type IdempotentOutcome = StoredResponse & { replayed?: boolean };

export type Reservation = { id: string; at: string; resumed: boolean };

/** Key order does not matter: `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isFinal(err: AppError): boolean {
  return err.status < 500 && err.status !== 429 && err.code !== 'idempotency_in_progress';
}

export async function runIdempotent(
  data: TenantData,
  opts: {
    operation: string;
    key: string | undefined;
    request: unknown;
    reservation: { id: string; at: string };
    now: Date;
  },
  work: (reservation: Reservation) => Promise<StoredResponse>,
): Promise<IdempotentOutcome> {
  if (opts.key === undefined) return work({ ...opts.reservation, resumed: false });
  const keyHash = sha256Hex(opts.key);
  const nowSeconds = Math.floor(opts.now.getTime() / 1000);
  const record: IdempotencyRecord = {
    state: 'in_progress',
    requestHash: sha256Hex(canonicalJson(opts.request)),
    resourceId: `${opts.reservation.at}|${opts.reservation.id}`,
    createdAt: opts.now.toISOString(),
    expiresAt: nowSeconds + KEEP_SECONDS,
  };
  let reservation: Reservation = { ...opts.reservation, resumed: false };
  const existing = await data.idempotency.claim(opts.operation, keyHash, record, nowSeconds);
  if (existing) {
    if (existing.requestHash !== record.requestHash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request body.',
      );
    }
    if (existing.state === 'completed' && existing.response) {
      return { ...existing.response, replayed: true };
    }
    const age = opts.now.getTime() - Date.parse(existing.createdAt);
    const inProgress = new AppError(
      'idempotency_in_progress',
      'A request with this Idempotency-Key is still being processed. Retry in a moment.',
      { retryAfterSeconds: 1 },
    );
    if (age < ABANDONED_AFTER_MS) throw inProgress;
    // The first attempt died midway: take over its reservation, so its work is found, not redone.
    const took = await data.idempotency.takeOver(opts.operation, keyHash, existing, {
      ...record,
      resourceId: existing.resourceId,
    });
    if (!took) throw inProgress;
    const [at = '', id = ''] = existing.resourceId.split('|');
    reservation = { id, at, resumed: true };
  }
  try {
    const response = await work(reservation);
    await data.idempotency.complete(opts.operation, keyHash, response);
    return response;
  } catch (err) {
    if (err instanceof AppError && isFinal(err)) {
      await data.idempotency.complete(opts.operation, keyHash, {
        status: err.status,
        body: { error: { code: err.code, message: err.message, ...err.details } },
      });
    } else {
      await data.idempotency.release(opts.operation, keyHash).catch(() => undefined);
    }
    throw err;
  }
}

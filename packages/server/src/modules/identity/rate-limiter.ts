import type { Db, Key } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { RateLimitRepo } from './rate-limit.repo';
import { TooManyRequestsError } from '../../engine/errors';
import { sha256Hex } from '../../engine/ids';
import type { Limit } from './settings';

export type Window = { start: number; end: number };

/** The fixed window containing `now`, in epoch seconds. */
export function windowOf(now: Date, windowSeconds: number): Window {
  const start = Math.floor(now.getTime() / 1000 / windowSeconds) * windowSeconds;
  return { start, end: start + windowSeconds };
}

function retryAfter(now: Date, window: Window): number {
  return Math.max(1, Math.ceil(window.end - now.getTime() / 1000));
}

/** Keeps old windows findable for a minute past their end, then lets TTL sweep them. */
const ttlSlackSeconds = 60;

export type Counter = { key: (windowStart: number) => Key; limit: Limit };
export type Hit = { key: Key; window: Window; count: number; limit: number };

/**
 * Counts one event against each counter (atomic ADD) and returns the new totals. Counting first
 * and judging the returned total means concurrent callers cannot all slip under a limit.
 */
export async function hit(db: Db, now: Date, counters: Counter[]): Promise<Hit[]> {
  const repo = new RateLimitRepo(db);
  return Promise.all(
    counters.map(async (counter) => {
      const window = windowOf(now, counter.limit.windowSeconds);
      const key = counter.key(window.start);
      const count = await repo.add(key, 1, window.end + ttlSlackSeconds);
      return { key, window, count, limit: counter.limit.limit };
    }),
  );
}

/** The 429 to answer when any counter is over its limit (with the longest wait), else undefined. */
export function overLimit(
  hits: Hit[],
  now: Date,
  error: { code: 'rate_limited' | 'too_many_attempts'; message: string },
): TooManyRequestsError | undefined {
  const over = hits.filter((h) => h.count > h.limit);
  if (over.length === 0) return undefined;
  const wait = Math.max(...over.map((h) => retryAfter(now, h.window)));
  return new TooManyRequestsError(error.code, `${error.message} Retry in ${wait} s.`, wait);
}

/** Takes back one counted event (e.g. a sign-in attempt that turned out to succeed). */
export async function unhit(db: Db, h: Hit): Promise<void> {
  await new RateLimitRepo(db).add(h.key, -1, h.window.end + ttlSlackSeconds);
}

export async function resetWindow(db: Db, h: Hit): Promise<void> {
  await new RateLimitRepo(db).clear(h.key);
}

export function signInIpCounter(ip: string, limit: Limit): Counter {
  return { key: (start) => keys.rateWindow('signin-ip', ip, start), limit };
}

/** Wrong two-factor codes of one account, whichever challenge or route they came through. */
export function twoFactorAccountCounter(userId: string, limit: Limit): Counter {
  return { key: (start) => keys.rateWindow('2fa-account', userId, start), limit };
}

export function tenantRequestCounter(tenantId: string, limit: Limit): Counter {
  return { key: (start) => keys.tenantRateWindow(tenantId, 'requests', 'all', start), limit };
}

export function apiKeyRequestCounter(tenantId: string, keyId: string, limit: Limit): Counter {
  return { key: (start) => keys.tenantRateWindow(tenantId, 'apikey', keyId, start), limit };
}

/** Public form submissions, per form (whatever the sender). */
export function leadFormCounter(formId: string, limit: Limit): Counter {
  return { key: (start) => keys.rateWindow('lead-form', formId, start), limit };
}

/** Public form submissions, per sender IP (hashed: no personal data in rate items). */
export function leadIpCounter(ip: string, limit: Limit): Counter {
  const subject = sha256Hex(ip).slice(0, 32);
  return { key: (start) => keys.rateWindow('lead-ip', subject, start), limit };
}

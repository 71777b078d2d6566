import type { Db } from '../../engine/data/dynamo';
import { AppError } from '../../engine/errors';
import { sha256Hex } from '../../engine/ids';
import { hit, signInIpCounter, unhit, windowOf, type Hit } from './rate-limiter';
import { SignInThrottleRepo, throttleKey, type ThrottleState } from './sign-in-throttle.repo';
import type { AuthSettings, ThrottleSettings } from './settings';

// Password guessing slows down only the client doing it. Each account+client pair (the client is
// its IP) may fail a few times freely, then must wait 1 s, 2 s, 4 s … (capped) between tries; a
// looser cap per IP across all accounts stops credential stuffing. Nothing is keyed by the
// account alone, so nobody can lock a person out by failing on their behalf: the real user,
// signing in from anywhere else, never meets the attacker's waits.
//
// Each attempt is counted as a failure before the password is hashed (and forgiven when it turns
// out right), so concurrent guesses cannot all slip past the count, and a waiting client costs
// one read, not a scrypt run.

export type SignInClient = { ip?: string };

export type SignInAttempt = {
  /** Set when the client must wait: throw it (after auditing) without checking the password. */
  blocked?: AppError;
  /** This attempt crossed the IP's cap: worth one audit event, not one per retry. */
  ipCapReached: boolean;
  /** What this attempt's failure means, if the password turns out wrong. */
  ifFailed: { failures: number; waitSeconds: number; throttleStarted: boolean };
  /** The password was right: the pair starts over and the IP's slot is given back. */
  succeeded(): Promise<void>;
};

/** The wait after the `failures`-th failure: none while free, then doubling up to the cap. */
export function throttleDelaySeconds(failures: number, settings: ThrottleSettings): number {
  if (failures < settings.freeFailures) return 0;
  const doublings = Math.min(failures - settings.freeFailures, 30);
  return Math.min(settings.baseDelaySeconds * 2 ** doublings, settings.maxDelaySeconds);
}

function tooMany(waitSeconds: number, why: string): AppError {
  const wait = Math.max(1, Math.ceil(waitSeconds));
  return new AppError('too_many_requests', `${why} Retry in ${wait} s.`, {
    retryAfterSeconds: wait,
  });
}

const subjectOf = (value: string) => sha256Hex(value).slice(0, 32);

/** Starts a password check for `email` from `client`: either blocked, or counted and pending. */
export async function beginSignInAttempt(
  db: Db,
  settings: AuthSettings,
  now: Date,
  email: string,
  client: SignInClient,
): Promise<SignInAttempt> {
  const throttle = settings.signInThrottle;
  const nowMs = now.getTime();
  const repo = new SignInThrottleRepo(db);
  const key = throttleKey(
    subjectOf(email.trim().toLowerCase()),
    subjectOf(client.ip ? `ip:${client.ip}` : 'unknown'),
  );
  const stored = await repo.get(key);
  // A pair quiet for long enough starts over; so does one whose state reads as nonsense.
  const live: ThrottleState =
    stored && nowMs - stored.lastFailureAt < throttle.forgetAfterSeconds * 1000
      ? stored
      : { failures: 0, lastFailureAt: 0, nextAllowedAt: 0 };
  const noFailure = { failures: live.failures, waitSeconds: 0, throttleStarted: false };
  const none = async () => {};
  if (nowMs < live.nextAllowedAt) {
    return {
      blocked: tooMany(
        (live.nextAllowedAt - nowMs) / 1000,
        'Too many failed sign-ins for this account from this client.',
      ),
      ipCapReached: false,
      ifFailed: noFailure,
      succeeded: none,
    };
  }

  let ipHit: Hit | undefined;
  if (client.ip) {
    [ipHit] = await hit(db, now, [signInIpCounter(client.ip, settings.signInPerIp)]);
    if (ipHit && ipHit.count > ipHit.limit) {
      const window = windowOf(now, settings.signInPerIp.windowSeconds);
      return {
        blocked: tooMany(window.end - nowMs / 1000, 'Too many failed sign-ins from this address.'),
        ipCapReached: ipHit.count === ipHit.limit + 1,
        ifFailed: noFailure,
        succeeded: none,
      };
    }
  }

  const failures = live.failures + 1;
  const waitSeconds = throttleDelaySeconds(failures, throttle);
  const reserved = await repo.advance(
    key,
    { failures, lastFailureAt: nowMs, nextAllowedAt: nowMs + waitSeconds * 1000 },
    stored?.failures,
    Math.ceil(nowMs / 1000) + throttle.forgetAfterSeconds,
  );
  if (!reserved) {
    // Another attempt for this account from this client is being checked right now.
    if (ipHit) await unhit(db, ipHit);
    return {
      blocked: tooMany(1, 'Another sign-in for this account from this client is in progress.'),
      ipCapReached: false,
      ifFailed: noFailure,
      succeeded: none,
    };
  }
  return {
    ipCapReached: false,
    ifFailed: { failures, waitSeconds, throttleStarted: failures === throttle.freeFailures },
    async succeeded() {
      await Promise.all([repo.clear(key), ipHit ? unhit(db, ipHit) : undefined]);
    },
  };
}

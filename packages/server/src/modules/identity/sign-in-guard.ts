import type { Db } from '../../engine/data/dynamo';
import type { TooManyRequestsError } from '../../engine/errors';
import {
  hit,
  overLimit,
  resetWindow,
  signInAccountCounter,
  signInIpCounter,
  unhit,
  type Hit,
} from './rate-limiter';
import type { AuthSettings } from './settings';

export type SignInAttempt = {
  /** Set when a limit is exceeded: throw it (after auditing) without checking the password. */
  blocked?: TooManyRequestsError;
  /** True for the attempt that just crossed a limit: worth one audit event, not one per retry. */
  lockoutStarted: boolean;
  /** The password was right: the account's failures are forgiven and the IP's slot is given back. */
  succeeded(): Promise<void>;
};

/**
 * Brute-force guard for anything that checks a password: every attempt reserves a slot in the
 * account's and the client IP's fixed windows before the password is hashed, so a locked-out
 * attacker costs one counter write, not a scrypt run. Over the limit: 429 `too_many_attempts`
 * with Retry-After until the window ends.
 */
export async function guardSignIn(
  db: Db,
  settings: AuthSettings,
  now: Date,
  email: string,
  ip: string | undefined,
): Promise<SignInAttempt> {
  const counters = [signInAccountCounter(email, settings.signInPerAccount)];
  if (ip) counters.push(signInIpCounter(ip, settings.signInPerIp));
  const hits = await hit(db, now, counters);
  const lockoutStarted = hits.some((h) => h.count === h.limit + 1);
  const blocked = overLimit(hits, now, {
    code: 'too_many_attempts',
    message: 'Too many sign-in attempts.',
  });
  const [account, ...rest] = hits as [Hit, ...Hit[]];
  return {
    blocked,
    lockoutStarted,
    async succeeded() {
      await Promise.all([resetWindow(db, account), ...rest.map((h) => unhit(db, h))]);
    },
  };
}

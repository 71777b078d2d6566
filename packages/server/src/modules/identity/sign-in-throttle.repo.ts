import type { Db, Key } from '../../engine/data/dynamo';

/** One account's failed sign-ins from one client, with the time that client may try again. */
export type ThrottleState = {
  failures: number;
  /** Epoch milliseconds. */
  lastFailureAt: number;
  /** Epoch milliseconds: before this, the client is answered 429 without a password check. */
  nextAllowedAt: number;
};

// `RATE#signin-client#<sha256 of e-mail>#<sha256 of client>` / `THROTTLE`: hashes only, so no
// personal data sits in throttle items. `expiresAt` lets TTL sweep a pair once it is forgotten
// (never relied on: a stale item is read as a fresh start).
export function throttleKey(accountHash: string, clientHash: string): Key {
  return { PK: `RATE#signin-client#${accountHash}#${clientHash}`, SK: 'THROTTLE' };
}

export class SignInThrottleRepo {
  constructor(private readonly db: Db) {}

  async get(key: Key): Promise<ThrottleState | undefined> {
    const item = await this.db.get(key);
    if (!item) return undefined;
    return {
      failures: Number(item.failures ?? 0),
      lastFailureAt: Number(item.lastFailureAt ?? 0),
      nextAllowedAt: Number(item.nextAllowedAt ?? 0),
    };
  }

  /**
   * Writes the next state only if the stored failure count is still `seenFailures` (none stored:
   * undefined). False means a concurrent attempt got there first.
   */
  async advance(
    key: Key,
    next: ThrottleState,
    seenFailures: number | undefined,
    expiresAtEpochSeconds: number,
  ): Promise<boolean> {
    return this.db.put(
      { ...key, ...next, expiresAt: expiresAtEpochSeconds, entity: 'SignInThrottle' },
      seenFailures === undefined
        ? { ifNotExists: true }
        : { condition: 'failures = :seen', values: { ':seen': seenFailures } },
    );
  }

  async clear(key: Key): Promise<void> {
    await this.db.delete(key);
  }
}

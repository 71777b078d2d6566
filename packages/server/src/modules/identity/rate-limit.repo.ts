import type { Db, Key } from '../../engine/data/dynamo';

// Fixed-window counters shared by every Lambda instance: one item per subject and window, bumped
// with an atomic ADD, carrying `expiresAt` so DynamoDB's TTL sweeps old windows (never relied on:
// the window start is part of the key, so a stale item is simply never read again).
export class RateLimitRepo {
  constructor(private readonly db: Db) {}

  /** Adds `by` (may be negative) and returns the window's new count. */
  async add(key: Key, by: number, expiresAtEpochSeconds: number): Promise<number> {
    const item = await this.db.update(
      key,
      { set: 'expiresAt = :exp, entity = :entity', add: '#count :by' },
      {
        names: { '#count': 'count' },
        values: { ':by': by, ':exp': expiresAtEpochSeconds, ':entity': 'RateWindow' },
      },
    );
    return Number(item?.count ?? 0);
  }

  async count(key: Key): Promise<number> {
    const item = await this.db.get(key);
    return Number(item?.count ?? 0);
  }

  async clear(key: Key): Promise<void> {
    await this.db.delete(key);
  }
}

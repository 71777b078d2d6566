import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

// Meta's messaging limit: how many different people a number may start conversations with in a
// rolling 24 hours. A campaign that reaches it waits (it does not fail) until the window frees.
// Use is kept per channel: a number's first send in 24 h moves its `TIERUSE` item forward (a
// conditional update, so each number counts once however many sends race) and adds one to the
// hour's count. The sum of the last 25 hours' counts is the use, rounded up to the hour.

export const messagingTiers = {
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: Number.POSITIVE_INFINITY,
} as const;
export type MessagingTier = keyof typeof messagingTiers;

const DAY_MS = 24 * 3600_000;
const HOUR_MS = 3600_000;

export function isMessagingTier(value: unknown): value is MessagingTier {
  return typeof value === 'string' && value in messagingTiers;
}

const hourOf = (ms: number) => new Date(ms).toISOString().slice(0, 13);

export class MessagingTierUse {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** Different numbers written to in the last 24 h (counted by the hour: never under). */
  async used(channelId: string, now: number): Promise<number> {
    const hours = Array.from({ length: 25 }, (_, i) => hourOf(now - i * HOUR_MS));
    const items = await this.db.batchGet(
      hours.map((h) => keys.tierHour(this.tenantId, channelId, h)),
    );
    return items.reduce((sum, item) => sum + Number(item.count ?? 0), 0);
  }

  /** Of these numbers, those that would count against the tier now. */
  async newOf(channelId: string, digits: string[], now: number): Promise<Set<string>> {
    const items = await this.db.batchGet(
      [...new Set(digits)].map((d) => keys.tierUse(this.tenantId, channelId, d)),
    );
    const recent = new Set(
      items.filter((i) => Number(i.at) > now - DAY_MS).map((i) => String(i.SK).split('#').at(-1)),
    );
    return new Set(digits.filter((d) => !recent.has(d)));
  }

  /** Records a send to the number; counted once per rolling 24 h. */
  async record(channelId: string, digits: string, now: number): Promise<void> {
    const moved = await this.db.update(
      keys.tierUse(this.tenantId, channelId, digits),
      { set: '#at = :now' },
      {
        condition: 'attribute_not_exists(#at) OR #at <= :dayAgo',
        names: { '#at': 'at' },
        values: { ':now': now, ':dayAgo': now - DAY_MS },
      },
    );
    if (!moved) return;
    await this.db.update(
      keys.tierHour(this.tenantId, channelId, hourOf(now)),
      { set: 'expiresAt = :exp', add: '#c :one' },
      {
        names: { '#c': 'count' },
        values: { ':one': 1, ':exp': Math.floor((now + 2 * DAY_MS) / 1000) },
      },
    );
  }
}

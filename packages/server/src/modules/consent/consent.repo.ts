import {
  consentKeywordsSchema,
  defaultConsentKeywords,
  type Consent,
  type ConsentChange,
  type ConsentChannel,
  type ConsentKeywords,
} from '@switchboard/contracts';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys, tenantPk } from '../../engine/data/keys';

// A workspace's consent records (keys.ts `consent`, `consentChange`, `consentKeywords`). A change
// is written twice: its own history item first (put if absent, so the same change id is written
// once), then the current state, moved only forward in time. A crash between the two leaves the
// history ahead of the state; recording the same change again completes it.

const REPLY_CLAIM_TTL_SECONDS = 30 * 24 * 3600;

function toChange(item: Item): ConsentChange {
  return { id: item.changeId, status: item.status, at: item.at, evidence: item.evidence };
}

export class ConsentRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async get(address: string, channel: ConsentChannel = 'whatsapp'): Promise<Consent> {
    const item = await this.db.get(keys.consent(this.tenantId, channel, address));
    if (!item?.latest) return { channel, address, status: 'unknown' };
    return { channel, address, status: item.latest.status, latest: item.latest };
  }

  /** Many numbers at once (a campaign's audience): absent ones are `unknown`. */
  async getMany(
    addresses: string[],
    channel: ConsentChannel = 'whatsapp',
  ): Promise<Map<string, Consent>> {
    const out = new Map<string, Consent>();
    const items = await this.db.batchGet(
      addresses.map((a) => keys.consent(this.tenantId, channel, a)),
    );
    for (const item of items) {
      if (item.latest) {
        out.set(item.address, {
          channel,
          address: item.address,
          status: item.latest.status,
          latest: item.latest,
        });
      }
    }
    for (const a of addresses)
      if (!out.has(a)) out.set(a, { channel, address: a, status: 'unknown' });
    return out;
  }

  /**
   * Records a change. Idempotent per `change.id`; returns false when the state already had a
   * change at the same time or later (the history still holds this one).
   */
  async record(
    address: string,
    change: ConsentChange,
    channel: ConsentChannel = 'whatsapp',
  ): Promise<boolean> {
    await this.db.put(
      {
        ...keys.consentChange(this.tenantId, channel, address, change.at, change.id),
        changeId: change.id,
        channel,
        address,
        status: change.status,
        at: change.at,
        evidence: change.evidence,
      },
      { ifNotExists: true },
    );
    const updated = await this.db.update(
      keys.consent(this.tenantId, channel, address),
      { set: 'channel = :channel, address = :address, latest = :latest, latestAt = :at' },
      {
        condition: 'attribute_not_exists(latestAt) OR latestAt < :at OR latest.id = :id',
        values: {
          ':channel': channel,
          ':address': address,
          ':latest': change,
          ':at': change.at,
          ':id': change.id,
        },
      },
    );
    return updated !== undefined;
  }

  /** A number's changes, newest first (at most `limit`). */
  async history(
    address: string,
    channel: ConsentChannel = 'whatsapp',
    limit = 100,
  ): Promise<ConsentChange[]> {
    const page = await this.db.query({
      pk: tenantPk(this.tenantId),
      sk: { beginsWith: `CONSENTLOG#${channel}#${address}#` },
      newestFirst: true,
      limit,
      consistent: true,
    });
    return page.items.map(toChange);
  }

  /**
   * Claims the one confirmation reply of a keyword change: true for the first caller only. Kept
   * 30 days (TTL), far past any redelivery of the message.
   */
  async claimReply(changeId: string, now: Date): Promise<boolean> {
    return this.db.put(
      {
        ...keys.consentReply(this.tenantId, changeId),
        claimedAt: now.toISOString(),
        expiresAt: Math.floor(now.getTime() / 1000) + REPLY_CLAIM_TTL_SECONDS,
      },
      { ifNotExists: true },
    );
  }

  async keywords(): Promise<ConsentKeywords> {
    const item = await this.db.get(keys.consentKeywords(this.tenantId));
    if (!item) return defaultConsentKeywords;
    return consentKeywordsSchema.parse({ languages: item.languages });
  }

  async setKeywords(value: ConsentKeywords, now: Date): Promise<void> {
    await this.db.put({
      ...keys.consentKeywords(this.tenantId),
      languages: value.languages,
      updatedAt: now.toISOString(),
    });
  }
}

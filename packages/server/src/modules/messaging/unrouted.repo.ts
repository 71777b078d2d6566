import { sha256Hex } from '../../engine/ids';
import type { Db, Item } from '../../engine/data/dynamo';
import { positionOf, startKeyAt, type IndexPosition } from '../../engine/data/index-page';
import { keys } from '../../engine/data/keys';

export type UnroutedEntry = {
  id: string;
  object: string;
  reason: string;
  routingKeys: Record<string, string>;
  entry: unknown;
  receivedAt: string;
  deliveries: number;
};

function toEntry(item: Item): UnroutedEntry {
  return {
    id: item.id,
    object: item.object,
    reason: item.reason,
    routingKeys: item.routingKeys,
    entry: JSON.parse(item.entryJson as string),
    receivedAt: item.receivedAt,
    deliveries: item.deliveries,
  };
}

// Entries that matched no tenant: kept (never dropped, never retried forever) for a platform admin.
export class UnroutedRepo {
  constructor(private readonly db: Db) {}

  async record(input: Omit<UnroutedEntry, 'id' | 'deliveries'>): Promise<void> {
    const entryJson = JSON.stringify(input.entry);
    const hash = sha256Hex(`${input.object}\n${entryJson}`);
    // One item per distinct entry; Meta's redeliveries only bump the counter.
    await this.db.update(
      keys.unrouted(hash),
      {
        set:
          '#id = :id, #object = :object, reason = :reason, routingKeys = :rk, entryJson = :json, ' +
          'receivedAt = if_not_exists(receivedAt, :at), GSI1PK = :gpk, GSI1SK = if_not_exists(GSI1SK, :gsk), entity = :entity',
        add: 'deliveries :one',
      },
      {
        names: { '#id': 'id', '#object': 'object' },
        values: {
          ':id': hash.slice(0, 24),
          ':object': input.object,
          ':reason': input.reason,
          ':rk': input.routingKeys,
          ':json': entryJson,
          ':at': input.receivedAt,
          ':gpk': keys.unroutedPk,
          ':gsk': `${input.receivedAt}#${hash}`,
          ':entity': 'Unrouted',
          ':one': 1,
        },
      },
    );
  }

  /** Newest first; `after` is where the previous page ended. */
  async list(
    limit: number,
    after?: IndexPosition,
  ): Promise<{ items: UnroutedEntry[]; next?: IndexPosition }> {
    const page = await this.db.query({
      pk: keys.unroutedPk,
      index: 'GSI1',
      newestFirst: true,
      limit,
      startKey: startKeyAt(after, { pkName: 'GSI1PK', skName: 'GSI1SK', pk: keys.unroutedPk }),
    });
    return { items: page.items.map(toEntry), next: positionOf(page.lastKey, 'GSI1SK') };
  }
}

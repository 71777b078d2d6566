import type { IntegrationEventType } from '@switchboard/contracts';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { UpdateExpression } from '../../engine/data/update-expression';

// An integrator's event webhook (keys.eventDestination): where the workspace's events go, which
// of them, and the Standard Webhooks secret (encrypted, never shown after creation).

export type DeliveryRecord = {
  eventId: string;
  type: string;
  outcome: 'delivered' | 'retrying' | 'failed';
  status: number | null;
  error?: string;
  at: string;
};

/** As the API shows it: never the secret. */
export type EventDestination = {
  id: string;
  url: string;
  events: IntegrationEventType[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastDelivery?: DeliveryRecord;
};

export type EventDestinationRecord = EventDestination & { encryptedSecret: string };

function toRecord(item: Item): EventDestinationRecord {
  return {
    id: item.id,
    url: item.url,
    events: item.events ?? [],
    enabled: item.enabled !== false,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt ?? item.createdAt,
    ...(item.lastDelivery ? { lastDelivery: item.lastDelivery } : {}),
    encryptedSecret: item.encryptedSecret,
  };
}

export function withoutSecret({
  encryptedSecret: _secret,
  ...view
}: EventDestinationRecord): EventDestination {
  return view;
}

export class EventDestinationRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async create(record: EventDestinationRecord): Promise<void> {
    const created = await this.db.put(
      {
        ...keys.eventDestination(this.tenantId, record.id),
        ...record,
        entity: 'EventDestination',
      },
      { ifNotExists: true },
    );
    if (!created) throw new Error('event destination id collision');
  }

  async get(id: string): Promise<EventDestinationRecord | undefined> {
    const item = await this.db.get(keys.eventDestination(this.tenantId, id));
    return item ? toRecord(item) : undefined;
  }

  /** All of the tenant's destinations (a handful), with their secrets: for delivery. */
  async listRecords(): Promise<EventDestinationRecord[]> {
    const page = await this.db.query({
      pk: keys.tenant(this.tenantId).PK,
      sk: { beginsWith: 'EVTDEST#' },
      limit: 100,
    });
    return page.items.map(toRecord);
  }

  /** Changes url, events or enabled; undefined when the destination does not exist. */
  async update(
    id: string,
    patch: { url?: string; events?: IntegrationEventType[]; enabled?: boolean },
    now: string,
  ): Promise<EventDestinationRecord | undefined> {
    const u = new UpdateExpression().set('updatedAt', now);
    if (patch.url !== undefined) u.set('url', patch.url);
    if (patch.events !== undefined) u.set('events', patch.events);
    if (patch.enabled !== undefined) u.set('enabled', patch.enabled);
    const item = await this.db.update(keys.eventDestination(this.tenantId, id), u.parts(), {
      condition: 'attribute_exists(PK)',
      names: u.names,
      values: u.values,
    });
    return item ? toRecord(item) : undefined;
  }

  /**
   * The last delivery attempt, kept only if it is not older than the one stored (deliveries of
   * different events finish in any order).
   */
  async recordDelivery(id: string, delivery: DeliveryRecord): Promise<void> {
    await this.db.update(
      keys.eventDestination(this.tenantId, id),
      { set: 'lastDelivery = :d' },
      {
        condition:
          'attribute_exists(PK) AND (attribute_not_exists(lastDelivery) OR lastDelivery.#at <= :at)',
        names: { '#at': 'at' },
        values: { ':d': delivery, ':at': delivery.at },
      },
    );
  }

  async remove(id: string): Promise<boolean> {
    return this.db.delete(keys.eventDestination(this.tenantId, id), {
      condition: 'attribute_exists(PK)',
    });
  }
}

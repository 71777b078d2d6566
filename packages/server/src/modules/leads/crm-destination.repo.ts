import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type CrmDestinationType = 'webhook' | 'hubspot';

/** As the API shows it: never the secret or token. */
export type CrmDestination = {
  id: string;
  type: CrmDestinationType;
  name?: string;
  /** Webhook destinations: where deliveries go. */
  url?: string;
  enabled: boolean;
  createdAt: string;
};

/** With the encrypted credential (webhook signing secret or HubSpot token): for the sync only. */
export type CrmDestinationRecord = CrmDestination & { encryptedSecret: string };

function toDestination(item: Item): CrmDestination {
  return {
    id: item.id,
    type: item.type,
    name: item.name,
    url: item.url,
    enabled: item.enabled !== false,
    createdAt: item.createdAt,
  };
}

export class CrmDestinationRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async create(record: CrmDestinationRecord): Promise<void> {
    const created = await this.db.put(
      { ...keys.crmDestination(this.tenantId, record.id), ...record, entity: 'CrmDestination' },
      { ifNotExists: true },
    );
    if (!created) throw new Error('destination id collision');
  }

  async get(id: string): Promise<CrmDestinationRecord | undefined> {
    const item = await this.db.get(keys.crmDestination(this.tenantId, id));
    return item ? { ...toDestination(item), encryptedSecret: item.encryptedSecret } : undefined;
  }

  /** All destinations (a tenant has a handful), with credentials: for the sync. */
  async listRecords(): Promise<CrmDestinationRecord[]> {
    const page = await this.db.query({
      pk: keys.tenant(this.tenantId).PK,
      sk: { beginsWith: 'CRMDEST#' },
      limit: 100,
    });
    return page.items.map((item) => ({
      ...toDestination(item),
      encryptedSecret: item.encryptedSecret,
    }));
  }

  async list(): Promise<CrmDestination[]> {
    return (await this.listRecords()).map(({ encryptedSecret: _secret, ...view }) => view);
  }

  async remove(id: string): Promise<boolean> {
    return this.db.delete(keys.crmDestination(this.tenantId, id), {
      condition: 'attribute_exists(PK)',
    });
  }
}

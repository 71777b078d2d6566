import { randomId } from '../../engine/ids';
import type { Db, Item } from '../../engine/data/dynamo';
import { positionOf, startKeyAt, type IndexPosition } from '../../engine/data/index-page';
import { keys } from '../../engine/data/keys';

export type TenantStatus = 'active' | 'suspended';
export type Tenant = { id: string; name: string; status: TenantStatus; createdAt: string };

function toTenant(item: Item): Tenant {
  return { id: item.id, name: item.name, status: item.status, createdAt: item.createdAt };
}

// Platform-level: tenants themselves. Used by admin routes and by auth to check a tenant is active.
export class TenantRepo {
  constructor(private readonly db: Db) {}

  async create(name: string, now = new Date()): Promise<Tenant> {
    const tenant: Tenant = {
      id: randomId('tn'),
      name,
      status: 'active',
      createdAt: now.toISOString(),
    };
    await this.db.put(
      {
        ...keys.tenant(tenant.id),
        ...tenant,
        entity: 'Tenant',
        GSI1PK: keys.tenantsIndexPk,
        GSI1SK: `${tenant.createdAt}#${tenant.id}`,
      },
      { ifNotExists: true },
    );
    return tenant;
  }

  async get(tenantId: string): Promise<Tenant | undefined> {
    const item = await this.db.get(keys.tenant(tenantId));
    return item ? toTenant(item) : undefined;
  }

  /** Newest first; `after` is where the previous page ended. */
  async list(
    limit: number,
    after?: IndexPosition,
  ): Promise<{ items: Tenant[]; next?: IndexPosition }> {
    const page = await this.db.query({
      pk: keys.tenantsIndexPk,
      index: 'GSI1',
      newestFirst: true,
      limit,
      startKey: startKeyAt(after, { pkName: 'GSI1PK', skName: 'GSI1SK', pk: keys.tenantsIndexPk }),
    });
    return { items: page.items.map(toTenant), next: positionOf(page.lastKey, 'GSI1SK') };
  }

  async setStatus(tenantId: string, status: TenantStatus): Promise<Tenant | undefined> {
    const item = await this.db.update(
      keys.tenant(tenantId),
      { set: '#status = :status' },
      {
        condition: 'attribute_exists(PK)',
        names: { '#status': 'status' },
        values: { ':status': status },
      },
    );
    return item ? toTenant(item) : undefined;
  }
}

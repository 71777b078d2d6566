import type { ApiKeyScope } from '../../engine/topology';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

/** An API key as the API lists it: never the secret nor its hash. */
export type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  /** CIDR ranges (or addresses) the key may be used from; absent or empty: anywhere. */
  allowedIps?: string[];
  createdAt: string;
  createdBy?: string;
  lastUsedAt?: string;
  revokedAt?: string;
};

/** What authentication needs: the tenant and the hash to compare against. */
export type ApiKeyRecord = ApiKey & { tenantId: string; keyHash: string };

function toApiKey(item: Item): ApiKey {
  return {
    id: item.id,
    name: item.name,
    prefix: item.prefix,
    scopes: item.scopes,
    ...(item.allowedIps?.length ? { allowedIps: item.allowedIps as string[] } : {}),
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    lastUsedAt: item.lastUsedAt,
    revokedAt: item.revokedAt,
  };
}

/** Platform-level: which tenant a presented key belongs to (the key names none). Auth only. */
export class ApiKeyLookup {
  constructor(private readonly db: Db) {}

  async tenantOf(keyId: string): Promise<string | undefined> {
    const pointer = await this.db.get(keys.apiKeyPointer(keyId));
    return pointer?.tenantId as string | undefined;
  }
}

/** A tenant's API keys. Built only through the tenant-scoped accessor. */
export class ApiKeyRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    /** For the global pointers outside the tenant's partitions (see tenant-data.ts). */
    private readonly platformDb: Db = db,
  ) {}

  /** Claims the key id (global pointer), then writes the key in the tenant's partition. */
  async create(
    input: Omit<ApiKeyRecord, 'tenantId' | 'lastUsedAt' | 'revokedAt'>,
  ): Promise<ApiKey> {
    const claimed = await this.platformDb.put(
      { ...keys.apiKeyPointer(input.id), tenantId: this.tenantId, entity: 'ApiKeyPointer' },
      { ifNotExists: true },
    );
    if (!claimed) throw new Error('API key id collision');
    await this.db.put({
      ...keys.apiKey(this.tenantId, input.id),
      ...input,
      entity: 'ApiKey',
    });
    const { keyHash: _hash, ...view } = input;
    return view;
  }

  async get(keyId: string): Promise<ApiKey | undefined> {
    const item = await this.db.get(keys.apiKey(this.tenantId, keyId));
    return item ? toApiKey(item) : undefined;
  }

  /** With the hash: for authentication only. */
  async getRecord(keyId: string): Promise<ApiKeyRecord | undefined> {
    const item = await this.db.get(keys.apiKey(this.tenantId, keyId));
    return item ? { ...toApiKey(item), tenantId: this.tenantId, keyHash: item.keyHash } : undefined;
  }

  /** The tenant's keys in key-id order (a tenant has few), paginated by sort key. */
  async list(limit: number, afterId?: string): Promise<{ items: ApiKey[]; lastId?: string }> {
    const pk = keys.tenant(this.tenantId).PK;
    const page = await this.db.query({
      pk,
      sk: { beginsWith: 'APIKEY#' },
      limit,
      startKey: afterId ? keys.apiKey(this.tenantId, afterId) : undefined,
      consistent: true,
    });
    const items = page.items.map(toApiKey);
    return { items, lastId: page.lastKey ? items[items.length - 1]?.id : undefined };
  }

  /** Revokes once; 'missing' also covers another tenant's key (it is not in this partition). */
  async revoke(keyId: string, at: string): Promise<'revoked' | 'already' | 'missing'> {
    const updated = await this.db.update(
      keys.apiKey(this.tenantId, keyId),
      { set: 'revokedAt = :at' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
        values: { ':at': at },
      },
    );
    if (updated) return 'revoked';
    return (await this.get(keyId)) ? 'already' : 'missing';
  }

  /** Replaces the allowed ranges (an empty list lifts the restriction); undefined if missing. */
  async setAllowedIps(keyId: string, ranges: string[]): Promise<ApiKey | undefined> {
    const updated = await this.db.update(
      keys.apiKey(this.tenantId, keyId),
      ranges.length ? { set: 'allowedIps = :ranges' } : { remove: 'allowedIps' },
      {
        condition: 'attribute_exists(PK)',
        values: ranges.length ? { ':ranges': ranges } : undefined,
      },
    );
    return updated ? toApiKey(updated) : undefined;
  }

  /** Records use, at most once per `minIntervalMs`: the condition lets one writer per interval through. */
  async touch(keyId: string, now: Date, minIntervalMs: number): Promise<void> {
    await this.db.update(
      keys.apiKey(this.tenantId, keyId),
      { set: 'lastUsedAt = :now' },
      {
        condition:
          'attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :before)',
        values: {
          ':now': now.toISOString(),
          ':before': new Date(now.getTime() - minIntervalMs).toISOString(),
        },
      },
    );
  }
}

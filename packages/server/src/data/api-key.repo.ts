import type { ApiKeyScope } from '../topology';
import type { Db, Item } from './dynamo';
import { keys } from './keys';

/** An API key as the API lists it: never the secret nor its hash. */
export type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
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
    createdAt: item.createdAt,
    createdBy: item.createdBy,
    lastUsedAt: item.lastUsedAt,
    revokedAt: item.revokedAt,
  };
}

/** Platform-level: resolves a presented key to its record (the key names no tenant). Auth only. */
export class ApiKeyLookup {
  constructor(private readonly db: Db) {}

  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    const item = await this.db.get(keys.apiKey(keyId));
    return item ? { ...toApiKey(item), tenantId: item.tenantId, keyHash: item.keyHash } : undefined;
  }

  /** Records use, at most once per `minIntervalMs`: the condition lets one writer per interval through. */
  async touch(keyId: string, now: Date, minIntervalMs: number): Promise<void> {
    await this.db.update(
      keys.apiKey(keyId),
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

/** A tenant's API keys. Built only through the tenant-scoped accessor; every write checks the tenant. */
export class ApiKeyRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async create(
    input: Omit<ApiKeyRecord, 'tenantId' | 'lastUsedAt' | 'revokedAt'>,
  ): Promise<ApiKey> {
    const created = await this.db.put(
      {
        ...keys.apiKey(input.id),
        ...input,
        tenantId: this.tenantId,
        entity: 'ApiKey',
        GSI1PK: keys.apiKeysPk(this.tenantId),
        GSI1SK: `${input.createdAt}#${input.id}`,
      },
      { ifNotExists: true },
    );
    if (!created) throw new Error('API key id collision');
    const { keyHash: _hash, ...view } = input;
    return view;
  }

  /** Another tenant's key answers undefined, exactly like a missing one. */
  async get(keyId: string): Promise<ApiKey | undefined> {
    const item = await this.db.get(keys.apiKey(keyId));
    return item && item.tenantId === this.tenantId ? toApiKey(item) : undefined;
  }

  async list(limit: number, startKey?: Item): Promise<{ items: ApiKey[]; lastKey?: Item }> {
    const page = await this.db.query({
      pk: keys.apiKeysPk(this.tenantId),
      index: 'GSI1',
      newestFirst: true,
      limit,
      startKey,
    });
    return { items: page.items.map(toApiKey), lastKey: page.lastKey };
  }

  /** Revokes once; 'missing' covers another tenant's key. */
  async revoke(keyId: string, at: string): Promise<'revoked' | 'already' | 'missing'> {
    const updated = await this.db.update(
      keys.apiKey(keyId),
      { set: 'revokedAt = :at' },
      {
        condition: 'attribute_exists(PK) AND tenantId = :t AND attribute_not_exists(revokedAt)',
        values: { ':at': at, ':t': this.tenantId },
      },
    );
    if (updated) return 'revoked';
    return (await this.get(keyId)) ? 'already' : 'missing';
  }
}

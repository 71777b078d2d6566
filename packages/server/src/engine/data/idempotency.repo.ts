import type { Db, Item } from './dynamo';
import { keys } from './keys';

/** What a retried request gets back: the first attempt's status and body. */
export type StoredResponse = { status: number; body: unknown };

export type IdempotencyRecord = {
  state: 'in_progress' | 'completed';
  /** SHA-256 of the canonical request: the same key with another body is refused. */
  requestHash: string;
  /** Reserved before the work starts, so a retry after a crash finds what the first attempt made. */
  resourceId: string;
  createdAt: string;
  /** TTL (epoch seconds); an expired record counts as absent even before DynamoDB removes it. */
  expiresAt: number;
  response?: StoredResponse;
};

function toRecord(item: Item): IdempotencyRecord {
  return {
    state: item.state,
    requestHash: item.requestHash,
    resourceId: item.resourceId,
    createdAt: item.createdAt,
    expiresAt: item.expiresAt,
    response: item.response,
  };
}

/** Idempotency keys of one tenant, per operation (e.g. `send-message`). */
export class IdempotencyRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /**
   * Claims the key with a conditional put. Returns undefined when this caller owns it now, or the
   * live record someone else holds.
   */
  async claim(
    operation: string,
    keyHash: string,
    record: IdempotencyRecord,
    nowSeconds: number,
  ): Promise<IdempotencyRecord | undefined> {
    const key = keys.idempotency(this.tenantId, operation, keyHash);
    const claimed = await this.db.put(
      { ...key, ...record, entity: 'Idempotency' },
      {
        condition: 'attribute_not_exists(PK) OR expiresAt < :now',
        values: { ':now': nowSeconds },
      },
    );
    if (claimed) return undefined;
    const item = await this.db.get(key);
    // Gone between the two calls (released by its owner): claim again.
    if (!item) return this.claim(operation, keyHash, record, nowSeconds);
    return toRecord(item);
  }

  /** Takes over an abandoned in-progress record (its owner crashed or timed out). */
  async takeOver(
    operation: string,
    keyHash: string,
    previous: IdempotencyRecord,
    record: IdempotencyRecord,
  ): Promise<boolean> {
    return this.db.put(
      { ...keys.idempotency(this.tenantId, operation, keyHash), ...record, entity: 'Idempotency' },
      {
        condition: '#state = :inProgress AND createdAt = :created',
        names: { '#state': 'state' },
        values: { ':inProgress': 'in_progress', ':created': previous.createdAt },
      },
    );
  }

  async complete(operation: string, keyHash: string, response: StoredResponse): Promise<void> {
    await this.db.update(
      keys.idempotency(this.tenantId, operation, keyHash),
      { set: '#state = :completed, #response = :response' },
      {
        condition: 'attribute_exists(PK)',
        names: { '#state': 'state', '#response': 'response' },
        values: { ':completed': 'completed', ':response': response },
      },
    );
  }

  /** Lets the key be used again: for outcomes worth retrying (throttling, Meta unavailable). */
  async release(operation: string, keyHash: string): Promise<void> {
    await this.db.delete(keys.idempotency(this.tenantId, operation, keyHash));
  }
}

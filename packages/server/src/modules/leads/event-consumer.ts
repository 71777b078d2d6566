import { z, type ZodType } from 'zod';
import type { Db } from '../../engine/data/dynamo';
import {
  dbForTenant,
  tenantData,
  type TenantData,
  type TenantDbFactory,
} from '../../engine/data/tenant-data';
import type { Logger } from '../../engine/log';
import type { SqsBatchHandler, SqsRecord } from '../../engine/ports/queue';

// A bus rule's consumer: the rule delivers EventBridge envelopes to a queue, and this turns one
// SQS batch into per-event work with partial batch failures. Each event is skipped when its
// `EVENT#<rule>#<eventId>` marker exists and marked after the work succeeds; the work itself is
// idempotent too, because EventBridge and SQS both deliver at least once.

const envelopeSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.string(),
  source: z.string(),
  detail: z.unknown(),
});

export class PoisonEventError extends Error {
  override readonly name = 'PoisonEventError';
}

/** A failure that knows when to try again (backoff, or the remote's Retry-After). */
export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';
  constructor(
    message: string,
    readonly delaySeconds: number,
  ) {
    super(message);
  }
}

export type EventContext = {
  eventId: string;
  detailType: string;
  record: SqsRecord;
  receiveCount: number;
  /** The event's tenant, through the tenant-scoped accessor (the tenant id came from our own event). */
  data: TenantData;
};

export type EventConsumerOptions<T extends { tenantId: string }> = {
  /** The bus rule's name: the dedupe marker's namespace. */
  rule: string;
  schema: ZodType<T>;
  db: Db;
  /** A tenant's partitions on tenant-scoped credentials (deployed); absent, `db` serves them. */
  tenantDb?: TenantDbFactory;
  log: Logger;
  now?: () => Date;
  handle(detail: T, ctx: EventContext): Promise<void>;
  /**
   * Makes a failed record visible again after `seconds` (SQS ChangeMessageVisibility): how
   * backoff is applied through the queue. Without it the queue's visibility timeout applies.
   */
  delayRetry?(record: SqsRecord, seconds: number): Promise<void>;
};

export function createEventConsumer<T extends { tenantId: string }>(
  opts: EventConsumerOptions<T>,
): SqsBatchHandler {
  const now = opts.now ?? (() => new Date());

  async function processRecord(record: SqsRecord): Promise<void> {
    let eventId: string;
    let detailType: string;
    let detail: T;
    try {
      const envelope = envelopeSchema.parse(JSON.parse(record.body));
      eventId = envelope.id;
      detailType = envelope['detail-type'];
      detail = opts.schema.parse(envelope.detail);
    } catch (err) {
      throw new PoisonEventError(
        `record ${record.messageId} is not a ${opts.rule} event: ${(err as Error).message}`,
      );
    }
    const data = tenantData(
      dbForTenant(opts, detail.tenantId),
      { tenantId: detail.tenantId, actor: { kind: 'system', reason: 'lead-pipeline' } },
      opts.db,
    );
    if (await data.eventMarkers.seen(opts.rule, eventId)) return;
    await opts.handle(detail, {
      eventId,
      detailType,
      record,
      receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
      data,
    });
    await data.eventMarkers.mark(opts.rule, eventId, now());
  }

  return async (event) => {
    const results = await Promise.allSettled(event.Records.map((record) => processRecord(record)));
    const batchItemFailures: { itemIdentifier: string }[] = [];
    await Promise.all(
      results.map(async (result, i) => {
        const record = event.Records[i];
        if (result.status === 'fulfilled' || !record) return;
        const error = result.reason as Error;
        batchItemFailures.push({ itemIdentifier: record.messageId });
        opts.log.warn('event consumer failed', {
          rule: opts.rule,
          messageId: record.messageId,
          receiveCount: record.attributes.ApproximateReceiveCount,
          error: error?.name,
          detail: error?.message,
        });
        if (error instanceof RetryLaterError && opts.delayRetry) {
          await opts
            .delayRetry(record, error.delaySeconds)
            .catch((err: unknown) =>
              opts.log.warn('could not delay a retry', { rule: opts.rule, error: String(err) }),
            );
        }
      }),
    );
    return { batchItemFailures };
  };
}

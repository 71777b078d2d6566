import { z, type ZodType } from 'zod';
import type { Db } from '../../engine/data/dynamo';
import {
  dbForTenant,
  tenantData,
  type TenantData,
  type TenantDbFactory,
} from '../../engine/data/tenant-data';
import { childLogger, type Logger } from '../../engine/log';
import type { SqsBatchHandler, SqsRecord } from '../../engine/ports/queue';
import { sqsBatchHandler } from '../../engine/queue/sqs-batch';

// A bus rule's consumer: the rule delivers EventBridge envelopes to a queue, and this turns one
// SQS batch into per-event work with partial batch failures (engine/queue/sqs-batch.ts). Each
// event is skipped when its `EVENT#<rule>#<eventId>` marker exists and marked after the work
// succeeds; the work itself is idempotent too, because EventBridge and SQS both deliver at least
// once. A body that is not the rule's event is a PoisonRecordError; `handle` throws
// RetryLaterError (engine/queue/consumer-errors.ts) for a retry after a delay.

const envelopeOf = <T>(detail: ZodType<T>) =>
  z.object({
    id: z.string().min(1),
    'detail-type': z.string(),
    source: z.string(),
    detail,
  });

export type EventContext = {
  eventId: string;
  detailType: string;
  record: SqsRecord;
  receiveCount: number;
  /** The event's tenant, through the tenant-scoped accessor (the tenant id came from our own event). */
  data: TenantData;
  /** The consumer's logger with the rule, the invocation's request id and the record's id. */
  log: Logger;
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
   * Makes a record that failed with RetryLaterError visible again after its delay (SQS
   * ChangeMessageVisibility): how backoff is applied through the queue. Without it the queue's
   * visibility timeout applies.
   */
  delayRetry?(record: SqsRecord, seconds: number): Promise<void>;
};

export function createEventConsumer<T extends { tenantId: string }>(
  opts: EventConsumerOptions<T>,
): SqsBatchHandler {
  const now = opts.now ?? (() => new Date());
  return sqsBatchHandler({
    schema: envelopeOf(opts.schema),
    bodyName: `a ${opts.rule} event`,
    log: childLogger(opts.log, { rule: opts.rule }),
    failureLog: { level: 'warn', msg: 'event consumer failed' },
    delayRetry: opts.delayRetry,
    async handle(envelope, { record, receiveCount, log }) {
      const { id: eventId, 'detail-type': detailType, detail } = envelope;
      const data = tenantData(
        dbForTenant(opts, detail.tenantId),
        { tenantId: detail.tenantId, actor: { kind: 'system', reason: 'lead-pipeline' } },
        opts.db,
      );
      if (await data.eventMarkers.seen(opts.rule, eventId)) return;
      await opts.handle(detail, { eventId, detailType, record, receiveCount, data, log });
      await data.eventMarkers.mark(opts.rule, eventId, now());
    },
  });
}

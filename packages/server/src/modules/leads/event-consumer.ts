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
import { TenantRepo } from '../platform/tenant.repo';

// A bus rule's consumer: the rule delivers EventBridge envelopes to a queue, and this turns one
// SQS batch into per-event work with partial batch failures (engine/queue/sqs-batch.ts). Each
// event is skipped when its `EVENT#<rule>#<eventId>` marker exists and marked after the work
// succeeds; the work itself is idempotent too, because EventBridge and SQS both deliver at least
// once. A body that is not the rule's event is a PoisonRecordError; `handle` throws
// RetryLaterError (engine/queue/consumer-errors.ts) for a retry after a delay.
//
// A suspended tenant's events are not processed: they are dropped, with a warning in the log and
// an `lead.event_dropped` entry in the tenant's audit trail, and marked like processed ones so a
// redelivery drops nothing twice. Holding them for a retry after a resume would not hold: SQS
// moves a record to its DLQ after maxReceiveCount receives, suspended or not, and the edge
// stopped taking the tenant's leads at the moment of the suspension, so only what was in flight
// then is concerned. An active status is trusted for a short while (like the message
// processor's cache); any other is read again for every event, so a resumed tenant's events are
// processed at once.

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
  /** How long a tenant's active/suspended status is trusted in memory (0: read every time). */
  tenantStatusTtlMs?: number;
  /** What the event is about, for the audit entry of a dropped one. */
  subject?(detail: T): { type: string; id: string };
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
  const tenants = new TenantRepo(opts.db);
  const ttl = opts.tenantStatusTtlMs ?? 10_000;
  const activeUntil = new Map<string, number>();

  async function tenantActive(tenantId: string): Promise<boolean> {
    const at = now().getTime();
    if ((activeUntil.get(tenantId) ?? 0) > at) return true;
    const active = (await tenants.get(tenantId))?.status === 'active';
    if (active && ttl > 0) {
      if (activeUntil.size >= 1000) activeUntil.clear();
      activeUntil.set(tenantId, at + ttl);
    } else activeUntil.delete(tenantId);
    return active;
  }

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
      if (!(await tenantActive(detail.tenantId))) {
        log.warn('event dropped: tenant not active', {
          tenantId: detail.tenantId,
          eventId,
          detailType,
        });
        await data.audit.record(
          {
            action: 'lead.event_dropped',
            actor: { kind: 'system' },
            target: opts.subject?.(detail),
            details: { rule: opts.rule, eventId, reason: 'tenant_suspended' },
          },
          now(),
        );
        await data.eventMarkers.mark(opts.rule, eventId, now());
        return;
      }
      await opts.handle(detail, { eventId, detailType, record, receiveCount, data, log });
      await data.eventMarkers.mark(opts.rule, eventId, now());
    },
  });
}

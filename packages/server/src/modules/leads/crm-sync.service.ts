import type { Db } from '../../engine/data/dynamo';
import type { TenantDbFactory } from '../../engine/data/tenant-data';
import { stableId } from '../../engine/ids';
import type { Logger } from '../../engine/log';
import type { SqsBatchHandler, SqsRecord } from '../../engine/ports/queue';
import { RetryLaterError } from '../../engine/queue/consumer-errors';
import type { TokenCipher } from '../../engine/security/token-cipher';
import { leadRules, queues } from '../../engine/topology';
import { deliverLead, type CrmSettings, type DeliveryMessage } from './crm-connectors';
import { createEventConsumer } from './event-consumer';
import { leadSyncJobSchema, type LeadSyncJob } from './lead-events';

export type Backoff = { baseSeconds: number; maxSeconds: number };

/** Exponential with equal jitter: half the step is fixed, half random, capped at `maxSeconds`. */
export function backoffSeconds(attempt: number, backoff: Backoff, random = Math.random): number {
  const step = Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.ceil(step / 2 + random() * (step / 2));
}

export const defaultCrmBackoff: Backoff = { baseSeconds: 30, maxSeconds: 900 };

export type CrmSyncDeps = {
  db: Db;
  tenantDb?: TenantDbFactory;
  log: Logger;
  cipher: TokenCipher;
  crm: CrmSettings;
  now?: () => Date;
  backoff?: Backoff;
  /** How long a tenant's active/suspended status is trusted in memory (event-consumer.ts). */
  tenantStatusTtlMs?: number;
  /** SQS ChangeMessageVisibility on the record (sandbox: LocalQueue.changeVisibility). */
  delayRetry?(record: SqsRecord, seconds: number): Promise<void>;
};

/** The webhook-id of one job at one destination: retries and DLQ replays reuse it. */
export function deliveryId(destinationId: string, job: LeadSyncJob): string {
  return stableId('msg', destinationId, job.leadId, job.jobId);
}

const messageType: Record<LeadSyncJob['reason'], DeliveryMessage['type']> = {
  submission: 'lead.upserted',
  update: 'lead.updated',
  manual: 'lead.resynced',
};

/**
 * CrmSync: pushes a lead to every enabled destination of its tenant. A destination that took the
 * job is remembered (`EVENT#SyncLeadToCrm:<destination>#<jobId>`), so a retry only re-sends to
 * those that failed. Failures go back to the queue with backoff and, after `maxReceiveCount`
 * attempts, to the DLQ an admin replays; the lead shows `sync: {status, attempts, lastError}`.
 * A suspended tenant's jobs, retries included, are dropped unsent (event-consumer.ts).
 */
export function createCrmSync(deps: CrmSyncDeps): SqsBatchHandler {
  const now = deps.now ?? (() => new Date());
  const backoff = deps.backoff ?? defaultCrmBackoff;
  const maxReceiveCount = queues.CrmSyncQueue.maxReceiveCount;
  return createEventConsumer({
    rule: leadRules.sync,
    schema: leadSyncJobSchema,
    db: deps.db,
    tenantDb: deps.tenantDb,
    log: deps.log,
    now,
    delayRetry: deps.delayRetry,
    tenantStatusTtlMs: deps.tenantStatusTtlMs,
    subject: (job) => ({ type: 'lead', id: job.leadId }),
    async handle(job, ctx) {
      const { leads, crmDestinations, eventMarkers: markers } = ctx.data;
      const lead = await leads.get(job.leadId);
      if (!lead || lead.deletedAt) return;
      const destinations = (await crmDestinations.listRecords()).filter((d) => d.enabled);
      const attemptAt = now().toISOString();
      const attribution =
        destinations.length === 0
          ? null
          : ((await ctx.data.attribution.get('lead', lead.id)) ??
            (await ctx.data.attribution.get('contact', lead.customerId)));
      if (destinations.length === 0) {
        await leads.setSync(lead.id, {
          status: 'not_configured',
          attempts: 0,
          lastError: null,
          jobId: job.jobId,
        });
        return;
      }
      const failures: { error: string; retryAfterSeconds?: number }[] = [];
      const skipped: string[] = [];
      await Promise.all(
        destinations.map(async (dest) => {
          const marker = `${leadRules.sync}:${dest.id}`;
          if (await markers.seen(marker, job.jobId)) return;
          const outcome = await deliverLead(
            job.tenantId,
            dest,
            { id: deliveryId(dest.id, job), type: messageType[job.reason], lead, attribution },
            { cipher: deps.cipher, crm: deps.crm, now },
          ).catch((err: unknown) => ({
            ok: false as const,
            error: `internal: ${(err as Error).message}`,
          }));
          if (outcome.ok) {
            if (outcome.skipped) skipped.push(outcome.skipped);
            await markers.mark(marker, job.jobId, now());
          } else failures.push(outcome);
        }),
      );
      if (failures.length === 0) {
        await leads.setSync(lead.id, {
          status: 'synced',
          attempts: ctx.receiveCount,
          lastError: skipped[0] ?? null,
          lastAttemptAt: attemptAt,
          syncedAt: attemptAt,
          jobId: job.jobId,
        });
        return;
      }
      const lastError = failures
        .map((f) => f.error)
        .join('; ')
        .slice(0, 500);
      const final = ctx.receiveCount >= maxReceiveCount;
      await leads.setSync(lead.id, {
        status: final ? 'failed' : 'retrying',
        attempts: ctx.receiveCount,
        lastError: final
          ? `${lastError} (moved to the dead-letter queue; an admin can replay it)`
          : lastError,
        lastAttemptAt: attemptAt,
        jobId: job.jobId,
      });
      const delay = Math.max(
        backoffSeconds(ctx.receiveCount, backoff),
        ...failures.map((f) => f.retryAfterSeconds ?? 0),
      );
      throw new RetryLaterError(lastError, Math.min(delay, 43_200));
    },
  });
}

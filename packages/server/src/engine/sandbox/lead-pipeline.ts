import { join } from 'node:path';
import type { Db } from '../data/dynamo';
import type { CrmSettings } from '../../modules/leads/crm-connectors';
import { createCrmSync, type Backoff } from '../../modules/leads/crm-sync.service';
import { createLeadMerge } from '../../modules/leads/lead-merge.service';
import { createLeadStore } from '../../modules/leads/lead-store.service';
import { createEventDelivery } from '../../modules/integrations/event-delivery.service';
import type { OutboundDeps } from '../../modules/messaging/outbound-deps';
import type { Logger } from '../log';
import { LocalBus } from '../local/local-bus';
import type { LocalQueue } from '../local/local-queue';
import { localDlqAdmin, openQueueWithDlq } from '../local/queue-pair';
import { QueuePoller } from '../local/queue-poller';
import type { DeadLetterAdmin } from '../ports/dlq';
import type { SqsBatchHandler } from '../ports/queue';
import type { TokenCipher } from '../security/token-cipher';
import { busRules, queues } from '../topology';

// The leads flow in the sandbox: the local bus delivers LeadSubmitted / LeadUpserted events to the
// rules' target queues (durable LocalQueues with DLQs, as in topology.ts), and a QueuePoller per
// queue runs the same consumer the Lambda runs: LeadStore, LeadMerge, CrmSync. The same bus
// carries integrators' events (IntegrationEvent, and the stream's conversation events) to
// IntegrationEventsQueue, drained by EventDelivery (modules/integrations).

export type LeadQueueName =
  'LeadStoreQueue' | 'LeadMergeQueue' | 'CrmSyncQueue' | 'IntegrationEventsQueue';

export type LeadPipelineOptions = {
  dataDir: string;
  db: Db;
  log: Logger;
  cipher: TokenCipher;
  crm: CrmSettings;
  /** Seconds before a failed record is retried; unset, the CRM sync's own backoff applies. */
  retryDelaySeconds?: number;
  crmBackoff?: Backoff;
  /** Forms' WhatsApp follow-ups, sent by the merge (undefined until the Graph client is ready). */
  outbound?: () => OutboundDeps | undefined;
  /** Wraps a consumer, as a fault-injection or tracing layer would wrap the Lambda handler. */
  wrapConsumer?: (queue: LeadQueueName, handler: SqsBatchHandler) => SqsBatchHandler;
};

export type LeadPipeline = {
  bus: LocalBus;
  queues: Record<LeadQueueName, { queue: LocalQueue; dlq: LocalQueue }>;
  dlq: Record<LeadQueueName, DeadLetterAdmin>;
  start(): void;
  stop(): Promise<void>;
};

const leadQueueNames: LeadQueueName[] = [
  'LeadStoreQueue',
  'LeadMergeQueue',
  'CrmSyncQueue',
  'IntegrationEventsQueue',
];

export async function startLeadPipeline(opts: LeadPipelineOptions): Promise<LeadPipeline> {
  const dir = join(opts.dataDir, 'queues');
  const pairs = {} as LeadPipeline['queues'];
  for (const name of leadQueueNames) {
    const { queue, dlq } = await openQueueWithDlq(dir, queues[name]);
    pairs[name] = { queue, dlq };
  }
  const bus = new LocalBus(busRules, {
    LeadStoreQueue: pairs.LeadStoreQueue.queue,
    LeadMergeQueue: pairs.LeadMergeQueue.queue,
    CrmSyncQueue: pairs.CrmSyncQueue.queue,
    IntegrationEventsQueue: pairs.IntegrationEventsQueue.queue,
  });
  const crmQueue = pairs.CrmSyncQueue.queue;
  const integrationQueue = pairs.IntegrationEventsQueue.queue;
  const consumers: Record<LeadQueueName, SqsBatchHandler> = {
    LeadStoreQueue: createLeadStore({ db: opts.db, log: opts.log }),
    LeadMergeQueue: createLeadMerge({ db: opts.db, log: opts.log, outbound: opts.outbound }),
    CrmSyncQueue: createCrmSync({
      db: opts.db,
      log: opts.log,
      cipher: opts.cipher,
      crm: opts.crm,
      backoff: opts.crmBackoff,
      delayRetry: async (record, seconds) => {
        await crmQueue.changeVisibility(record.receiptHandle, seconds);
      },
    }),
    IntegrationEventsQueue: createEventDelivery({
      db: opts.db,
      log: opts.log,
      cipher: opts.cipher,
      http: opts.crm,
      backoff: opts.crmBackoff,
      delayRetry: async (record, seconds) => {
        await integrationQueue.changeVisibility(record.receiptHandle, seconds);
      },
    }),
  };
  const pollers = leadQueueNames.map((name) => {
    const handler = opts.wrapConsumer ? opts.wrapConsumer(name, consumers[name]) : consumers[name];
    return new QueuePoller(pairs[name].queue, handler, {
      batchSize: queues[name].batchSize,
      maxConcurrency: 2,
      // The CRM sync and event delivery schedule their own backoff; the others retry after a
      // couple of seconds locally.
      retryDelaySeconds:
        name === 'CrmSyncQueue' || name === 'IntegrationEventsQueue'
          ? opts.retryDelaySeconds
          : (opts.retryDelaySeconds ?? 2),
      onError: (error) =>
        opts.log.error('lead queue poller error', { queue: name, error: String(error) }),
    });
  });
  const dlq = Object.fromEntries(
    leadQueueNames.map((name) => [name, localDlqAdmin(pairs[name])]),
  ) as Record<LeadQueueName, DeadLetterAdmin>;

  return {
    bus,
    queues: pairs,
    dlq,
    start: () => pollers.forEach((p) => p.start()),
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      for (const name of leadQueueNames) await pairs[name].queue.close();
      for (const name of leadQueueNames) await pairs[name].dlq.close();
    },
  };
}

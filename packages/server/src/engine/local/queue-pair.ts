import type { DeadLetterAdmin } from '../ports/dlq';
import type { QueueSpec } from '../topology';
import { LocalQueue } from './local-queue';

export type QueuePair = { queue: LocalQueue; dlq: LocalQueue };

/** Opens a topology queue and its DLQ under `dir`, with the spec's redrive policy (DLQ first, as SQS needs). */
export async function openQueueWithDlq(dir: string, spec: QueueSpec): Promise<QueuePair> {
  const dlq = await LocalQueue.open({
    dir,
    name: `${spec.logicalName}-dlq`,
    visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
  });
  const queue = await LocalQueue.open({
    dir,
    name: spec.logicalName,
    visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
    maxReceiveCount: spec.maxReceiveCount,
    deadLetterQueue: dlq,
  });
  return { queue, dlq };
}

/** The DLQ admin port over a local pair: what `GET /admin/dlq/{queue}` and redrive use in the sandbox. */
export function localDlqAdmin({ queue, dlq }: QueuePair): DeadLetterAdmin {
  return {
    list: async (limit) =>
      dlq.list({ limit }).map((m) => ({
        id: m.messageId,
        body: m.body,
        receiveCount: m.receiveCount,
        sentAt: new Date(m.sentAt).toISOString(),
      })),
    redrive: async (ids) => dlq.redrive(queue, ids),
  };
}

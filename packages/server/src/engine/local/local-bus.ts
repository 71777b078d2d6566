// LocalBus: the sandbox's EventBridge. It matches each event against the topology's rule patterns
// and appends it, as the same envelope EventBridge would deliver, to every matching rule's target
// queue. Those are durable LocalQueues drained by QueuePollers, so a target's retries, its DLQ and
// survival across a SIGKILL come from the queue, exactly as with EventBridge -> SQS -> Lambda.
import { randomUUID } from 'node:crypto';
import {
  BUS_MAX_BATCH_ENTRIES,
  BUS_MAX_EVENT_BYTES,
  BusPublishError,
  type BusEnvelope,
  type BusEventInput,
  type EventBus,
} from '../ports/bus';
import { QUEUE_MAX_BATCH_ENTRIES, type QueueSender } from '../ports/queue';
import type { BusRuleSpec, QueueName } from '../topology';
import { matchesPattern } from './event-pattern';

export class LocalBus implements EventBus {
  constructor(
    private readonly rules: readonly BusRuleSpec[],
    private readonly targets: Partial<Record<QueueName, QueueSender>>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    for (const rule of rules) {
      // Function targets would need their own queue to be durable; the topology uses queues.
      if (rule.target.kind !== 'queue') {
        throw new BusPublishError(
          `rule ${rule.name}: the local bus delivers to queue targets only`,
        );
      }
      if (!targets[rule.target.queue]) {
        throw new BusPublishError(`rule ${rule.name}: no local queue for ${rule.target.queue}`);
      }
    }
  }

  async publish(events: BusEventInput[]): Promise<string[]> {
    if (events.length === 0) return [];
    if (events.length > BUS_MAX_BATCH_ENTRIES) {
      throw new BusPublishError(`PutEvents takes at most ${BUS_MAX_BATCH_ENTRIES} entries`);
    }
    const envelopes = events.map((event) => this.envelope(event));
    const byQueue = new Map<QueueName, string[]>();
    for (const envelope of envelopes) {
      const body = JSON.stringify(envelope);
      if (Buffer.byteLength(body) > BUS_MAX_EVENT_BYTES) {
        throw new BusPublishError(`event ${envelope['detail-type']} is over 256 KiB`);
      }
      for (const rule of this.rules) {
        if (rule.target.kind !== 'queue' || !matchesPattern(rule.pattern, envelope)) continue;
        const bodies = byQueue.get(rule.target.queue) ?? [];
        bodies.push(body);
        byQueue.set(rule.target.queue, bodies);
      }
    }
    // Every matching target durably has the event before publish resolves; a failure part-way
    // makes the caller retry, and targets dedupe (as they must with EventBridge's at-least-once).
    await Promise.all(
      [...byQueue].map(async ([queue, bodies]) => {
        const sender = this.targets[queue];
        if (!sender) throw new BusPublishError(`no local queue for ${queue}`);
        for (let i = 0; i < bodies.length; i += QUEUE_MAX_BATCH_ENTRIES) {
          await sender.sendBatch(
            bodies.slice(i, i + QUEUE_MAX_BATCH_ENTRIES).map((body) => ({ body })),
          );
        }
      }),
    );
    return envelopes.map((e) => e.id);
  }

  private envelope(event: BusEventInput): BusEnvelope {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': event.detailType,
      source: event.source,
      account: '000000000000',
      time: this.clock()
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      region: 'local',
      resources: [],
      detail: event.detail,
    };
  }
}

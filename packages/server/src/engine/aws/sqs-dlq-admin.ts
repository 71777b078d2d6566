import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterAdmin, DeadLetterMessage } from '../ports/dlq';

export type SqsDeadLetterQueues = {
  dlqUrl: string;
  dlqArn: string;
  sourceUrl: string;
  sourceArn: string;
};

// A scan of the DLQ stops after this many empty or repeated receives (short polling samples servers).
const maxIdleReceives = 3;
const maxReceives = 100;
const scanVisibilitySeconds = 30;

function toDeadLetter(message: Message): DeadLetterMessage {
  const sent = Number(message.Attributes?.SentTimestamp ?? 0);
  return {
    id: message.MessageId ?? '',
    body: message.Body ?? '',
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: new Date(sent).toISOString(),
  };
}

/**
 * DeadLetterAdmin over SQS. `list` peeks (VisibilityTimeout 0, so nothing is hidden from the next
 * look); `redrive()` of everything is an SQS message move task back to the source queue;
 * `redrive(ids)` moves the named messages one by one (a move task cannot select messages).
 */
export class SqsDeadLetterAdmin implements DeadLetterAdmin {
  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queues: SqsDeadLetterQueues,
  ) {}

  private async receive(max: number, visibilityTimeout: number): Promise<Message[]> {
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queues.dlqUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
        VisibilityTimeout: visibilityTimeout,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        MessageAttributeNames: ['All'],
      }),
    );
    return out.Messages ?? [];
  }

  async list(limit: number): Promise<DeadLetterMessage[]> {
    const seen = new Map<string, DeadLetterMessage>();
    let idle = 0;
    for (let i = 0; i < maxReceives && seen.size < limit && idle < maxIdleReceives; i++) {
      const before = seen.size;
      for (const message of await this.receive(limit - seen.size, 0)) {
        if (message.MessageId && !seen.has(message.MessageId)) {
          seen.set(message.MessageId, toDeadLetter(message));
        }
      }
      idle = seen.size === before ? idle + 1 : 0;
    }
    return [...seen.values()].slice(0, limit);
  }

  async redrive(ids?: string[]): Promise<number> {
    return ids ? this.redriveSome(new Set(ids)) : this.redriveAll();
  }

  private async redriveAll(): Promise<number> {
    const attrs = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queues.dlqUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    await this.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: this.queues.dlqArn,
        DestinationArn: this.queues.sourceArn,
      }),
    );
    // The move runs asynchronously in SQS: this is how many it started with.
    return Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
  }

  private async redriveSome(wanted: Set<string>): Promise<number> {
    let moved = 0;
    const skipped: Message[] = [];
    let idle = 0;
    try {
      for (let i = 0; i < maxReceives && wanted.size > 0 && idle < maxIdleReceives; i++) {
        const batch = await this.receive(10, scanVisibilitySeconds);
        idle = batch.length === 0 ? idle + 1 : 0;
        for (const message of batch) {
          if (!message.MessageId || !wanted.has(message.MessageId)) {
            skipped.push(message);
            continue;
          }
          // Send first, then delete: a crash in between leaves a duplicate, never a loss.
          await this.sqs.send(
            new SendMessageCommand({
              QueueUrl: this.queues.sourceUrl,
              MessageBody: message.Body ?? '',
              MessageAttributes: message.MessageAttributes,
            }),
          );
          await this.sqs.send(
            new DeleteMessageCommand({
              QueueUrl: this.queues.dlqUrl,
              ReceiptHandle: message.ReceiptHandle,
            }),
          );
          wanted.delete(message.MessageId);
          moved++;
        }
      }
    } finally {
      await this.release(skipped);
    }
    return moved;
  }

  /** Makes messages the scan looked at but did not move visible again at once. */
  private async release(messages: Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queues.dlqUrl,
          Entries: chunk.map((m, index) => ({
            Id: String(index),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }
}

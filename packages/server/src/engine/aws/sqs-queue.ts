import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  QUEUE_MAX_BATCH_ENTRIES,
  type QueueMessageInput,
  type QueueSender,
  type SentMessage,
} from '../ports/queue';

/** Raised when SQS did not accept every entry: the caller must not acknowledge the work. */
export class QueueSendError extends Error {
  override readonly name = 'QueueSendError';
}

/** QueueSender over SendMessageBatch. Resolves only when SQS accepted every entry. */
export class SqsQueueSender implements QueueSender {
  constructor(
    private readonly sqs: Pick<SQSClient, 'send'>,
    private readonly queueUrl: string,
  ) {}

  async sendBatch(messages: QueueMessageInput[]): Promise<SentMessage[]> {
    if (messages.length === 0) return [];
    if (messages.length > QUEUE_MAX_BATCH_ENTRIES) {
      throw new QueueSendError(`a batch holds at most ${QUEUE_MAX_BATCH_ENTRIES} messages`);
    }
    const out = await this.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          MessageBody: message.body,
          MessageAttributes: message.attributes
            ? Object.fromEntries(
                Object.entries(message.attributes).map(([name, value]) => [
                  name,
                  { DataType: 'String', StringValue: value },
                ]),
              )
            : undefined,
        })),
      }),
    );
    // A partly failed batch is a failed delivery: the webhook answers non-200 and Meta retries;
    // duplicates from the entries that did land are deduplicated by the processor.
    const failed = out.Failed ?? [];
    if (failed.length > 0) {
      const codes = [...new Set(failed.map((f) => f.Code ?? 'unknown'))].join(',');
      throw new QueueSendError(`SQS rejected ${failed.length} of ${messages.length} (${codes})`);
    }
    const byId = new Map((out.Successful ?? []).map((s) => [s.Id, s.MessageId]));
    return messages.map((_, index) => {
      const messageId = byId.get(String(index));
      if (!messageId) throw new QueueSendError(`SQS returned no result for entry ${index}`);
      return { messageId };
    });
  }
}

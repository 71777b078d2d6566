// Queue port: what producers and consumers see, whether the queue is SQS (aws) or LocalQueue
// (sandbox). Consumers are written as Lambda SQS batch handlers in both worlds.

export type QueueMessageInput = { body: string; attributes?: Record<string, string> };
export type SentMessage = { messageId: string };
/** What the webhook receiver and other producers need. Implemented by SQS (aws) and LocalQueue (sandbox). */
export type QueueSender = { sendBatch(messages: QueueMessageInput[]): Promise<SentMessage[]> };
// Minimal Lambda SQS event types (same field names as aws-lambda's SQSEvent/SQSRecord/SQSBatchResponse):
export type SqsRecord = {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    ApproximateFirstReceiveTimestamp: string;
    SenderId: string;
  };
  messageAttributes: Record<string, { stringValue?: string; dataType: string }>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
};
export type SqsEvent = { Records: SqsRecord[] };
export type SqsBatchResponse = { batchItemFailures: { itemIdentifier: string }[] };
export type SqsBatchHandler = (event: SqsEvent) => Promise<SqsBatchResponse>;

/** SQS SendMessageBatch limits; both adapters enforce them so the sandbox fails like AWS would. */
export const QUEUE_MAX_BATCH_ENTRIES = 10;
/** Sum of body + attribute name/value bytes over one batch (SQS: 1 MiB). */
export const QUEUE_MAX_BATCH_BYTES = 1024 * 1024;
/** SQS allows at most 10 message attributes per message. */
export const QUEUE_MAX_MESSAGE_ATTRIBUTES = 10;

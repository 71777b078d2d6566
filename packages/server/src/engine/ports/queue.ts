// Queue port: what producers and consumers see, whether the queue is SQS (aws) or LocalQueue
// (sandbox). Consumers are written as Lambda SQS batch handlers in both worlds.
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type QueueMessageInput = { body: string; attributes?: Record<string, string> };
export type SentMessage = { messageId: string };
/** What the webhook receiver and other producers need. Implemented by SQS (aws) and LocalQueue (sandbox). */
export type QueueSender = { sendBatch(messages: QueueMessageInput[]): Promise<SentMessage[]> };
// The Lambda SQS event shapes, from @types/aws-lambda; the local queue produces the same records.
export type SqsRecord = SQSRecord;
export type SqsEvent = SQSEvent;
export type SqsBatchResponse = SQSBatchResponse;
/**
 * A Lambda SQS handler with partial batch failures (ReportBatchItemFailures). The Lambda runtime
 * passes its context (request id); the sandbox's QueuePoller and test wrappers pass none.
 */
export type SqsBatchHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** SQS SendMessageBatch limits; both adapters enforce them so the sandbox fails like AWS would. */
export const QUEUE_MAX_BATCH_ENTRIES = 10;
/** Sum of body + attribute name/value bytes over one batch (SQS: 1 MiB). */
export const QUEUE_MAX_BATCH_BYTES = 1024 * 1024;
/** SQS allows at most 10 message attributes per message. */
export const QUEUE_MAX_MESSAGE_ATTRIBUTES = 10;

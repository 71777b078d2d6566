import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import type { Context, SQSRecord } from 'aws-lambda';
import type { z, ZodType } from 'zod';
import { DatabaseUnavailableError } from '../errors';
import { childLogger, type Logger } from '../log';
import type { SqsBatchHandler } from '../ports/queue';
import { PoisonRecordError, RetryLaterError } from './consumer-errors';

// The one partial-batch implementation of the queue consumers: Powertools' BatchProcessor runs the
// records of a batch in parallel and answers the failed ones in `batchItemFailures`, so the event
// source mapping (or the sandbox's QueuePoller) deletes the others and only those come back.

export type RecordContext = {
  record: SQSRecord;
  /** ApproximateReceiveCount: 1 on the first delivery. */
  receiveCount: number;
  /** The consumer's logger with the invocation's `requestId` and the record's `correlationId`. */
  log: Logger;
};

export type SqsBatchConsumer<T> = {
  /** What a record's body is once JSON-parsed; a body that is not is a PoisonRecordError. */
  schema: ZodType<T>;
  /** The body in the poison error's words: `record <id> is not <bodyName>: <issues>`. */
  bodyName: string;
  log: Logger;
  /** The line a failed record is logged with (fields: messageId, receiveCount, error, detail). */
  failureLog: { level: 'warn' | 'error'; msg: string };
  handle(body: T, ctx: RecordContext): Promise<void>;
  /**
   * Makes a record that failed with RetryLaterError (or DatabaseUnavailableError) visible again
   * after its delay (SQS ChangeMessageVisibility): how backoff is applied through the queue.
   * Without it, or for any other failure, the queue's visibility timeout applies.
   */
  delayRetry?(record: SQSRecord, seconds: number): Promise<void>;
};

/** `path: message; …`, one line, without the input's values. */
export function issuesOf(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message)
    .join('; ');
}

export function sqsBatchHandler<T>(consumer: SqsBatchConsumer<T>): SqsBatchHandler {
  const bodySchema = JSONStringified(consumer.schema);

  async function processRecord(record: SQSRecord, batchLog: Logger): Promise<void> {
    const log = childLogger(batchLog, { correlationId: record.messageId });
    try {
      const parsed = await bodySchema.safeParseAsync(record.body);
      if (!parsed.success) {
        throw new PoisonRecordError(
          `record ${record.messageId} is not ${consumer.bodyName}: ${issuesOf(parsed.error)}`,
        );
      }
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      await consumer.handle(parsed.data, { record, receiveCount, log });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      // The database briefly down is an outage, not this record's fault: a warning, and the
      // record is retried once the database should be back (never a poison record).
      const outage = error instanceof DatabaseUnavailableError;
      log[outage ? 'warn' : consumer.failureLog.level](consumer.failureLog.msg, {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error.name,
        detail: error.message,
      });
      const delaySeconds =
        error instanceof RetryLaterError
          ? error.delaySeconds
          : outage
            ? error.retryAfterSeconds
            : undefined;
      if (delaySeconds !== undefined && consumer.delayRetry) {
        await consumer
          .delayRetry(record, delaySeconds)
          .catch((delayError: unknown) =>
            log.warn('could not delay a retry', { error: String(delayError) }),
          );
      }
      throw error;
    }
  }

  return async (event, context?: Context) => {
    const log = context
      ? childLogger(consumer.log, { requestId: context.awsRequestId })
      : consumer.log;
    // A processor holds one batch's state: one per call, as the sandbox runs batches concurrently.
    const response = await processPartialResponse(
      event,
      (record: SQSRecord) => processRecord(record, log),
      new BatchProcessor(EventType.SQS),
      // A batch whose every record failed is answered like any other (all of them listed), not
      // thrown: the same records come back either way, and callers read batchItemFailures.
      { throwOnFullBatchFailure: false },
    );
    // Powertools answers a fully successful batch with a shared object: hand out a copy.
    return { batchItemFailures: response.batchItemFailures.map((f) => ({ ...f })) };
  };
}

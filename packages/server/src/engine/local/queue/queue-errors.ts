// Errors LocalQueue throws on purpose; each `code` mirrors the SQS error code.
import { QUEUE_MAX_BATCH_BYTES, QUEUE_MAX_BATCH_ENTRIES } from '../../ports/queue';

/** Base class of everything LocalQueue throws on purpose. `code` mirrors the SQS error code. */
export class QueueError extends Error {
  override readonly name: string = 'QueueError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class QueueEmptyBatchError extends QueueError {
  override readonly name = 'QueueEmptyBatchError';
  constructor() {
    super('AWS.SimpleQueueService.EmptyBatchRequest', 'a batch must contain at least one message');
  }
}

export class QueueTooManyEntriesError extends QueueError {
  override readonly name = 'QueueTooManyEntriesError';
  constructor(readonly entries: number) {
    super(
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      `a batch holds at most ${QUEUE_MAX_BATCH_ENTRIES} messages, got ${entries}`,
    );
  }
}

export class QueueBatchTooLargeError extends QueueError {
  override readonly name = 'QueueBatchTooLargeError';
  constructor(readonly bytes: number) {
    super(
      'AWS.SimpleQueueService.BatchRequestTooLong',
      `a batch holds at most ${QUEUE_MAX_BATCH_BYTES} bytes, got ${bytes}`,
    );
  }
}

export class QueueInvalidMessageError extends QueueError {
  override readonly name = 'QueueInvalidMessageError';
  constructor(message: string) {
    super('InvalidMessageContents', message);
  }
}

export class QueueInvalidArgumentError extends QueueError {
  override readonly name = 'QueueInvalidArgumentError';
  constructor(message: string) {
    super('InvalidParameterValue', message);
  }
}

export class QueueClosedError extends QueueError {
  override readonly name = 'QueueClosedError';
  constructor(queue: string) {
    super('QueueClosed', `queue ${queue} is closed`);
  }
}

export class QueueLockedError extends QueueError {
  override readonly name = 'QueueLockedError';
  constructor(queue: string, holder: string) {
    super('QueueLocked', `queue ${queue} is already open (${holder})`);
  }
}

export class QueueJournalCorruptError extends QueueError {
  override readonly name = 'QueueJournalCorruptError';
  constructor(path: string, offset: number) {
    super(
      'JournalCorrupt',
      `unreadable record at byte ${offset} of ${path}, followed by valid ones`,
    );
  }
}

export class QueueJournalWriteError extends QueueError {
  override readonly name = 'QueueJournalWriteError';
  constructor(path: string, cause: unknown) {
    super('JournalWriteFailed', `writing ${path} failed; reopen the queue: ${String(cause)}`);
  }
}

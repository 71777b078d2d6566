// LocalQueue, the sandbox's durable stand-in for SQS. The implementation lives in ./queue/
// (errors, journal format and file, lock, in-memory state, validation, the class); this entry
// keeps the public surface in one place so importers do not depend on that layout.
export {
  LocalQueue,
  type LocalQueueOptions,
  type QueueStats,
  type ReceiveOptions,
  type StoredMessageView,
} from './queue/local-queue';
export { parseJournal } from './queue/journal-format';
export {
  QueueBatchTooLargeError,
  QueueClosedError,
  QueueEmptyBatchError,
  QueueError,
  QueueInvalidArgumentError,
  QueueInvalidMessageError,
  QueueJournalCorruptError,
  QueueJournalWriteError,
  QueueLockedError,
  QueueTooManyEntriesError,
} from './queue/queue-errors';

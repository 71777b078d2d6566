// Input validation with SQS's limits and error codes.
import {
  QUEUE_MAX_BATCH_BYTES,
  QUEUE_MAX_BATCH_ENTRIES,
  QUEUE_MAX_MESSAGE_ATTRIBUTES,
  type QueueMessageInput,
} from '../../ports/queue';
import {
  QueueBatchTooLargeError,
  QueueEmptyBatchError,
  QueueInvalidArgumentError,
  QueueInvalidMessageError,
  QueueTooManyEntriesError,
} from './queue-errors';

/** The options validateOptions checks; the queue itself is opaque here. */
type QueueOptionsInput = {
  name: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount?: number;
  deadLetterQueue?: unknown;
};

const MAX_VISIBILITY_SECONDS = 43_200;
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
// The characters SQS accepts in bodies and attribute values; anything else fails SendMessage.
// eslint-disable-next-line no-control-regex -- the allowed set is defined by control characters
const INVALID_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_-])?$/;
const RESERVED_ATTRIBUTE = /^(aws|amazon)\./i;

export function assertVisibility(seconds: number, what: string): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
    throw new QueueInvalidArgumentError(`${what} must be an integer 0..${MAX_VISIBILITY_SECONDS}`);
  }
}

export function validateOptions(opts: QueueOptionsInput): void {
  if (!NAME_PATTERN.test(opts.name)) {
    throw new QueueInvalidArgumentError(`queue name ${JSON.stringify(opts.name)} is invalid`);
  }
  assertVisibility(opts.visibilityTimeoutSeconds, 'visibilityTimeoutSeconds');
  const { maxReceiveCount: max, deadLetterQueue: dlq } = opts;
  if ((max === undefined) !== (dlq === undefined)) {
    throw new QueueInvalidArgumentError('maxReceiveCount and deadLetterQueue go together');
  }
  if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 1000)) {
    throw new QueueInvalidArgumentError('maxReceiveCount must be an integer 1..1000');
  }
}

function messageBytes(m: QueueMessageInput): number {
  let bytes = Buffer.byteLength(m.body);
  for (const [k, v] of Object.entries(m.attributes ?? {})) {
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  return bytes;
}

function validateMessage(m: QueueMessageInput, index: number): void {
  if (typeof m.body !== 'string' || m.body.length === 0) {
    throw new QueueInvalidMessageError(`message ${index}: body must be a non-empty string`);
  }
  if (INVALID_CHARS.test(m.body)) {
    throw new QueueInvalidMessageError(`message ${index}: body has characters SQS rejects`);
  }
  const attrs = Object.entries(m.attributes ?? {});
  if (attrs.length > QUEUE_MAX_MESSAGE_ATTRIBUTES) {
    throw new QueueInvalidMessageError(`message ${index}: more than 10 attributes`);
  }
  for (const [k, v] of attrs) {
    const badValue = typeof v !== 'string' || v.length === 0 || INVALID_CHARS.test(v);
    if (badValue || !ATTRIBUTE_NAME.test(k) || RESERVED_ATTRIBUTE.test(k)) {
      throw new QueueInvalidMessageError(`message ${index}: attribute ${k} is invalid`);
    }
  }
}

export function validateBatch(messages: QueueMessageInput[]): void {
  if (messages.length === 0) throw new QueueEmptyBatchError();
  if (messages.length > QUEUE_MAX_BATCH_ENTRIES) {
    throw new QueueTooManyEntriesError(messages.length);
  }
  messages.forEach(validateMessage);
  const bytes = messages.reduce((sum, m) => sum + messageBytes(m), 0);
  if (bytes > QUEUE_MAX_BATCH_BYTES) throw new QueueBatchTooLargeError(bytes);
}

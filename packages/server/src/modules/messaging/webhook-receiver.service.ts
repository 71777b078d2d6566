import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../engine/errors';
import { sha256Hex } from '../../engine/ids';
import { metaEnvelopeSchema } from './meta/webhook-envelope';
import type { BlobStore } from '../../engine/ports/blobs';
import type { QueueMessageInput, QueueSender } from '../../engine/ports/queue';
import {
  bodyField,
  maxArchiveRecordBytes,
  type RawArchive,
  type RawArchiveRecord,
} from '../../engine/ports/raw-archive';
import type { IncomingQueueMessage } from './queue-message';

// SQS takes at most 10 messages and 1 MiB per batch; stay under with room for attributes.
const maxBatchMessages = 10;
const maxBatchBytes = 900 * 1024;

const signatureHeaderShape = /^sha256=[0-9a-fA-F]{64}$/;

/**
 * Checks `X-Hub-Signature-256` against HMAC-SHA256 of the exact bytes received, in constant time.
 * Never re-serialise before checking: Meta escapes unicode and slashes, and the HMAC is over those bytes.
 */
export function verifyMetaSignature(
  rawBody: Uint8Array,
  header: string | undefined,
  appSecret: string,
): boolean {
  // Exactly one header, exactly 64 hex digits: a repeated header arrives joined with ", " (Node
  // and the Lambda adapter both), and Buffer.from(…, 'hex') would silently stop at the first bad pair.
  if (header === undefined || !signatureHeaderShape.test(header)) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export type WebhookReceiverDeps = {
  appSecret: string;
  verifyToken: string;
  queue: QueueSender;
  /** Meta cannot replay past deliveries: every accepted body is archived, to replay after a fix. */
  archive: RawArchive;
  /** Whole bodies of the rare deliveries with an entry too large for a queue message (by reference). */
  largeBodies: BlobStore;
  now?: () => Date;
};

/** `GET /webhooks/meta`: the subscription handshake. Returns the challenge to echo, or throws 403. */
export function verifySubscription(
  query: Record<string, string | undefined>,
  verifyToken: string,
): string {
  const mode = query['hub.mode'];
  const token = query['hub.verify_token'];
  const challenge = query['hub.challenge'];
  if (mode !== 'subscribe' || !challenge) {
    throw new AppError('bad_request', 'Expected hub.mode=subscribe with a hub.challenge.');
  }
  const given = Buffer.from(token ?? '');
  const expected = Buffer.from(verifyToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('forbidden', 'The verify token does not match.');
  }
  return challenge;
}

/** Splits queue messages into SQS-sized batches (count and bytes). */
export function toBatches(messages: QueueMessageInput[]): QueueMessageInput[][] {
  const batches: QueueMessageInput[][] = [];
  let current: QueueMessageInput[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.body);
    if (
      current.length === maxBatchMessages ||
      (current.length > 0 && bytes + size > maxBatchBytes)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Where a delivery's whole body is kept when one of its entries travels by reference. */
export function largeBodyKey(receivedAt: string, id: string): string {
  return `webhooks/raw/large/${receivedAt.slice(0, 10)}/${id}.json`;
}

/**
 * `POST /webhooks/meta`: signature, then envelope, then archive + enqueue (one queue message per
 * entry). Resolves only once both are durable; any failure rejects, so Meta gets a non-200 and
 * retries (a retried body is archived again under the same id: replay dedupes on the message ids).
 */
export async function receiveWebhook(
  deps: WebhookReceiverDeps,
  rawBody: Uint8Array,
  signatureHeader: string | undefined,
): Promise<{ entries: number; messageIds: string[] }> {
  if (!verifyMetaSignature(rawBody, signatureHeader, deps.appSecret)) {
    throw new AppError(
      'invalid_signature',
      'X-Hub-Signature-256 is missing or does not match the body.',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(rawBody).toString('utf8'));
  } catch {
    throw new AppError('invalid_json', 'The body is not valid JSON.');
  }
  const parsed = metaEnvelopeSchema.safeParse(json);
  if (!parsed.success)
    throw new AppError('not_a_meta_envelope', 'The body is not a Meta webhook envelope.');
  const envelope = parsed.data;
  const receivedAt = (deps.now?.() ?? new Date()).toISOString();
  const id = sha256Hex(rawBody);
  const rawRef = largeBodyKey(receivedAt, id);
  let byReference = false;
  const messages: QueueMessageInput[] = envelope.entry.map((entry, entryIndex) => {
    const inline: IncomingQueueMessage = {
      v: 1,
      object: envelope.object,
      entry,
      receivedAt,
    };
    let body: string;
    try {
      body = JSON.stringify(inline);
    } catch (err) {
      // Found by the webhook fuzzer: JSON.parse takes any depth, JSON.stringify overflows the stack
      // at a few thousand levels. No Meta payload nests like that; answer 400, not 500.
      if (err instanceof RangeError) {
        throw new AppError(
          'not_a_meta_envelope',
          'The body nests deeper than a Meta envelope can.',
        );
      }
      throw err;
    }
    // An entry too big for one queue message travels by reference to the archived raw body.
    if (Buffer.byteLength(body) > maxBatchBytes) {
      const byRef: IncomingQueueMessage = {
        v: 1,
        object: envelope.object,
        entryIndex,
        receivedAt,
        rawRef,
      };
      body = JSON.stringify(byRef);
      byReference = true;
    }
    return { body, attributes: { object: envelope.object } };
  });
  let record: RawArchiveRecord = {
    v: 1,
    id,
    receivedAt,
    object: envelope.object,
    signatureVerified: true,
    ...bodyField(rawBody),
  };
  const tooLargeToArchive = Buffer.byteLength(JSON.stringify(record)) + 1 > maxArchiveRecordBytes;
  if (byReference || tooLargeToArchive) {
    // An entry sent by reference must not reach the processor before its body exists (the webhook
    // fuzzer caught records read from a half-written archive). A body Firehose cannot take whole
    // is archived as a pointer to this copy.
    await deps.largeBodies.put(rawRef, rawBody, 'application/json');
    record = tooLargeToArchive
      ? { v: 1, id, receivedAt, object: envelope.object, signatureVerified: true, largeRef: rawRef }
      : { ...record, largeRef: rawRef };
  }
  const [, ...sent] = await Promise.all([
    deps.archive.append(record),
    ...toBatches(messages).map((batch) => deps.queue.sendBatch(batch)),
  ]);
  return { entries: messages.length, messageIds: sent.flat().map((m) => m.messageId) };
}

// LocalQueue: a durable, single-process stand-in for SQS in the sandbox.
//
// Storage is one append-only JSON-lines journal per queue (`<dir>/<name>.journal`). Every state
// change that must survive a crash (send, receive count, delete) is appended and fdatasync'ed
// before the caller's promise resolves; concurrent callers share one write + fsync (group commit).
// In-flight state (receipt handles, visibility deadlines) lives in memory only: after a restart
// every stored message is visible again, exactly as SQS would do once the timeouts expire.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  QUEUE_MAX_BATCH_ENTRIES,
  type QueueMessageInput,
  type QueueSender,
  type SentMessage,
  type SqsRecord,
} from '../../ports/queue';
import { DEFAULT_COMPACT_AT_BYTES, Journal, type SnapshotSource } from './journal';
import { JOURNAL_VERSION, line, readJournal } from './journal-format';
import {
  approxRecordBytes,
  replay,
  sendRecordOf,
  type MessageStore,
  type NewMessage,
  type QueueStats,
  type StoredMessage,
} from './message-store';
import { QueueClosedError, QueueInvalidArgumentError } from './queue-errors';
import { acquireLock, releaseLock } from './queue-lock';
import { assertVisibility, validateBatch, validateOptions } from './queue-validation';

export type { QueueStats } from './message-store';

export type LocalQueueOptions = {
  dir: string;
  name: string;
  visibilityTimeoutSeconds: number;
  /** Redrive policy: both or neither of maxReceiveCount and deadLetterQueue. */
  maxReceiveCount?: number;
  deadLetterQueue?: LocalQueue;
  /** Milliseconds since the epoch; injectable so tests can expire visibility timeouts. */
  clock?: () => number;
  /** Rewrite the journal once it is at least this big and mostly dead records. Default 16 MiB. */
  compactAtBytes?: number;
};

export type ReceiveOptions = {
  /** 1..10, default 1 (as SQS). */
  maxMessages?: number;
  /** Overrides the queue's visibility timeout for this receive, 0..43200. */
  visibilityTimeoutSeconds?: number;
};

export type StoredMessageView = {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  receiveCount: number;
  /** Epoch milliseconds of the original send (kept across DLQ moves). */
  sentAt: number;
  inFlight: boolean;
};

// Messages moved per journal append when redriving.
const MOVE_CHUNK = 500;

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

// Embedding the id lets deleteMessage find the message without a handle index.
const newReceiptHandle = (id: string): string => `${id}:${randomUUID()}`;
const idOfReceiptHandle = (handle: string): string => handle.slice(0, handle.indexOf(':'));

export class LocalQueue implements QueueSender {
  readonly name: string;
  readonly arn: string;
  private readonly clock: () => number;
  private readonly visibilityTimeoutSeconds: number;
  private readonly redrivePolicy: { maxReceiveCount: number; dlq: LocalQueue } | undefined;
  private readonly listeners = new Set<() => void>();
  /** Ids being moved into this queue, so concurrent moves of one id do not duplicate it. */
  private readonly incoming = new Set<string>();
  private readonly ops = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    opts: LocalQueueOptions,
    private readonly store: MessageStore,
    private readonly journal: Journal,
    private readonly lockPath: string,
  ) {
    this.name = opts.name;
    this.arn = `arn:aws:sqs:local:000000000000:${opts.name}`;
    this.clock = opts.clock ?? Date.now;
    this.visibilityTimeoutSeconds = opts.visibilityTimeoutSeconds;
    const { maxReceiveCount, deadLetterQueue } = opts;
    this.redrivePolicy =
      maxReceiveCount !== undefined && deadLetterQueue !== undefined
        ? { maxReceiveCount, dlq: deadLetterQueue }
        : undefined;
  }

  static async open(opts: LocalQueueOptions): Promise<LocalQueue> {
    validateOptions(opts);
    const dir = resolve(opts.dir);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${opts.name}.journal`);
    const lockPath = join(dir, `${opts.name}.lock`);
    await acquireLock(lockPath, opts.name);
    try {
      await rm(`${path}.compact`, { force: true }); // left by a crash mid-compaction
      const contents = await readJournal(path);
      const store = replay(contents.records);
      const header = line({ op: 'meta', v: JOURNAL_VERSION, queue: opts.name });
      const source: SnapshotSource = {
        snapshot: () => store.snapshot(),
        liveBytes: () => store.liveBytes,
      };
      const compactAt = opts.compactAtBytes ?? DEFAULT_COMPACT_AT_BYTES;
      const journal = await Journal.open(path, contents, header, compactAt, source);
      return new LocalQueue(opts, store, journal, lockPath);
    } catch (err) {
      await releaseLock(lockPath);
      throw err;
    }
  }

  /** Resolves once the whole batch is fsync'ed; ids are random UUIDs, in input order. */
  sendBatch(messages: QueueMessageInput[]): Promise<SentMessage[]> {
    return this.track(async () => {
      validateBatch(messages);
      const sentAt = this.clock();
      const fresh: NewMessage[] = messages.map((m) => ({
        id: randomUUID(),
        body: m.body,
        attributes:
          m.attributes && Object.keys(m.attributes).length ? { ...m.attributes } : undefined,
        sentAt,
        receiveCount: 0,
        firstReceivedAt: undefined,
      }));
      await this.appendMessages(fresh);
      return fresh.map((m) => ({ messageId: m.id }));
    });
  }

  /**
   * Returns up to maxMessages visible messages and hides them for the visibility timeout. The
   * new receive counts are durable before this resolves. Messages past maxReceiveCount go to
   * the dead-letter queue instead, so a receive may return fewer messages than are stored.
   */
  receive(opts: ReceiveOptions = {}): Promise<SqsRecord[]> {
    return this.track(async () => {
      const max = opts.maxMessages ?? 1;
      if (!Number.isInteger(max) || max < 1 || max > QUEUE_MAX_BATCH_ENTRIES) {
        throw new QueueInvalidArgumentError('maxMessages must be an integer 1..10');
      }
      const timeout = opts.visibilityTimeoutSeconds ?? this.visibilityTimeoutSeconds;
      assertVisibility(timeout, 'visibilityTimeoutSeconds');
      const now = this.clock();
      this.store.reapExpired(now);
      const { picked, poison } = this.pick(max, now, now + timeout * 1000);
      const work: Promise<void>[] = [];
      if (picked.length > 0) work.push(this.journal.append(picked.map(recvLine)));
      if (poison.length > 0) work.push(this.moveToDeadLetter(poison));
      await Promise.all(work);
      return picked.map((m) => this.toSqsRecord(m));
    });
  }

  /** True if deleted; stale handles (the message was received again since) are ignored. */
  deleteMessage(receiptHandle: string): Promise<boolean> {
    return this.track(async () => {
      const m = this.store.get(idOfReceiptHandle(receiptHandle));
      if (!m || m.receiptHandle !== receiptHandle || m.state === 'moving') return false;
      this.store.remove(m);
      await this.journal.append([line({ op: 'del', id: m.id })]);
      return true;
    });
  }

  /** False when the handle is stale or the message is no longer in flight. 0 = visible now. */
  changeVisibility(receiptHandle: string, seconds: number): Promise<boolean> {
    return this.track(async () => {
      assertVisibility(seconds, 'seconds');
      const now = this.clock();
      this.store.reapExpired(now);
      const m = this.store.get(idOfReceiptHandle(receiptHandle));
      if (!m || m.receiptHandle !== receiptHandle || m.state !== 'inflight') return false;
      if (seconds === 0) {
        this.store.makeVisible(m);
        this.notify();
      } else {
        m.visibleAt = now + seconds * 1000;
      }
      return true;
    });
  }

  stats(): QueueStats {
    this.assertOpen();
    this.store.reapExpired(this.clock());
    return this.store.stats();
  }

  /** Stored messages in send order (mainly to inspect a dead-letter queue). */
  list(opts: { limit?: number } = {}): StoredMessageView[] {
    this.assertOpen();
    this.store.reapExpired(this.clock());
    const limit = opts.limit ?? 100;
    const out: StoredMessageView[] = [];
    for (const m of this.store.values()) {
      if (out.length >= limit) break;
      out.push({
        messageId: m.id,
        body: m.body,
        attributes: { ...m.attributes },
        receiveCount: m.receiveCount,
        sentAt: m.sentAt,
        inFlight: m.state !== 'visible',
      });
    }
    return out;
  }

  /**
   * Moves visible messages (all, or the given ids) from this queue, typically a DLQ, to target
   * with their receive count reset. Each chunk is durable in target before it is removed here,
   * so a crash in between leaves a copy in both; moving again dedupes by message id.
   */
  redrive(target: LocalQueue, ids?: string[]): Promise<number> {
    return this.track(async () => {
      if (target === this)
        throw new QueueInvalidArgumentError('cannot redrive a queue into itself');
      this.store.reapExpired(this.clock());
      const chosen = ids
        ? ids.map((id) => this.store.get(id)).filter((m) => m !== undefined)
        : [...this.store.values()];
      const movable = [...new Set(chosen)].filter((m) => m.state === 'visible');
      let moved = 0;
      for (let i = 0; i < movable.length; i += MOVE_CHUNK) {
        const chunk = movable.slice(i, i + MOVE_CHUNK).filter((m) => m.state === 'visible');
        await this.moveTo(target, chunk, { resetReceiveCount: true });
        moved += chunk.length;
      }
      return moved;
    });
  }

  /** Called after messages became visible (send, redrive in, visibility reset to 0). */
  onSend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits for running operations, then closes the journal. Close a DLQ after its sources. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.ops]);
    this.listeners.clear();
    try {
      await this.journal.close();
    } finally {
      await releaseLock(this.lockPath);
    }
  }

  /** Journal size in bytes (for diagnostics and compaction tests). */
  get journalBytes(): number {
    return this.journal.bytes;
  }

  // -------------------------------------------------------------------------------------------

  // Synchronous, so concurrent receives never pick the same message.
  private pick(max: number, now: number, visibleAt: number): PickResult {
    const picked: StoredMessage[] = [];
    const poison: StoredMessage[] = [];
    const limit = this.redrivePolicy?.maxReceiveCount ?? Infinity;
    while (picked.length < max) {
      const m = this.store.nextVisible();
      if (!m) break;
      if (m.receiveCount + 1 > limit) {
        this.store.markMoving(m);
        poison.push(m);
        continue;
      }
      m.receiveCount++;
      m.firstReceivedAt ??= now;
      this.store.markInFlight(m, newReceiptHandle(m.id), visibleAt);
      picked.push(m);
    }
    return { picked, poison };
  }

  private async moveToDeadLetter(poison: StoredMessage[]): Promise<void> {
    const dlq = this.redrivePolicy?.dlq;
    if (!dlq) return;
    await this.moveTo(dlq, poison, { resetReceiveCount: false });
  }

  // Write to target first, then remove here: a crash in between duplicates, never loses.
  private async moveTo(
    target: LocalQueue,
    messages: StoredMessage[],
    opts: { resetReceiveCount: boolean },
  ): Promise<void> {
    for (const m of messages) if (m.state !== 'moving') this.store.markMoving(m);
    try {
      await target.acceptMoved(messages.map((m) => movedCopy(m, opts.resetReceiveCount)));
    } catch (err) {
      for (const m of messages) this.store.makeVisible(m);
      throw err;
    }
    for (const m of messages) this.store.remove(m);
    await this.journal.append(messages.map((m) => line({ op: 'del', id: m.id })));
  }

  private acceptMoved(messages: NewMessage[]): Promise<void> {
    return this.track(async () => {
      const fresh = messages.filter((m) => !this.store.has(m.id) && !this.incoming.has(m.id));
      for (const m of fresh) this.incoming.add(m.id);
      try {
        await this.appendMessages(fresh);
      } finally {
        for (const m of fresh) this.incoming.delete(m.id);
      }
    });
  }

  private async appendMessages(messages: NewMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const lines = messages.map((m) => line(sendRecordOf(m)));
    // Inserted only once durable: a receiver never sees a message a crash could still lose.
    await this.journal.append(lines, () => {
      for (const m of messages) this.store.insert(m, approxRecordBytes(m));
    });
    this.notify();
  }

  private toSqsRecord(m: StoredMessage): SqsRecord {
    const messageAttributes: SqsRecord['messageAttributes'] = {};
    for (const [k, v] of Object.entries(m.attributes ?? {})) {
      messageAttributes[k] = { stringValue: v, dataType: 'String' };
    }
    return {
      messageId: m.id,
      receiptHandle: m.receiptHandle ?? '',
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
        SenderId: 'LOCAL',
      },
      messageAttributes,
      md5OfBody: md5(m.body),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: 'local',
    };
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener's failure must not fail the producer whose send is already durable.
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new QueueClosedError(this.name);
  }

  private track<T>(fn: () => Promise<T>): Promise<T> {
    try {
      this.assertOpen();
    } catch (err) {
      return Promise.reject(err);
    }
    const op = fn();
    this.ops.add(op);
    const forget = () => this.ops.delete(op);
    op.then(forget, forget);
    return op;
  }
}

type PickResult = { picked: StoredMessage[]; poison: StoredMessage[] };

const recvLine = (m: StoredMessage): string =>
  line({ op: 'recv', id: m.id, rc: m.receiveCount, first: m.firstReceivedAt ?? m.sentAt });

const movedCopy = (m: StoredMessage, resetReceiveCount: boolean): NewMessage => ({
  id: m.id,
  body: m.body,
  attributes: m.attributes,
  sentAt: m.sentAt,
  receiveCount: resetReceiveCount ? 0 : m.receiveCount,
  firstReceivedAt: resetReceiveCount ? undefined : m.firstReceivedAt,
});

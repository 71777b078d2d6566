// LocalQueue: a durable, single-process stand-in for SQS in the sandbox.
//
// Storage is one append-only JSON-lines journal per queue (`<dir>/<name>.journal`). Every state
// change that must survive a crash (send, receive count, delete) is appended and fdatasync'ed
// before the caller's promise resolves; concurrent callers share one write + fsync (group commit).
// In-flight state (receipt handles, visibility deadlines) lives in memory only: after a restart
// every stored message is visible again, exactly as SQS would do once the timeouts expire.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  QUEUE_MAX_BATCH_BYTES,
  QUEUE_MAX_BATCH_ENTRIES,
  QUEUE_MAX_MESSAGE_ATTRIBUTES,
  type QueueMessageInput,
  type QueueSender,
  type SentMessage,
  type SqsRecord,
} from '../ports/queue';

// ---------------------------------------------------------------------------------------------
// Errors

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

// ---------------------------------------------------------------------------------------------
// Public types

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

export type QueueStats = { visible: number; inFlight: number };

export type StoredMessageView = {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  receiveCount: number;
  /** Epoch milliseconds of the original send (kept across DLQ moves). */
  sentAt: number;
  inFlight: boolean;
};

// ---------------------------------------------------------------------------------------------
// Journal records: one JSON object per line.

const JOURNAL_VERSION = 1;

type MetaRecord = { op: 'meta'; v: number; queue: string };
type SendRecord = {
  op: 'send';
  id: string;
  body: string;
  attrs?: Record<string, string>;
  sentAt: number;
  /** Only present in compacted snapshots and DLQ moves. */
  rc?: number;
  first?: number;
};
/** Absolute (not incremental) so replaying it twice, e.g. after compaction, is harmless. */
type RecvRecord = { op: 'recv'; id: string; rc: number; first: number };
type DelRecord = { op: 'del'; id: string };
type JournalRecord = MetaRecord | SendRecord | RecvRecord | DelRecord;

const line = (record: JournalRecord): string => `${JSON.stringify(record)}\n`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStringMap = (v: unknown): v is Record<string, string> =>
  isObject(v) && Object.values(v).every((x) => typeof x === 'string');

function toRecord(v: unknown): JournalRecord | undefined {
  if (!isObject(v) || typeof v.op !== 'string') return undefined;
  const id = v.id;
  switch (v.op) {
    case 'meta':
      return isNumber(v.v) && typeof v.queue === 'string' ? (v as MetaRecord) : undefined;
    case 'send': {
      const ok =
        typeof id === 'string' &&
        typeof v.body === 'string' &&
        isNumber(v.sentAt) &&
        (v.attrs === undefined || isStringMap(v.attrs)) &&
        (v.rc === undefined || isNumber(v.rc)) &&
        (v.first === undefined || isNumber(v.first));
      return ok ? (v as SendRecord) : undefined;
    }
    case 'recv':
      return typeof id === 'string' && isNumber(v.rc) && isNumber(v.first)
        ? (v as RecvRecord)
        : undefined;
    case 'del':
      return typeof id === 'string' ? (v as DelRecord) : undefined;
    default:
      return undefined;
  }
}

function parseLine(bytes: Buffer): JournalRecord | undefined {
  try {
    return toRecord(JSON.parse(bytes.toString('utf8')));
  } catch {
    return undefined;
  }
}

type JournalContents = { records: JournalRecord[]; validBytes: number };

/**
 * Reads every complete record. A bad or newline-less tail is a write torn by a crash: it was
 * never acknowledged, so it is dropped (validBytes stops before it). Bad bytes followed by good
 * records cannot come from a torn append, so that is reported as corruption.
 */
export function parseJournal(buf: Buffer, path: string): JournalContents {
  const records: JournalRecord[] = [];
  let pos = 0;
  let firstBad: number | undefined;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl === -1) {
      firstBad ??= pos;
      break;
    }
    const record = parseLine(buf.subarray(pos, nl));
    if (record === undefined) firstBad ??= pos;
    else if (firstBad !== undefined) throw new QueueJournalCorruptError(path, firstBad);
    else records.push(record);
    pos = nl + 1;
  }
  return { records, validBytes: firstBad ?? pos };
}

async function readJournal(path: string): Promise<JournalContents> {
  try {
    return parseJournal(await readFile(path), path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { records: [], validBytes: 0 };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Journal file: group commit + compaction

type SnapshotSource = {
  /** Send records for every live message, taken synchronously (one consistent instant). */
  snapshot(): string[];
  /** Approximate bytes the live messages occupy in the journal. */
  liveBytes(): number;
};

type JournalEntry = {
  chunk: string;
  /** Runs synchronously once the chunk is durable, before anything else can happen. */
  apply: (() => void) | undefined;
  resolve: () => void;
  reject: (err: Error) => void;
};

const DEFAULT_COMPACT_AT_BYTES = 16 * 1024 * 1024;
const COMPACT_WRITE_CHUNK = 1024 * 1024;

class Journal {
  private pending: JournalEntry[] = [];
  private draining: Promise<void> | undefined;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly header: string,
    private readonly compactAtBytes: number,
    private readonly source: SnapshotSource,
    private fh: FileHandle,
    private size: number,
  ) {}

  /** Opens for appending, cutting off a torn tail first so new records never glue onto it. */
  static async open(
    path: string,
    contents: JournalContents,
    header: string,
    compactAtBytes: number,
    source: SnapshotSource,
  ): Promise<Journal> {
    const fh = await open(path, 'a');
    try {
      const { size } = await fh.stat();
      if (size !== contents.validBytes) {
        await fh.truncate(contents.validBytes);
        await fh.datasync();
      }
      const journal = new Journal(path, header, compactAtBytes, source, fh, contents.validBytes);
      if (contents.validBytes === 0) {
        await writeAll(fh, Buffer.from(header));
        await fh.datasync();
        await fsyncDir(dirname(path));
        journal.size = Buffer.byteLength(header);
      }
      return journal;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  get bytes(): number {
    return this.size;
  }

  append(lines: string[], apply?: () => void): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new QueueJournalWriteError(this.path, 'closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ chunk: lines.join(''), apply, resolve, reject });
      this.draining ??= this.drain().finally(() => (this.draining = undefined));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.fh.close();
  }

  // One round = everything queued while the previous write + fsync was running.
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.compactIfDue();
        const buf = Buffer.from(batch.map((e) => e.chunk).join(''));
        await writeAll(this.fh, buf);
        await this.fh.datasync();
        this.size += buf.length;
      } catch (err) {
        this.fail(err, batch);
        return;
      }
      for (const entry of batch) {
        entry.apply?.();
        entry.resolve();
      }
    }
  }

  private fail(cause: unknown, batch: JournalEntry[]): void {
    this.failure = new QueueJournalWriteError(this.path, cause);
    for (const entry of [...batch, ...this.pending]) entry.reject(this.failure);
    this.pending = [];
  }

  private async compactIfDue(): Promise<void> {
    if (this.size < this.compactAtBytes || this.size < 2 * this.source.liveBytes()) return;
    await this.compact();
  }

  // Records of the batch being drained are written after the snapshot; they are idempotent
  // (absolute receive counts, deletes of absent ids) or not yet in the snapshot (sends).
  private async compact(): Promise<void> {
    const lines = [this.header, ...this.source.snapshot()];
    const tmp = `${this.path}.compact`;
    const out = await open(tmp, 'w');
    let size = 0;
    try {
      for (let i = 0; i < lines.length;) {
        let chunk = '';
        while (i < lines.length && chunk.length < COMPACT_WRITE_CHUNK) chunk += lines[i++];
        const buf = Buffer.from(chunk);
        await writeAll(out, buf);
        size += buf.length;
      }
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(tmp, this.path);
    await fsyncDir(dirname(this.path));
    const fresh = await open(this.path, 'a');
    const old = this.fh;
    this.fh = fresh;
    this.size = size;
    await old.close();
  }
}

async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await fh.write(buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
}

// A new or renamed file is only durable once its directory entry is.
async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function isErrno(err: unknown, code: string): boolean {
  return isObject(err) && err.code === code;
}

// ---------------------------------------------------------------------------------------------
// Lock: one open LocalQueue per journal, across and within processes.

const openLocks = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

// A lock left by a SIGKILLed process (dead pid, or our own pid after a container restart) is stale.
async function acquireLock(lockPath: string, queue: string): Promise<void> {
  if (openLocks.has(lockPath)) throw new QueueLockedError(queue, 'in this process');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeNewFile(lockPath, String(process.pid));
      openLocks.add(lockPath);
      return;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new QueueLockedError(queue, `by pid ${holder}`);
    }
    await rm(lockPath, { force: true });
  }
  throw new QueueLockedError(queue, 'lock contended');
}

async function writeNewFile(path: string, text: string): Promise<void> {
  const fh = await open(path, 'wx');
  try {
    await fh.writeFile(text);
  } finally {
    await fh.close();
  }
}

async function releaseLock(lockPath: string): Promise<void> {
  openLocks.delete(lockPath);
  await rm(lockPath, { force: true });
}

// ---------------------------------------------------------------------------------------------
// In-memory state

type MessageState = 'visible' | 'inflight' | 'moving';

type StoredMessage = {
  id: string;
  body: string;
  attributes: Record<string, string> | undefined;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt: number | undefined;
  /** Journal bytes of the send record, for the compaction heuristic. */
  bytes: number;
  state: MessageState;
  /** Stays valid until the message is received again (SQS semantics). */
  receiptHandle: string | undefined;
  visibleAt: number;
};

type NewMessage = Pick<
  StoredMessage,
  'id' | 'body' | 'attributes' | 'sentAt' | 'receiveCount' | 'firstReceivedAt'
>;

/** FIFO of ids with O(1) shift; stale ids are skipped by the reader. */
class IdQueue {
  private items: string[] = [];
  private head = 0;

  push(id: string): void {
    this.items.push(id);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const id = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return id;
  }
}

const sendRecordOf = (m: NewMessage): SendRecord => ({
  op: 'send',
  id: m.id,
  body: m.body,
  ...(m.attributes ? { attrs: m.attributes } : {}),
  sentAt: m.sentAt,
  ...(m.receiveCount > 0 ? { rc: m.receiveCount } : {}),
  ...(m.firstReceivedAt !== undefined ? { first: m.firstReceivedAt } : {}),
});

class MessageStore {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly order = new IdQueue();
  private readonly inFlight = new Set<StoredMessage>();
  private moving = 0;
  private bytes = 0;

  get size(): number {
    return this.messages.size;
  }

  get liveBytes(): number {
    return this.bytes;
  }

  has(id: string): boolean {
    return this.messages.has(id);
  }

  get(id: string): StoredMessage | undefined {
    return this.messages.get(id);
  }

  values(): IterableIterator<StoredMessage> {
    return this.messages.values();
  }

  /** Returns false for an id already stored (replays and re-moves are idempotent). */
  insert(m: NewMessage, bytes: number): boolean {
    if (this.messages.has(m.id)) return false;
    const stored: StoredMessage = {
      ...m,
      bytes,
      state: 'visible',
      receiptHandle: undefined,
      visibleAt: 0,
    };
    this.messages.set(m.id, stored);
    this.order.push(m.id);
    this.bytes += bytes;
    return true;
  }

  remove(m: StoredMessage): void {
    if (this.messages.get(m.id) !== m) return;
    this.messages.delete(m.id);
    this.inFlight.delete(m);
    if (m.state === 'moving') this.moving--;
    this.bytes -= m.bytes;
  }

  /** Moves every message whose visibility timeout passed back to the visible set. */
  reapExpired(now: number): void {
    for (const m of this.inFlight) if (m.visibleAt <= now) this.makeVisible(m);
  }

  /** Next visible message, or undefined. The caller must change its state. */
  nextVisible(): StoredMessage | undefined {
    for (let id = this.order.shift(); id !== undefined; id = this.order.shift()) {
      const m = this.messages.get(id);
      if (m?.state === 'visible') return m;
    }
    return undefined;
  }

  markInFlight(m: StoredMessage, receiptHandle: string, visibleAt: number): void {
    m.state = 'inflight';
    m.receiptHandle = receiptHandle;
    m.visibleAt = visibleAt;
    this.inFlight.add(m);
  }

  markMoving(m: StoredMessage): void {
    this.inFlight.delete(m);
    m.state = 'moving';
    this.moving++;
  }

  makeVisible(m: StoredMessage): void {
    if (m.state === 'visible') return;
    if (m.state === 'moving') this.moving--;
    this.inFlight.delete(m);
    m.state = 'visible';
    this.order.push(m.id);
  }

  stats(): QueueStats {
    const inFlight = this.inFlight.size + this.moving;
    return { visible: this.messages.size - inFlight, inFlight };
  }

  // In-flight state is deliberately not persisted: after a restart everything is visible.
  snapshot(): string[] {
    const lines: string[] = [];
    for (const m of this.messages.values()) lines.push(line(sendRecordOf(m)));
    return lines;
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

const MAX_VISIBILITY_SECONDS = 43_200;
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
// The characters SQS accepts in bodies and attribute values; anything else fails SendMessage.
// eslint-disable-next-line no-control-regex -- the allowed set is defined by control characters
const INVALID_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{0,254}[A-Za-z0-9_-])?$/;
const RESERVED_ATTRIBUTE = /^(aws|amazon)\./i;
const MOVE_CHUNK = 500;

function assertVisibility(seconds: number, what: string): void {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
    throw new QueueInvalidArgumentError(`${what} must be an integer 0..${MAX_VISIBILITY_SECONDS}`);
  }
}

function validateOptions(opts: LocalQueueOptions): void {
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

function validateBatch(messages: QueueMessageInput[]): void {
  if (messages.length === 0) throw new QueueEmptyBatchError();
  if (messages.length > QUEUE_MAX_BATCH_ENTRIES) {
    throw new QueueTooManyEntriesError(messages.length);
  }
  messages.forEach(validateMessage);
  const bytes = messages.reduce((sum, m) => sum + messageBytes(m), 0);
  if (bytes > QUEUE_MAX_BATCH_BYTES) throw new QueueBatchTooLargeError(bytes);
}

// Good enough for the compaction heuristic, and cheap to compute during replay.
const approxRecordBytes = (m: NewMessage): number => m.body.length + 160;

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

// Embedding the id lets deleteMessage find the message without a handle index.
const newReceiptHandle = (id: string): string => `${id}:${randomUUID()}`;
const idOfReceiptHandle = (handle: string): string => handle.slice(0, handle.indexOf(':'));

// ---------------------------------------------------------------------------------------------
// LocalQueue

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

function replay(records: JournalRecord[]): MessageStore {
  const store = new MessageStore();
  for (const r of records) {
    if (r.op === 'send') {
      const m: NewMessage = {
        id: r.id,
        body: r.body,
        attributes: r.attrs,
        sentAt: r.sentAt,
        receiveCount: r.rc ?? 0,
        firstReceivedAt: r.first,
      };
      store.insert(m, approxRecordBytes(m));
    } else if (r.op === 'recv') {
      const m = store.get(r.id);
      if (m) {
        m.receiveCount = r.rc;
        m.firstReceivedAt = r.first;
      }
    } else if (r.op === 'del') {
      const m = store.get(r.id);
      if (m) store.remove(m);
    } else if (r.v !== JOURNAL_VERSION) {
      throw new QueueInvalidArgumentError(`journal version ${r.v} is not supported`);
    }
  }
  return store;
}

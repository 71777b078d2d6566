// ChangeFeed: the sandbox's DynamoDB Streams over dynalite, which has none. A Db middleware sees
// every write the sandbox makes (PutItem, UpdateItem, DeleteItem, BatchWriteItem) to the items
// the stream consumer cares about (`watch`: lead and conversation items; any other write passes
// through untouched), and journals, durably, the record DynamoDB Streams would have written:
// same shape (NEW_AND_OLD_IMAGES), increasing sequence numbers, INSERT / MODIFY / REMOVE, and no
// record for a write that changed nothing. The source side delivers the journal's records in
// order, in batches, to the same handler the StreamConsumer Lambda runs, and retries from the
// record a partial batch response names.
//
// The crash window: a write acknowledged to its caller must not lose its record if the process
// dies before the record is journaled. So, per watched key and under an in-process lock:
//   1. read the item (the old image) and journal an intent {key, old} (fdatasync'ed);
//   2. run the write;
//   3. read the item again (the new image) and journal, in one line, the intent's commit with the
//      record when old and new differ.
// An intent left by a crash (or by a read that failed after the write) is settled from the
// item's state at the time: on start, by a timer, and before the next write of the same key
// (so records of one item stay in order). A write that never happened leaves the item as the
// intent saw it: no record. One line settles an intent and carries its record, so a torn append
// can never produce a record twice. The feed sees only writes made through the sandbox's Db:
// the sandbox is the one writer of its data directory.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Db, DbMiddleware, Item, Key } from '../data/dynamo';
import type { Logger } from '../log';
import type { ChangeStreamSource, StreamBatchHandler, StreamRecord } from '../ports/change-stream';
import { tableStream } from '../topology';
import {
  FEED_JOURNAL_VERSION,
  applyFeedLine,
  feedLine,
  keyIdOf,
  readFeedJournal,
  sequenceNumberOf,
  snapshotLines,
  type CommitLine,
  type FeedLine,
  type FeedState,
  type IntentLine,
  type MarshalledItem,
} from './change-feed-journal';
import type { LocalQueue } from './local-queue';
import { DEFAULT_COMPACT_AT_BYTES, Journal } from './queue/journal';
import { acquireLock, releaseLock } from './queue/queue-lock';

/** Reads an item as it is now (consistent), unmarshalled: the feed's view of the table. */
export type ImageReader = (key: Key) => Promise<Item | undefined>;

export type ChangeFeedOptions = {
  dir: string;
  /** The table's logical name: names the journal and the stream's ARN. */
  tableName: string;
  /** The items whose writes the feed records; every other write costs nothing. */
  watch: (key: Key) => boolean;
  log: Logger;
  /** Records per handler call (the event source mapping's batch size). */
  batchSize?: number;
  /** Retries of a failing record before it goes to `deadLetters` (default: the topology's). */
  retryAttempts?: number;
  /** Wait before retry `attempt` (1-based). Default 200 ms doubling to 10 s. */
  retryDelayMs?: (attempt: number) => number;
  /** Where a record goes once its retries are spent (the on-failure destination). */
  deadLetters?: Pick<LocalQueue, 'sendBatch'>;
  /** How often unsettled intents are looked at again. Default 1 s. */
  reconcileEveryMs?: number;
  clock?: () => Date;
  compactAtBytes?: number;
};

const writeCommands = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
]);

type CommandInput = {
  TableName?: string;
  Item?: MarshalledItem;
  Key?: MarshalledItem;
  RequestItems?: Record<
    string,
    { PutRequest?: { Item?: MarshalledItem }; DeleteRequest?: { Key?: MarshalledItem } }[]
  >;
};

const keyOfMarshalled = (item: MarshalledItem | undefined): Key | undefined => {
  const pk = item?.PK?.S;
  const sk = item?.SK?.S;
  return pk !== undefined && sk !== undefined ? { PK: pk, SK: sk } : undefined;
};

// Attribute order and set order carry no meaning in DynamoDB: compare images canonically.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return Object.fromEntries(
    entries.map(([k, v]) => [
      k,
      (k === 'SS' || k === 'NS') && Array.isArray(v) ? [...(v as string[])].sort() : canonical(v),
    ]),
  );
}
const sameImage = (a: MarshalledItem | undefined, b: MarshalledItem | undefined) =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

const toImage = (item: Item | undefined): MarshalledItem | undefined =>
  item ? (marshall(item, { removeUndefinedValues: true }) as unknown as MarshalledItem) : undefined;

/** A lock per key; waiters queue in order. */
class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  held(id: string): boolean {
    return this.tails.has(id);
  }

  async acquire(ids: string[]): Promise<() => void> {
    const releases: (() => void)[] = [];
    // Sorted: two writers of the same keys always queue in the same order (no deadlock).
    for (const id of [...new Set(ids)].sort()) {
      const previous = this.tails.get(id) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = previous.then(() => mine);
      this.tails.set(id, tail);
      await previous;
      releases.push(() => {
        if (this.tails.get(id) === tail) this.tails.delete(id);
        release();
      });
    }
    return () => releases.forEach((r) => r());
  }
}

export class ChangeFeed implements ChangeStreamSource {
  readonly streamArn: string;
  private readonly locks = new KeyLocks();
  private reader: ImageReader | undefined;
  /** The physical table the Db writes (a test run on DynamoDB Local names its own). */
  private physicalTable: string | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeDelivery: (() => void) | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly clock: () => Date;

  private constructor(
    private readonly opts: ChangeFeedOptions,
    private readonly state: FeedState,
    private readonly journal: Journal,
    private readonly lockPath: string,
  ) {
    this.clock = opts.clock ?? (() => new Date());
    this.streamArn = `arn:aws:dynamodb:local:000000000000:table/${opts.tableName}/stream/local`;
  }

  static async open(opts: ChangeFeedOptions): Promise<ChangeFeed> {
    const dir = resolve(opts.dir);
    await mkdir(dir, { recursive: true });
    const name = `${opts.tableName}-stream`;
    const path = join(dir, `${name}.journal`);
    const lockPath = join(dir, `${name}.lock`);
    await acquireLock(lockPath, name);
    try {
      await rm(`${path}.compact`, { force: true });
      const { state, validBytes } = await readFeedJournal(path);
      const header = feedLine({ op: 'meta', v: FEED_JOURNAL_VERSION, stream: name });
      const journal = await Journal.open(
        path,
        { records: [], validBytes },
        header,
        opts.compactAtBytes ?? DEFAULT_COMPACT_AT_BYTES,
        {
          snapshot: () => snapshotLines(state),
          liveBytes: () => snapshotLines(state).reduce((n, l) => n + l.length, 0),
        },
      );
      return new ChangeFeed(opts, state, journal, lockPath);
    } catch (err) {
      await releaseLock(lockPath);
      throw err;
    }
  }

  /** How the feed reads items, and which table they are in (the sandbox's Db: `dbImageReader`). */
  attach(reader: ImageReader, tableName: string): void {
    this.reader = reader;
    this.physicalTable = tableName;
  }

  /** Unsettled intents and undelivered records (tests, `npm start`'s status). */
  get pending(): { intents: number; records: number } {
    return { intents: this.state.intents.size, records: this.state.records.size };
  }

  /** The middleware to give `Db.connect` (innermost: it sees what the table really applied). */
  get middleware(): DbMiddleware {
    return {
      name: 'switchboardChangeFeed',
      handler: (next, context) => async (args) => {
        const command = context.commandName ?? '';
        if (!writeCommands.has(command)) return next(args);
        const keys = this.watchedKeys((args as { input?: CommandInput }).input);
        if (keys.length === 0) return next(args);
        return this.track(this.around(keys, () => next(args)));
      },
    };
  }

  async start(handler: StreamBatchHandler): Promise<void> {
    if (this.running) return;
    await this.reconcile();
    this.running = true;
    this.loop = this.deliver(handler);
    this.reconcileTimer = setInterval(() => {
      if (this.state.intents.size > 0) {
        this.reconcile().catch((err: unknown) =>
          this.opts.log.warn('change feed: settling intents failed', { error: String(err) }),
        );
      }
    }, this.opts.reconcileEveryMs ?? 1000);
    this.reconcileTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.reconcileTimer = undefined;
    this.wakeDelivery?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Stops delivering, waits for the writes under way, and closes the journal. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.stop();
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
    await this.journal.close();
    await releaseLock(this.lockPath);
  }

  /** Settles every intent whose key is not being written right now, from the item as it is. */
  async reconcile(): Promise<void> {
    for (const [id, intent] of [...this.state.intents]) {
      if (this.locks.held(id)) continue;
      const release = await this.locks.acquire([id]);
      try {
        const current = this.state.intents.get(id);
        if (current?.id !== intent.id) continue;
        const now = toImage(await this.read(intent.key));
        await this.append([this.commitOf(intent, now)]);
      } finally {
        release();
      }
    }
  }

  private watchedKeys(input: CommandInput | undefined): Key[] {
    const table = this.physicalTable;
    if (!input || !table) return [];
    const keys: (Key | undefined)[] = [];
    if (input.RequestItems) {
      for (const request of input.RequestItems[table] ?? []) {
        keys.push(keyOfMarshalled(request.PutRequest?.Item ?? request.DeleteRequest?.Key));
      }
    } else if (input.TableName === table) {
      keys.push(keyOfMarshalled(input.Item ?? input.Key));
    }
    return keys.filter((k): k is Key => k !== undefined && this.opts.watch(k));
  }

  private track<T>(op: Promise<T>): Promise<T> {
    this.inFlight.add(op);
    void op.finally(() => this.inFlight.delete(op)).catch(() => undefined);
    return op;
  }

  private read(key: Key): Promise<Item | undefined> {
    if (!this.reader) throw new Error('change feed: no reader attached');
    return this.reader(key);
  }

  private async around<T>(keys: Key[], write: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('change feed: closed');
    const release = await this.locks.acquire(keys.map(keyIdOf));
    try {
      const olds = await Promise.all(keys.map(async (key) => toImage(await this.read(key))));
      const lines: string[] = [];
      const intents: IntentLine[] = [];
      keys.forEach((key, i) => {
        const stale = this.state.intents.get(keyIdOf(key));
        // An earlier write of this key whose record was not settled: its change comes first.
        if (stale) lines.push(this.commitOf(stale, olds[i]));
        const intent: IntentLine = { op: 'intent', id: randomUUID(), key, old: olds[i] };
        intents.push(intent);
        lines.push(feedLine(intent));
      });
      await this.append(lines);
      let outcome: { ok: true; value: T } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, value: await write() };
      } catch (error) {
        // A failure may still have been applied (a lost response): the read below tells.
        outcome = { ok: false, error };
      }
      try {
        const news = await Promise.all(keys.map(async (key) => toImage(await this.read(key))));
        await this.append(intents.map((intent, i) => this.commitOf(intent, news[i])));
      } catch (err) {
        // The intents stay: the timer, a restart or the key's next write settles them.
        this.opts.log.warn('change feed: record deferred', { error: String(err) });
      }
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    } finally {
      release();
    }
  }

  // Sequence numbers are taken as lines are built, and lines are appended right after (no await
  // between), so journal order is sequence order.
  private commitOf(intent: IntentLine, now: MarshalledItem | undefined): string {
    const line: CommitLine = { op: 'commit', intent: intent.id };
    if (!sameImage(intent.old, now)) line.record = this.recordOf(intent, now);
    return feedLine(line);
  }

  private recordOf(intent: IntentLine, now: MarshalledItem | undefined): StreamRecord {
    const seq = sequenceNumberOf(this.state.nextSeq++);
    const keys = { PK: { S: intent.key.PK }, SK: { S: intent.key.SK } };
    const old = intent.old;
    const eventName = !old ? 'INSERT' : !now ? 'REMOVE' : 'MODIFY';
    const images = {
      Keys: keys,
      ...(now ? { NewImage: now } : {}),
      ...(old ? { OldImage: old } : {}),
    };
    return {
      eventID: createHash('md5').update(`${this.streamArn}#${seq}`).digest('hex'),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'local',
      eventSourceARN: this.streamArn,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(this.clock().getTime() / 1000),
        ...(images as NonNullable<StreamRecord['dynamodb']>),
        SequenceNumber: seq,
        SizeBytes: Buffer.byteLength(JSON.stringify(images)),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  }

  private async append(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    const parsed = lines.map((l) => JSON.parse(l) as FeedLine);
    await this.journal.append(lines, () => {
      for (const line of parsed) applyFeedLine(this.state, line);
      if (parsed.some((l) => l.op === 'commit' && l.record)) this.wakeDelivery?.();
    });
  }

  private async deliver(handler: StreamBatchHandler): Promise<void> {
    const batchSize = this.opts.batchSize ?? tableStream.batchSize;
    const retryAttempts = this.opts.retryAttempts ?? tableStream.retryAttempts;
    const delay = this.opts.retryDelayMs ?? ((n: number) => Math.min(10_000, 200 * 2 ** (n - 1)));
    let failures = 0;
    while (this.running) {
      const batch = [...this.state.records.values()].slice(0, batchSize);
      if (batch.length === 0) {
        await new Promise<void>((r) => {
          this.wakeDelivery = r;
          if (this.state.records.size > 0 || !this.running) r();
        });
        this.wakeDelivery = undefined;
        continue;
      }
      const failedAt = await this.handle(handler, batch);
      const handled = failedAt ?? batch.length;
      try {
        if (handled > 0) {
          failures = 0;
          await this.append([feedLine({ op: 'ack', seq: seqOf(batch[handled - 1]!) })]);
        }
        if (failedAt === undefined) continue;
        failures++;
        if (failures > retryAttempts) {
          await this.deadLetter(batch[failedAt]!, failures);
          failures = 0;
          continue;
        }
      } catch (err) {
        this.opts.log.error('change feed: journal write failed', { error: String(err) });
        failures++;
      }
      await this.pause(delay(failures));
    }
  }

  /** The index of the first record to retry, or undefined when all were handled. */
  private async handle(handler: StreamBatchHandler, batch: StreamRecord[]) {
    try {
      const response = await handler({ Records: batch });
      const failed = response?.batchItemFailures ?? [];
      if (failed.length === 0) return undefined;
      const indexes = failed.map((f) => batch.findIndex((r) => seqOf(r) === f.itemIdentifier));
      // Like Lambda: an identifier that names no record of the batch fails the whole batch.
      return indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
    } catch (err) {
      this.opts.log.warn('change feed: stream consumer threw', { error: String(err) });
      return 0;
    }
  }

  // Lambda's on-failure destination receives a description of the batch; the local journal keeps
  // no records once passed, so the record itself travels with it.
  private async deadLetter(record: StreamRecord, attempts: number): Promise<void> {
    const seq = seqOf(record);
    this.opts.log.error('change feed: record moved to the on-failure queue', {
      eventId: record.eventID,
      sequenceNumber: seq,
    });
    if (this.opts.deadLetters) {
      const at = new Date((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000);
      const body = {
        version: '1.0',
        timestamp: this.clock().toISOString(),
        requestContext: {
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: attempts,
          functionArn: `arn:aws:lambda:local:000000000000:function:${tableStream.consumer}`,
        },
        DDBStreamBatchInfo: {
          shardId: 'shardId-local',
          startSequenceNumber: seq,
          endSequenceNumber: seq,
          approximateArrivalOfFirstRecord: at.toISOString(),
          approximateArrivalOfLastRecord: at.toISOString(),
          batchSize: 1,
          streamArn: this.streamArn,
        },
        record,
      };
      await this.opts.deadLetters.sendBatch([{ body: JSON.stringify(body) }]);
    }
    await this.append([feedLine({ op: 'ack', seq })]);
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((r) => {
      const timer = setTimeout(r, ms);
      this.wakeDelivery = () => {
        if (!this.running) {
          clearTimeout(timer);
          r();
        }
      };
    });
    this.wakeDelivery = undefined;
  }
}

const seqOf = (record: StreamRecord): string => record.dynamodb?.SequenceNumber ?? '';

/**
 * The feed's reads through the sandbox's Db. Not counted in `db.counts`: they stand in for
 * DynamoDB Streams, whose records a Lambda trigger reads at no request cost, and the benchmarks
 * price the table's requests from those counts.
 */
export function dbImageReader(db: Db): ImageReader {
  return async (key) => {
    try {
      return await db.get(key, true);
    } finally {
      db.counts.reads--;
    }
  };
}

// DynamoDbStreamsSource: the sandbox's change stream when it runs on an engine with real DynamoDB
// Streams (DynamoDB Local, a real table: `DYNAMODB_ENDPOINT`). It does what Lambda's event source
// mapping does for the StreamConsumer in AWS: lists the stream's shards (a child only after its
// parent is finished), reads each from its checkpoint (TRIM_HORIZON the first time), hands the
// records in order, in batches, to the handler, retries from the record a partial batch response
// names, and after `retryAttempts` sends that record's description to the on-failure queue and
// moves on. The checkpoint (the last handled sequence number per shard) is a file under the
// sandbox's data dir, replaced atomically after every batch, so a restart resumes after it:
// delivery is at least once, never a gap.
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type AttributeValue,
  type _Record as SdkRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue as LambdaAttributeValue } from 'aws-lambda';
import type { Key } from '../data/dynamo';
import type { Logger } from '../log';
import type { ChangeStreamSource, StreamBatchHandler, StreamRecord } from '../ports/change-stream';
import { tableStream } from '../topology';
import type { LocalQueue } from './local-queue';

export type DynamoDbStreamsSourceOptions = {
  streamArn: string;
  /** The Streams API: DynamoDB Local serves it on the table's endpoint. */
  endpoint: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Where the per-shard checkpoint lives (a JSON file under the sandbox's data dir). */
  checkpointFile: string;
  log: Logger;
  /** Records of other items are passed over without a call (the mapping's filter criteria). */
  watch?: (key: Key) => boolean;
  /** Records per handler call (default: the topology's). */
  batchSize?: number;
  /** Retries of a failing record before it goes to `deadLetters` (default: the topology's). */
  retryAttempts?: number;
  /** Wait before retry `attempt` (1-based). Default 200 ms doubling to 10 s. */
  retryDelayMs?: (attempt: number) => number;
  /** The on-failure destination. */
  deadLetters?: Pick<LocalQueue, 'sendBatch'>;
  /** Wait between polls of a shard with nothing new. Default 250 ms. */
  idleMs?: number;
  clock?: () => Date;
};

type Checkpoint = {
  streamArn: string;
  /** Per shard: the last sequence number handled, and whether the shard is finished. */
  shards: Record<string, { after?: string; done?: boolean }>;
};

type ShardState = { shard: Shard; iterator?: string };

const defaultDelay = (attempt: number) => Math.min(10_000, 200 * 2 ** (attempt - 1));

export class DynamoDbStreamsSource implements ChangeStreamSource {
  private readonly client: DynamoDBStreamsClient;
  private checkpoint: Checkpoint;
  private readonly shards = new Map<string, ShardState>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private lastDescribe = 0;

  constructor(private readonly opts: DynamoDbStreamsSourceOptions) {
    this.client = new DynamoDBStreamsClient({
      endpoint: opts.endpoint,
      region: opts.region,
      credentials: opts.credentials,
    });
    this.checkpoint = { streamArn: opts.streamArn, shards: {} };
  }

  /** The checkpoint as last written (tests look at it). */
  get position(): Readonly<Checkpoint> {
    return this.checkpoint;
  }

  async start(handler: StreamBatchHandler): Promise<void> {
    if (this.running) throw new Error('the stream source is already running');
    this.checkpoint = await this.readCheckpoint();
    this.running = true;
    this.loop = this.run(handler).catch((err: unknown) => {
      this.opts.log.error('dynamodb streams: the source stopped', { error: String(err) });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    this.client.destroy();
  }

  private async run(handler: StreamBatchHandler): Promise<void> {
    const idleMs = this.opts.idleMs ?? 250;
    let describeFailures = 0;
    while (this.running) {
      let delivered = false;
      try {
        // New shards appear as old ones close; look again now and then, and after a close.
        if (this.shards.size === 0 || Date.now() - this.lastDescribe > 10_000) {
          await this.describe();
        }
        for (const state of this.readyShards()) {
          if (!this.running) break;
          delivered = (await this.pollShard(state, handler)) || delivered;
        }
        describeFailures = 0;
      } catch (err) {
        describeFailures++;
        this.opts.log.warn('dynamodb streams: poll failed, trying again', {
          error: String(err),
        });
        await this.pause(Math.min(5_000, 100 * 2 ** describeFailures));
        continue;
      }
      if (!delivered) await this.pause(idleMs);
    }
  }

  private async describe(): Promise<void> {
    let start: string | undefined;
    do {
      const out = await this.client.send(
        new DescribeStreamCommand({
          StreamArn: this.opts.streamArn,
          ExclusiveStartShardId: start,
        }),
      );
      for (const shard of out.StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !this.shards.has(shard.ShardId)) {
          this.shards.set(shard.ShardId, { shard });
        }
      }
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    this.lastDescribe = Date.now();
  }

  /** Unfinished shards whose parent is finished (or gone from the stream), oldest first. */
  private readyShards(): ShardState[] {
    const done = (id: string | undefined) =>
      !id || !this.shards.has(id) || this.checkpoint.shards[id]?.done === true;
    return [...this.shards.values()]
      .filter((s) => !done(s.shard.ShardId) && done(s.shard.ParentShardId))
      .sort((a, b) =>
        compareSeq(
          a.shard.SequenceNumberRange?.StartingSequenceNumber,
          b.shard.SequenceNumberRange?.StartingSequenceNumber,
        ),
      );
  }

  /** Reads one batch of a shard and delivers it; true when records were delivered. */
  private async pollShard(state: ShardState, handler: StreamBatchHandler): Promise<boolean> {
    const shardId = state.shard.ShardId!;
    state.iterator ??= await this.iteratorFor(shardId);
    let out;
    try {
      out = await this.client.send(
        new GetRecordsCommand({
          ShardIterator: state.iterator,
          Limit: this.opts.batchSize ?? tableStream.batchSize,
        }),
      );
    } catch (err) {
      // An iterator lives 15 minutes; a trimmed position restarts at the oldest record kept.
      if (err instanceof ExpiredIteratorException || err instanceof TrimmedDataAccessException) {
        if (err instanceof TrimmedDataAccessException) {
          this.opts.log.warn('dynamodb streams: records past their 24 h were trimmed', { shardId });
          delete this.checkpoint.shards[shardId]?.after;
        }
        state.iterator = undefined;
        return false;
      }
      throw err;
    }
    const records = (out.Records ?? []).map((r) => this.lambdaRecordOf(r));
    state.iterator = out.NextShardIterator;
    if (records.length > 0) await this.deliver(shardId, records, handler);
    if (!state.iterator && this.running) {
      // A closed shard read to its end: its children may start.
      this.checkpoint.shards[shardId] = { ...this.checkpoint.shards[shardId], done: true };
      await this.writeCheckpoint();
      this.lastDescribe = 0;
    }
    return records.length > 0;
  }

  private async iteratorFor(shardId: string): Promise<string | undefined> {
    const after = this.checkpoint.shards[shardId]?.after;
    const out = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.opts.streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  }

  /**
   * Hands the records to the handler until all are handled: a partial failure is retried from
   * the record it names (the ones before it are checkpointed), up to `retryAttempts` times, then
   * dead-lettered and passed. Stopping mid-way leaves the rest to the next start.
   */
  private async deliver(
    shardId: string,
    records: StreamRecord[],
    handler: StreamBatchHandler,
  ): Promise<void> {
    const watch = this.opts.watch;
    let pending = records;
    let failures = 0;
    while (pending.length > 0) {
      const batch = watch ? pending.filter((r) => watch(keyOf(r))) : pending;
      const failedAt = batch.length > 0 ? await this.handle(handler, batch) : undefined;
      // Index in `pending` of the first record not handled (filtered records count as handled).
      const stopAt = failedAt === undefined ? pending.length : pending.indexOf(batch[failedAt]!);
      if (stopAt > 0) {
        failures = 0;
        await this.advance(shardId, pending[stopAt - 1]!);
        pending = pending.slice(stopAt);
      }
      if (pending.length === 0) return;
      failures++;
      if (failures > (this.opts.retryAttempts ?? tableStream.retryAttempts)) {
        await this.deadLetter(shardId, pending[0]!, failures);
        await this.advance(shardId, pending[0]!);
        pending = pending.slice(1);
        failures = 0;
        continue;
      }
      await this.pause((this.opts.retryDelayMs ?? defaultDelay)(failures));
      if (!this.running) {
        // The next start resumes after the checkpoint: from the record that failed.
        this.shards.get(shardId)!.iterator = undefined;
        return;
      }
    }
  }

  /** The index of the first record to retry, or undefined when all were handled. */
  private async handle(handler: StreamBatchHandler, batch: StreamRecord[]) {
    try {
      const response = await handler({ Records: batch });
      const failed = response?.batchItemFailures ?? [];
      if (failed.length === 0) return undefined;
      const indexes = failed.map((f) =>
        batch.findIndex((r) => r.dynamodb?.SequenceNumber === f.itemIdentifier),
      );
      // Like Lambda: an identifier that names no record of the batch fails the whole batch.
      return indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
    } catch (err) {
      this.opts.log.warn('dynamodb streams: stream consumer threw', { error: String(err) });
      return 0;
    }
  }

  private async advance(shardId: string, record: StreamRecord): Promise<void> {
    this.checkpoint.shards[shardId] = {
      ...this.checkpoint.shards[shardId],
      after: record.dynamodb!.SequenceNumber!,
    };
    await this.writeCheckpoint();
  }

  // What Lambda's on-failure destination receives for a stream: a description of the batch
  // (the record itself stays readable in the stream for 24 h; it travels along for the sandbox).
  private async deadLetter(shardId: string, record: StreamRecord, attempts: number) {
    const seq = record.dynamodb?.SequenceNumber;
    this.opts.log.error('dynamodb streams: record moved to the on-failure queue', {
      eventId: record.eventID,
      sequenceNumber: seq,
    });
    if (!this.opts.deadLetters) return;
    const at = new Date((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000);
    const body = {
      version: '1.0',
      timestamp: (this.opts.clock?.() ?? new Date()).toISOString(),
      requestContext: {
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: attempts,
        functionArn: `arn:aws:lambda:${this.opts.region}:000000000000:function:${tableStream.consumer}`,
      },
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: seq,
        endSequenceNumber: seq,
        approximateArrivalOfFirstRecord: at.toISOString(),
        approximateArrivalOfLastRecord: at.toISOString(),
        batchSize: 1,
        streamArn: this.opts.streamArn,
      },
      record,
    };
    await this.opts.deadLetters.sendBatch([{ body: JSON.stringify(body) }]);
  }

  /** The SDK's record in the shape Lambda hands a stream consumer (dates in seconds, B in base64). */
  private lambdaRecordOf(record: SdkRecord): StreamRecord {
    const d = record.dynamodb ?? {};
    const created = d.ApproximateCreationDateTime;
    return {
      eventID: record.eventID,
      eventName: record.eventName,
      eventVersion: record.eventVersion,
      eventSource: record.eventSource ?? 'aws:dynamodb',
      awsRegion: record.awsRegion ?? this.opts.region,
      eventSourceARN: this.opts.streamArn,
      dynamodb: {
        ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
        ...(d.Keys ? { Keys: imageOf(d.Keys) } : {}),
        ...(d.NewImage ? { NewImage: imageOf(d.NewImage) } : {}),
        ...(d.OldImage ? { OldImage: imageOf(d.OldImage) } : {}),
        SequenceNumber: d.SequenceNumber,
        SizeBytes: d.SizeBytes,
        StreamViewType: d.StreamViewType,
      },
    };
  }

  private async readCheckpoint(): Promise<Checkpoint> {
    let text: string;
    try {
      text = await readFile(this.opts.checkpointFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { streamArn: this.opts.streamArn, shards: {} };
      }
      throw err;
    }
    const saved = JSON.parse(text) as Checkpoint;
    if (saved.streamArn === this.opts.streamArn) return saved;
    // The table was created again: a new stream, read from its start.
    this.opts.log.warn('dynamodb streams: checkpoint of another stream ignored', {
      saved: saved.streamArn,
    });
    return { streamArn: this.opts.streamArn, shards: {} };
  }

  /** Write aside, fsync, rename: a crash leaves the old checkpoint or the new one, never half. */
  private async writeCheckpoint(): Promise<void> {
    const file = this.opts.checkpointFile;
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(this.checkpoint));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  }

  private async pause(ms: number): Promise<void> {
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = undefined;
  }
}

function keyOf(record: StreamRecord): Key {
  const keys = record.dynamodb?.Keys;
  return { PK: keys?.PK?.S ?? '', SK: keys?.SK?.S ?? '' };
}

/** Sequence numbers are decimal strings of up to 40 digits: compare by length, then text. */
function compareSeq(a = '', b = ''): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function imageOf(image: Record<string, AttributeValue>): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, attributeOf(v)]));
}

function attributeOf(value: AttributeValue): LambdaAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: imageOf(value.M) };
  if (value.L !== undefined) return { L: value.L.map(attributeOf) };
  // The SDK's Streams deserializer drops the member of an empty map (`{ M: {} }` arrives as
  // `{}`), and every other type has a member even when empty: a value with none is that map.
  if (Object.keys(value).filter((k) => k !== '$unknown').length === 0) return { M: {} };
  return value as LambdaAttributeValue;
}

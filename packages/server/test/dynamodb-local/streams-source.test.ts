import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Db } from '../../src/engine/data/dynamo';
import { DynamoDbStreamsSource } from '../../src/engine/local/dynamodb-streams-source';
import { silentLogger } from '../../src/engine/log';
import type { StreamBatchHandler, StreamRecord } from '../../src/engine/ports/change-stream';
import { waitFor } from '../helpers/harness';
import { dynamoDbLocalClientConfig, uniqueTableName } from '../helpers/dynamodb-local';

// The Streams API source on Amazon's DynamoDB Local: the real stream of a real table, read the
// way Lambda's event source mapping reads it for the StreamConsumer.

const endpoint = inject('dynamodbLocalEndpoint');
if (!endpoint) console.warn('streams-source: skipped, DynamoDB Local is not available (no java)');

let dir: string;
const sources: DynamoDbStreamsSource[] = [];
const dbs: Db[] = [];

/** A fresh table with its stream, and a source reading it with a checkpoint under `dir`. */
async function freshTable(): Promise<{ db: Db; streamArn: string }> {
  const db = Db.connect({ ...dynamoDbLocalClientConfig, endpoint, tableName: uniqueTableName() });
  dbs.push(db);
  const { streamArn } = await db.ensureTable();
  if (!streamArn) throw new Error('DynamoDB Local created the table without a stream');
  return { db, streamArn };
}

function sourceFor(
  streamArn: string,
  opts: Partial<ConstructorParameters<typeof DynamoDbStreamsSource>[0]> = {},
) {
  const source = new DynamoDbStreamsSource({
    streamArn,
    endpoint,
    ...dynamoDbLocalClientConfig,
    checkpointFile: join(dir, `${streamArn.split('/')[1]}.checkpoint.json`),
    log: silentLogger,
    idleMs: 50,
    retryDelayMs: () => 20,
    ...opts,
  });
  sources.push(source);
  return source;
}

/** A handler that keeps every batch it was given, answering what `answer` says. */
function recorder(answer: (batch: StreamRecord[]) => string | undefined = () => undefined) {
  const batches: StreamRecord[][] = [];
  const handler: StreamBatchHandler = async (event) => {
    batches.push(event.Records);
    const failed = answer(event.Records);
    return { batchItemFailures: failed ? [{ itemIdentifier: failed }] : [] };
  };
  return { batches, handler, records: () => batches.flat() };
}

const sk = (r: StreamRecord) => r.dynamodb?.Keys?.SK?.S;
const seq = (r: StreamRecord) => r.dynamodb!.SequenceNumber!;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-streams-'));
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});
afterAll(() => {
  for (const db of dbs) db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!endpoint)('DynamoDbStreamsSource on DynamoDB Local', () => {
  it('delivers INSERT, MODIFY and REMOVE in order with the old and new images', async () => {
    // Prepare
    const { db, streamArn } = await freshTable();
    const key = { PK: 'TENANT#t1', SK: 'LEAD#l1' };
    // Every attribute type, including an empty map (the SDK drops its member on the way in).
    await db.put({
      ...key,
      stage: 'new',
      name: 'Ada',
      custom: {},
      tags: new Set(['vip']),
      raw: Buffer.from('hi'),
      none: null,
      list: [],
    });
    await db.update(
      key,
      { set: '#stage = :s' },
      { names: { '#stage': 'stage' }, values: { ':s': 'won' } },
    );
    await db.delete(key);
    const seen = recorder();

    // Act
    await sourceFor(streamArn).start(seen.handler);
    const records = await waitFor(async () => seen.records().length >= 3 && seen.records(), {
      what: 'three stream records',
    });

    // Assess
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records as [StreamRecord, StreamRecord, StreamRecord];
    expect(insert.dynamodb?.OldImage).toBeUndefined();
    expect(insert.dynamodb?.NewImage).toEqual({
      PK: { S: key.PK },
      SK: { S: key.SK },
      stage: { S: 'new' },
      name: { S: 'Ada' },
      custom: { M: {} },
      tags: { SS: ['vip'] },
      raw: { B: Buffer.from('hi').toString('base64') },
      none: { NULL: true },
      list: { L: [] },
    });
    expect(modify.dynamodb?.OldImage).toMatchObject({ stage: { S: 'new' } });
    expect(modify.dynamodb?.NewImage).toMatchObject({ stage: { S: 'won' } });
    expect(remove.dynamodb?.OldImage).toMatchObject({ stage: { S: 'won' } });
    expect(remove.dynamodb?.NewImage).toBeUndefined();
    for (const r of records) {
      expect(r.dynamodb?.Keys).toEqual({ PK: { S: key.PK }, SK: { S: key.SK } });
      expect(r.eventSourceARN).toBe(streamArn);
      expect(r.dynamodb?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
      expect(typeof r.dynamodb?.ApproximateCreationDateTime).toBe('number');
    }
    const seqs = records.map((r) => BigInt(seq(r)));
    expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
  });

  it('retries a partial batch failure from the failed record, never redelivering those before it', async () => {
    // Prepare: three writes; the handler fails the second twice.
    const { db, streamArn } = await freshTable();
    for (const n of [1, 2, 3]) await db.put({ PK: 'TENANT#t1', SK: `LEAD#${n}`, n });
    let failuresLeft = 2;
    const seen = recorder((batch) => {
      const second = batch.find((r) => sk(r) === 'LEAD#2');
      if (second && failuresLeft > 0) {
        failuresLeft--;
        return seq(second);
      }
      return undefined;
    });

    // Act
    await sourceFor(streamArn).start(seen.handler);
    await waitFor(async () => seen.batches.length >= 3 && failuresLeft === 0, {
      what: 'the retries',
    });

    // Assess: LEAD#1 once, then LEAD#2 (with what follows it) until it succeeds.
    expect(seen.batches.map((b) => b.map(sk))).toEqual([
      ['LEAD#1', 'LEAD#2', 'LEAD#3'],
      ['LEAD#2', 'LEAD#3'],
      ['LEAD#2', 'LEAD#3'],
    ]);
  });

  it('sends a record whose retries are spent to the on-failure queue and moves on', async () => {
    // Prepare
    const { db, streamArn } = await freshTable();
    for (const n of [1, 2]) await db.put({ PK: 'TENANT#t1', SK: `LEAD#${n}` });
    const dead: string[] = [];
    const deadLetters = {
      sendBatch: async (messages: { body: string }[]) => {
        dead.push(...messages.map((m) => m.body));
        return messages.map((_, i) => ({ messageId: `m${i}` }));
      },
    };
    const seen = recorder((batch) => (sk(batch[0]!) === 'LEAD#1' ? seq(batch[0]!) : undefined));

    // Act
    await sourceFor(streamArn, { retryAttempts: 2, deadLetters }).start(seen.handler);
    await waitFor(
      async () => seen.records().some((r) => sk(r) === 'LEAD#2' && seen.batches.at(-1)?.[0] === r),
      {
        what: 'the record after the dead-lettered one',
      },
    );

    // Assess: one try and two retries, then the description, then LEAD#2 alone.
    expect(seen.batches.map((b) => b.map(sk))).toEqual([
      ['LEAD#1', 'LEAD#2'],
      ['LEAD#1', 'LEAD#2'],
      ['LEAD#1', 'LEAD#2'],
      ['LEAD#2'],
    ]);
    expect(dead).toHaveLength(1);
    const body = JSON.parse(dead[0]!);
    expect(body.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
    expect(body.DDBStreamBatchInfo).toMatchObject({ streamArn, batchSize: 1 });
    expect(body.record.dynamodb.Keys.SK.S).toBe('LEAD#1');
  });

  it('resumes after its checkpoint when started again', async () => {
    // Prepare: two records handled by a first source, which then stops.
    const { db, streamArn } = await freshTable();
    for (const n of [1, 2]) await db.put({ PK: 'TENANT#t1', SK: `LEAD#${n}` });
    const first = recorder();
    const source = sourceFor(streamArn);
    await source.start(first.handler);
    await waitFor(async () => first.records().length >= 2, { what: 'the first two records' });
    await source.stop();
    sources.splice(sources.indexOf(source), 1);
    await db.put({ PK: 'TENANT#t1', SK: 'LEAD#3' });
    await db.put({ PK: 'TENANT#t1', SK: 'LEAD#1', changed: true });

    // Act: a new source on the same checkpoint file.
    const second = recorder();
    await sourceFor(streamArn).start(second.handler);
    await waitFor(async () => second.records().length >= 2, { what: 'the later records' });
    await new Promise((r) => setTimeout(r, 300));

    // Assess: only what came after the checkpoint.
    expect(first.records().map(sk)).toEqual(['LEAD#1', 'LEAD#2']);
    expect(second.records().map((r) => [sk(r), r.eventName])).toEqual([
      ['LEAD#3', 'INSERT'],
      ['LEAD#1', 'MODIFY'],
    ]);
  });

  it('passes over records of items it does not watch without calling the handler', async () => {
    // Prepare
    const { db, streamArn } = await freshTable();
    await db.put({ PK: 'USER#u1', SK: 'PROFILE' });
    await db.put({ PK: 'TENANT#t1', SK: 'LEAD#1' });
    const seen = recorder();

    // Act
    const source = sourceFor(streamArn, { watch: (key) => key.SK.startsWith('LEAD#') });
    await source.start(seen.handler);
    await waitFor(async () => seen.records().length >= 1, { what: 'the lead record' });

    // Assess
    expect(seen.records().map(sk)).toEqual(['LEAD#1']);
    await waitFor(async () => Object.values(source.position.shards).some((s) => s.after), {
      what: 'the checkpoint',
    });
  });
});

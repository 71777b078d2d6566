import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { Item, Key } from '../data/dynamo';
import { silentLogger } from '../log';
import type { StreamBatchHandler } from '../ports/change-stream';
import { ChangeFeed } from './change-feed';

// The change feed's middleware and journal over a table held in a Map: `next` applies the
// command to the map as the database would, so what the feed reads before and after is real.

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const id = (k: Key) => `${k.PK}|${k.SK}`;

function fakeTable() {
  const items = new Map<string, Item>();
  const apply = (input: any) => {
    if (input.Item) {
      const item = unmarshall(input.Item);
      items.set(id(item as Key), item);
    } else if (input.Key && input.Attrs) {
      const key = unmarshall(input.Key) as Key;
      items.set(id(key), { ...(items.get(id(key)) ?? key), ...input.Attrs });
    } else if (input.Key) items.delete(id(unmarshall(input.Key) as Key));
  };
  return { items, apply, read: async (k: Key) => items.get(id(k)) };
}

async function openFeed(dir: string, table: ReturnType<typeof fakeTable>) {
  const feed = await ChangeFeed.open({
    dir,
    tableName: 'T',
    watch: (k) => k.SK.startsWith('LEAD#'),
    log: silentLogger,
    retryDelayMs: () => 5,
    reconcileEveryMs: 20,
  });
  feed.attach(table.read, 'T');
  const handler = feed.middleware.handler;
  const send = (commandName: string, input: any, crash?: 'after-write') =>
    handler(
      async (args: any) => {
        table.apply(args.input);
        if (crash) throw new Error('killed after the write');
        return { output: {} };
      },
      { commandName },
    )({ input: { TableName: 'T', ...input } });
  return { feed, send };
}

const key = { PK: 'TENANT#t', SK: 'LEAD#1' };
const put = (item: Record<string, unknown>) => ({ Item: marshall({ ...key, ...item }) });

function collect(): { handler: StreamBatchHandler; events: DynamoDBStreamEvent[] } {
  const events: DynamoDBStreamEvent[] = [];
  return {
    events,
    handler: async (e) => {
      events.push(JSON.parse(JSON.stringify(e)));
      return { batchItemFailures: [] };
    },
  };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

describe('ChangeFeed', () => {
  it('records INSERT, MODIFY and REMOVE in DynamoDB Streams shape, and nothing for no change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feed-'));
    dirs.push(dir);
    const table = fakeTable();
    const { feed, send } = await openFeed(dir, table);
    await send('PutItemCommand', put({ v: 1 }));
    await send('PutItemCommand', put({ v: 1 })); // same item: no record, as DynamoDB Streams
    await send('UpdateItemCommand', { Key: marshall(key), Attrs: { v: 2 } });
    await send('PutItemCommand', { Item: marshall({ PK: 'TENANT#t', SK: 'NOTE#1', v: 1 }) });
    await send('DeleteItemCommand', { Key: marshall(key) });
    const { handler, events } = collect();
    await feed.start(handler);
    await until(() => events.flatMap((e) => e.Records).length === 3);
    const records = events.flatMap((e) => e.Records);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records;
    expect(insert).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      dynamodb: {
        Keys: { PK: { S: 'TENANT#t' }, SK: { S: 'LEAD#1' } },
        NewImage: { v: { N: '1' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(insert!.dynamodb!.OldImage).toBeUndefined();
    expect(modify!.dynamodb).toMatchObject({
      OldImage: { v: { N: '1' } },
      NewImage: { v: { N: '2' } },
    });
    expect(remove!.dynamodb!.NewImage).toBeUndefined();
    const seqs = records.map((r) => r.dynamodb!.SequenceNumber!);
    expect([...seqs].sort()).toEqual(seqs);
    expect(new Set(records.map((r) => r.eventID)).size).toBe(3);
    expect(records.every((r) => (r.dynamodb!.SizeBytes ?? 0) > 0)).toBe(true);
    await feed.close();
  });

  it('a write killed before its record is journaled still gets it on the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feed-'));
    dirs.push(dir);
    const table = fakeTable();
    const first = await openFeed(dir, table);
    await first.send('PutItemCommand', put({ v: 1 }));
    // The write lands, then the process "dies" before the feed reads the item again: the read
    // before the write works, every read after it fails, so only the intent is journaled.
    let reads = 0;
    first.feed.attach(async (k) => {
      if (++reads > 1) throw new Error('process gone');
      return table.read(k);
    }, 'T');
    await expect(
      first.send('UpdateItemCommand', { Key: marshall(key), Attrs: { v: 2 } }, 'after-write'),
    ).rejects.toThrow();
    expect(table.items.get(id(key))?.v).toBe(2);
    expect(first.feed.pending).toEqual({ intents: 1, records: 1 });
    await first.feed.close();

    // A fresh process on the same journal: the intent of v1 -> v2 is settled from the item.
    const second = await openFeed(dir, table);
    const { handler, events } = collect();
    await second.feed.start(handler);
    await until(() => events.flatMap((e) => e.Records).length === 2);
    const records = events.flatMap((e) => e.Records);
    expect(records.map((r) => [r.eventName, r.dynamodb!.NewImage?.v])).toEqual([
      ['INSERT', { N: '1' }],
      ['MODIFY', { N: '2' }],
    ]);
    await until(() => second.feed.pending.records === 0 && second.feed.pending.intents === 0);
    await second.feed.close();
  });

  it('an intent for a write that never happened settles with no record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feed-'));
    dirs.push(dir);
    const table = fakeTable();
    const { feed } = await openFeed(dir, table);
    const handler = feed.middleware.handler;
    let reads = 0;
    feed.attach(async (k) => {
      if (++reads > 1) throw new Error('gone');
      return table.read(k);
    }, 'T');
    await expect(
      handler(
        async () => {
          throw new Error('the write never reached the table');
        },
        { commandName: 'PutItemCommand' },
      )({ input: { TableName: 'T', ...put({ v: 1 }) } }),
    ).rejects.toThrow();
    expect(feed.pending.intents).toBe(1);
    feed.attach(table.read, 'T');
    await feed.reconcile();
    expect(feed.pending).toEqual({ intents: 0, records: 0 });
    await feed.close();
  });

  it('retries from the record a partial batch response names, in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feed-'));
    dirs.push(dir);
    const table = fakeTable();
    const { feed, send } = await openFeed(dir, table);
    for (let v = 1; v <= 3; v++) await send('PutItemCommand', put({ v }));
    const seen: string[] = [];
    let failOnce = true;
    await feed.start(async (e) => {
      for (const r of e.Records) {
        const v = r.dynamodb!.NewImage!.v!.N!;
        if (v === '2' && failOnce) {
          failOnce = false;
          return { batchItemFailures: [{ itemIdentifier: r.dynamodb!.SequenceNumber! }] };
        }
        seen.push(v);
      }
      return { batchItemFailures: [] };
    });
    await until(() => seen.length === 3);
    expect(seen).toEqual(['1', '2', '3']);
    await feed.close();
  });
});

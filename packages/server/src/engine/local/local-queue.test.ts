import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LocalQueue,
  QueueBatchTooLargeError,
  QueueClosedError,
  QueueEmptyBatchError,
  QueueError,
  QueueInvalidArgumentError,
  QueueInvalidMessageError,
  QueueJournalCorruptError,
  QueueLockedError,
  QueueTooManyEntriesError,
  type LocalQueueOptions,
} from './local-queue';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type TestClock = { now: number; advance(seconds: number): void; fn: () => number };

function testClock(): TestClock {
  const clock: TestClock = {
    now: 1_700_000_000_000,
    advance: (seconds) => void (clock.now += seconds * 1000),
    fn: () => clock.now,
  };
  return clock;
}

const opened: LocalQueue[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-queue-'));
  dirs.push(dir);
  return dir;
}

async function openQueue(opts: Partial<LocalQueueOptions> & { dir: string }): Promise<LocalQueue> {
  const queue = await LocalQueue.open({ name: 'main', visibilityTimeoutSeconds: 30, ...opts });
  opened.push(queue);
  return queue;
}

const bodies = (n: number, prefix = 'm'): { body: string }[] =>
  Array.from({ length: n }, (_, i) => ({ body: `${prefix}-${i}` }));

afterEach(async () => {
  // Sources before their DLQs, as close() documents.
  for (const q of opened.splice(0).reverse()) await q.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('LocalQueue sendBatch', () => {
  it('returns one random UUID per message, in order, and stores the messages', async () => {
    const queue = await openQueue({ dir: tempDir() });
    const sent = await queue.sendBatch([
      { body: 'a' },
      { body: 'b', attributes: { tenant: 't1' } },
    ]);
    expect(sent).toHaveLength(2);
    for (const s of sent) expect(s.messageId).toMatch(UUID);
    expect(sent[0]?.messageId).not.toBe(sent[1]?.messageId);
    expect(queue.list().map((m) => [m.messageId, m.body])).toEqual([
      [sent[0]?.messageId, 'a'],
      [sent[1]?.messageId, 'b'],
    ]);
    expect(queue.stats()).toEqual({ visible: 2, inFlight: 0 });
  });

  it('rejects more than 10 messages, an empty batch, over 1 MiB and invalid bodies', async () => {
    const queue = await openQueue({ dir: tempDir() });
    await expect(queue.sendBatch(bodies(11))).rejects.toBeInstanceOf(QueueTooManyEntriesError);
    await expect(queue.sendBatch([])).rejects.toBeInstanceOf(QueueEmptyBatchError);
    const half = 'x'.repeat(512 * 1024);
    await expect(queue.sendBatch([{ body: half }, { body: `${half}y` }])).rejects.toBeInstanceOf(
      QueueBatchTooLargeError,
    );
    await expect(queue.sendBatch([{ body: '' }])).rejects.toBeInstanceOf(QueueInvalidMessageError);
    await expect(queue.sendBatch([{ body: 'nul\u0000' }])).rejects.toBeInstanceOf(
      QueueInvalidMessageError,
    );
    const err = await queue.sendBatch(bodies(11)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueError);
    expect(err).toMatchObject({
      name: 'QueueTooManyEntriesError',
      code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    });
    // Exactly 10 messages and exactly 1 MiB are fine.
    await expect(queue.sendBatch(bodies(10))).resolves.toHaveLength(10);
    await expect(queue.sendBatch([{ body: half }, { body: half }])).resolves.toHaveLength(2);
    expect(queue.stats().visible).toBe(12);
  });

  it('notifies onSend listeners once the send is durable', async () => {
    const queue = await openQueue({ dir: tempDir() });
    let calls = 0;
    const off = queue.onSend(() => calls++);
    await queue.sendBatch(bodies(3));
    expect(calls).toBe(1);
    off();
    await queue.sendBatch(bodies(1));
    expect(calls).toBe(1);
  });
});

describe('LocalQueue receive', () => {
  it('returns Lambda-shaped SQS records', async () => {
    const clock = testClock();
    const queue = await openQueue({ dir: tempDir(), clock: clock.fn });
    const [sent] = await queue.sendBatch([{ body: '{"x":1}', attributes: { tenantId: 'tn_1' } }]);
    clock.advance(2);
    const [record] = await queue.receive({ maxMessages: 10 });
    expect(record).toEqual({
      messageId: sent?.messageId,
      receiptHandle: expect.any(String),
      body: '{"x":1}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(clock.now - 2000),
        ApproximateFirstReceiveTimestamp: String(clock.now),
        SenderId: 'LOCAL',
      },
      messageAttributes: { tenantId: { stringValue: 'tn_1', dataType: 'String' } },
      md5OfBody: createHash('md5').update('{"x":1}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:main',
      awsRegion: 'local',
    });
  });

  it('returns at most maxMessages and validates it', async () => {
    const queue = await openQueue({ dir: tempDir() });
    await queue.sendBatch(bodies(10));
    await queue.sendBatch(bodies(5, 'n'));
    expect(await queue.receive()).toHaveLength(1);
    expect(await queue.receive({ maxMessages: 10 })).toHaveLength(10);
    expect(await queue.receive({ maxMessages: 10 })).toHaveLength(4);
    expect(await queue.receive({ maxMessages: 10 })).toHaveLength(0);
    await expect(queue.receive({ maxMessages: 11 })).rejects.toBeInstanceOf(
      QueueInvalidArgumentError,
    );
    await expect(queue.receive({ maxMessages: 0 })).rejects.toBeInstanceOf(
      QueueInvalidArgumentError,
    );
  });

  it('hides received messages until the visibility timeout passes, then counts receives', async () => {
    const clock = testClock();
    const queue = await openQueue({
      dir: tempDir(),
      clock: clock.fn,
      visibilityTimeoutSeconds: 30,
    });
    await queue.sendBatch([{ body: 'a' }]);
    const [first] = await queue.receive();
    expect(first?.attributes.ApproximateReceiveCount).toBe('1');
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 1 });
    clock.advance(29);
    expect(await queue.receive()).toEqual([]);
    clock.advance(1);
    const [second] = await queue.receive();
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.attributes.ApproximateReceiveCount).toBe('2');
    expect(second?.attributes.ApproximateFirstReceiveTimestamp).toBe(
      first?.attributes.ApproximateFirstReceiveTimestamp,
    );
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    // The first receipt handle is stale now: deleting with it is ignored.
    expect(await queue.deleteMessage(first?.receiptHandle ?? '')).toBe(false);
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 1 });
    expect(await queue.deleteMessage(second?.receiptHandle ?? '')).toBe(true);
    expect(await queue.deleteMessage(second?.receiptHandle ?? '')).toBe(false);
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('honours a per-receive visibility timeout and changeVisibility', async () => {
    const clock = testClock();
    const queue = await openQueue({ dir: tempDir(), clock: clock.fn });
    await queue.sendBatch([{ body: 'a' }]);
    const [r1] = await queue.receive({ visibilityTimeoutSeconds: 5 });
    clock.advance(5);
    const [r2] = await queue.receive({ visibilityTimeoutSeconds: 5 });
    expect(r2?.attributes.ApproximateReceiveCount).toBe('2');
    expect(await queue.changeVisibility(r1?.receiptHandle ?? '', 100)).toBe(false);
    expect(await queue.changeVisibility(r2?.receiptHandle ?? '', 100)).toBe(true);
    clock.advance(50);
    expect(await queue.receive()).toEqual([]);
    expect(await queue.changeVisibility(r2?.receiptHandle ?? '', 0)).toBe(true);
    const [r3] = await queue.receive();
    expect(r3?.attributes.ApproximateReceiveCount).toBe('3');
    await expect(queue.changeVisibility(r3?.receiptHandle ?? '', 43_201)).rejects.toBeInstanceOf(
      QueueInvalidArgumentError,
    );
  });

  it('still deletes with the latest handle after the timeout expired but before a re-receive', async () => {
    const clock = testClock();
    const queue = await openQueue({ dir: tempDir(), clock: clock.fn });
    await queue.sendBatch([{ body: 'a' }]);
    const [r] = await queue.receive();
    clock.advance(31);
    expect(queue.stats()).toEqual({ visible: 1, inFlight: 0 });
    expect(await queue.deleteMessage(r?.receiptHandle ?? '')).toBe(true);
    expect(await queue.receive()).toEqual([]);
  });

  it('never hands one message to two concurrent receives', async () => {
    const queue = await openQueue({ dir: tempDir() });
    for (let i = 0; i < 5; i++) await queue.sendBatch(bodies(10, `b${i}`));
    const results = await Promise.all(
      Array.from({ length: 8 }, () => queue.receive({ maxMessages: 10 })),
    );
    const ids = results.flat().map((r) => r.messageId);
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
  });
});

describe('LocalQueue dead-letter queue', () => {
  async function openPair(dir: string, clock: TestClock) {
    const dlq = await openQueue({ dir, name: 'main-dlq', clock: clock.fn });
    const main = await openQueue({
      dir,
      clock: clock.fn,
      maxReceiveCount: 2,
      deadLetterQueue: dlq,
    });
    return { main, dlq };
  }

  it('moves a message to the DLQ instead of receiving it past maxReceiveCount', async () => {
    const clock = testClock();
    const dir = tempDir();
    const { main, dlq } = await openPair(dir, clock);
    const [sent] = await main.sendBatch([{ body: 'poison', attributes: { a: 'b' } }]);
    await main.sendBatch([{ body: 'fine' }]);
    for (let i = 1; i <= 2; i++) {
      const records = await main.receive({ maxMessages: 10 });
      const poison = records.find((r) => r.messageId === sent?.messageId);
      expect(poison?.attributes.ApproximateReceiveCount).toBe(String(i));
      // Keep "fine" in flight only on the first round, then delete it.
      const fine = records.find((r) => r.body === 'fine');
      if (fine && i === 2) await main.deleteMessage(fine.receiptHandle);
      clock.advance(30);
    }
    expect(await main.receive({ maxMessages: 10 })).toEqual([]);
    expect(main.stats()).toEqual({ visible: 0, inFlight: 0 });
    const [dead] = dlq.list();
    expect(dead).toMatchObject({
      messageId: sent?.messageId,
      body: 'poison',
      attributes: { a: 'b' },
      receiveCount: 2,
      inFlight: false,
    });

    // Durable on both sides.
    await main.close();
    await dlq.close();
    opened.length = 0;
    const again = await openPair(dir, clock);
    expect(again.main.stats()).toEqual({ visible: 0, inFlight: 0 });
    expect(again.dlq.list().map((m) => m.messageId)).toEqual([sent?.messageId]);
  });

  it('requires maxReceiveCount and deadLetterQueue together', async () => {
    const dir = tempDir();
    const dlq = await openQueue({ dir, name: 'dlq' });
    await expect(
      LocalQueue.open({ dir, name: 'x', visibilityTimeoutSeconds: 30, deadLetterQueue: dlq }),
    ).rejects.toBeInstanceOf(QueueInvalidArgumentError);
    await expect(
      LocalQueue.open({ dir, name: 'x', visibilityTimeoutSeconds: 30, maxReceiveCount: 3 }),
    ).rejects.toBeInstanceOf(QueueInvalidArgumentError);
  });

  it('redrives all or selected messages back with the receive count reset', async () => {
    const clock = testClock();
    const { main, dlq } = await openPair(tempDir(), clock);
    const sent = await main.sendBatch(bodies(3));
    for (let i = 0; i < 3; i++) {
      await main.receive({ maxMessages: 10 });
      clock.advance(30);
    }
    expect(dlq.stats().visible).toBe(3);
    const [a, b, c] = sent.map((s) => s.messageId);

    expect(await dlq.redrive(main, [a ?? '', 'unknown-id'])).toBe(1);
    expect(dlq.list().map((m) => m.messageId)).toEqual([b, c]);
    const [back] = await main.receive({ maxMessages: 10 });
    expect(back?.messageId).toBe(a);
    expect(back?.attributes.ApproximateReceiveCount).toBe('1');

    expect(await dlq.redrive(main)).toBe(2);
    expect(dlq.stats()).toEqual({ visible: 0, inFlight: 0 });
    expect(main.list({ limit: 10 }).map((m) => m.messageId)).toEqual([a, b, c]);
  });

  it('does not duplicate a message that a crash left in both queues', async () => {
    const clock = testClock();
    const dir = tempDir();
    const { main, dlq } = await openPair(dir, clock);
    const [sent] = await main.sendBatch([{ body: 'x' }]);
    for (let i = 0; i < 3; i++) {
      await main.receive();
      clock.advance(30);
    }
    await main.close();
    await dlq.close();
    opened.length = 0;
    // Simulate a crash after the DLQ's redrive wrote to main but before it removed its copy.
    const sendLine = fs
      .readFileSync(path.join(dir, 'main-dlq.journal'), 'utf8')
      .split('\n')
      .find((l) => l.includes('"op":"send"'));
    fs.appendFileSync(path.join(dir, 'main.journal'), `${sendLine}\n`);

    const again = await openPair(dir, clock);
    expect(again.main.list().map((m) => m.messageId)).toEqual([sent?.messageId]);
    await again.dlq.redrive(again.main);
    expect(again.dlq.stats().visible).toBe(0);
    expect(again.main.list().map((m) => m.messageId)).toEqual([sent?.messageId]);
  });
});

describe('LocalQueue durability', () => {
  it('keeps sends, deletes and receive counts across close and reopen', async () => {
    const dir = tempDir();
    const clock = testClock();
    const queue = await openQueue({ dir, clock: clock.fn });
    const sent = await queue.sendBatch(bodies(4));
    const received = await queue.receive({ maxMessages: 2 });
    await queue.deleteMessage(received[0]?.receiptHandle ?? '');
    await queue.close();

    const reopened = await openQueue({ dir, clock: clock.fn });
    // The in-flight message is visible again (as after its timeout), with its count kept.
    expect(reopened.stats()).toEqual({ visible: 3, inFlight: 0 });
    const records = await reopened.receive({ maxMessages: 10 });
    const counts = Object.fromEntries(
      records.map((r) => [r.messageId, r.attributes.ApproximateReceiveCount]),
    );
    expect(counts).toEqual({
      [received[1]?.messageId ?? '']: '2',
      [sent[2]?.messageId ?? '']: '1',
      [sent[3]?.messageId ?? '']: '1',
    });
  });

  it('ignores a torn trailing record and appends cleanly after it', async () => {
    const dir = tempDir();
    const queue = await openQueue({ dir });
    const first = await queue.sendBatch(bodies(3));
    await queue.close();
    const journal = path.join(dir, 'main.journal');
    fs.appendFileSync(journal, '{"op":"send","id":"torn","body":"half-writ');

    const reopened = await openQueue({ dir });
    expect(reopened.list().map((m) => m.messageId)).toEqual(first.map((s) => s.messageId));
    const second = await reopened.sendBatch(bodies(2));
    await reopened.close();
    expect(fs.readFileSync(journal, 'utf8')).not.toContain('torn');

    const third = await openQueue({ dir });
    expect(third.list().map((m) => m.messageId)).toEqual(
      [...first, ...second].map((s) => s.messageId),
    );
  });

  it('refuses a journal with garbage before valid records', async () => {
    const dir = tempDir();
    const queue = await openQueue({ dir });
    await queue.sendBatch(bodies(1));
    await queue.close();
    const journal = path.join(dir, 'main.journal');
    const text = fs.readFileSync(journal, 'utf8');
    fs.writeFileSync(journal, `${text}garbage\n${text.split('\n')[1]}\n`);
    await expect(openQueue({ dir })).rejects.toBeInstanceOf(QueueJournalCorruptError);
  });

  it('compacts the journal without losing live messages or receive counts', async () => {
    const dir = tempDir();
    const queue = await openQueue({ dir, compactAtBytes: 16 * 1024 });
    const keep = await queue.sendBatch([{ body: 'keep-1' }, { body: 'keep-2' }]);
    // In flight (so the churn below cannot delete them) and with a receive count to keep.
    expect(await queue.receive({ maxMessages: 2 })).toHaveLength(2);
    const body = 'y'.repeat(500);
    for (let round = 0; round < 40; round++) {
      await queue.sendBatch(Array.from({ length: 10 }, () => ({ body })));
      for (let n = 0; n < 10;) {
        const records = await queue.receive({ maxMessages: 10 });
        n += records.length;
        await Promise.all(records.map((r) => queue.deleteMessage(r.receiptHandle)));
      }
    }
    // ~40 rounds x 10 x 500 bytes were written; compaction keeps the file near the live size.
    expect(queue.journalBytes).toBeLessThan(40 * 1024);
    await queue.close();
    expect(fs.statSync(path.join(dir, 'main.journal')).size).toBeLessThan(40 * 1024);

    const reopened = await openQueue({ dir });
    const left = reopened.list();
    expect(left.map((m) => m.messageId).sort()).toEqual(keep.map((s) => s.messageId).sort());
    expect(left.map((m) => m.receiveCount)).toEqual([1, 1]);
  });

  it('group-commits concurrent sends and loses none of them', async () => {
    const dir = tempDir();
    const queue = await openQueue({ dir });
    const batches = await Promise.all(
      Array.from({ length: 100 }, (_, i) => queue.sendBatch(bodies(10, `c${i}`))),
    );
    const ids = batches.flat().map((s) => s.messageId);
    expect(new Set(ids).size).toBe(1000);
    await queue.close();
    const reopened = await openQueue({ dir });
    expect(new Set(reopened.list({ limit: 2000 }).map((m) => m.messageId))).toEqual(new Set(ids));
  });

  it('allows one open instance per queue and rejects use after close', async () => {
    const dir = tempDir();
    const queue = await openQueue({ dir });
    await expect(openQueue({ dir })).rejects.toBeInstanceOf(QueueLockedError);
    await queue.close();
    await expect(queue.sendBatch(bodies(1))).rejects.toBeInstanceOf(QueueClosedError);
    await expect(openQueue({ dir })).resolves.toBeInstanceOf(LocalQueue);
  });
});

describe('LocalQueue crash safety', () => {
  // The child sends (16 concurrent producers) and consumes (receive + delete) at full speed and
  // prints each acknowledgement; compaction is forced to run often. We SIGKILL it mid-flight.
  const childSource = (modulePath: string) => `
import { LocalQueue } from ${JSON.stringify(modulePath)};
const queue = await LocalQueue.open({
  dir: process.argv[2], name: 'crash', visibilityTimeoutSeconds: 600, compactAtBytes: 256 * 1024,
});
const out = (text) => process.stdout.write(text);
let n = 0;
async function produce() {
  for (;;) {
    const batch = Array.from({ length: 10 }, () => ({ body: 'msg-' + n++ + '-' + 'x'.repeat(200) }));
    const sent = await queue.sendBatch(batch);
    out(sent.map((s) => 'ack ' + s.messageId + '\\n').join(''));
  }
}
async function consume() {
  for (;;) {
    const records = await queue.receive({ maxMessages: 10 });
    if (records.length === 0) { await new Promise((r) => setTimeout(r, 1)); continue; }
    out(records.map((r) => 'recv ' + r.messageId + '\\n').join(''));
    await Promise.all(records.map(async (r) => {
      if (await queue.deleteMessage(r.receiptHandle)) out('del ' + r.messageId + '\\n');
    }));
  }
}
out('ready\\n');
await Promise.all([...Array.from({ length: 16 }, produce), consume()]);
`;

  it('never loses an acknowledged send or resurrects an acknowledged delete after SIGKILL', async () => {
    const dir = tempDir();
    const script = path.join(dir, 'child.mts');
    fs.writeFileSync(script, childSource(path.join(here, 'local-queue.ts')));
    const child = spawn(process.execPath, ['--import', 'tsx', script, path.join(dir, 'q')], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child too slow: ${stderr}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // Enough traffic to have compacted a few times, with sends and deletes in flight.
        if ((stdout.match(/^del /gm)?.length ?? 0) >= 3000) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Only complete lines count: the last one may be torn.
    const lines = stdout.slice(0, stdout.lastIndexOf('\n')).split('\n');
    const idsOf = (kind: string) =>
      new Set(lines.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length + 1)));
    const acked = idsOf('ack');
    const received = idsOf('recv');
    const deleted = idsOf('del');
    expect(acked.size).toBeGreaterThan(3000);

    const queue = await openQueue({ dir: path.join(dir, 'q'), name: 'crash' });
    const stored = queue.list({ limit: 1_000_000 }).map((m) => m.messageId);
    const storedSet = new Set(stored);
    expect(stored.length).toBe(storedSet.size);
    expect(queue.stats()).toEqual({ visible: stored.length, inFlight: 0 });
    const lost = [...acked].filter((id) => !received.has(id) && !storedSet.has(id));
    const resurrected = [...deleted].filter((id) => storedSet.has(id));
    expect(lost).toEqual([]);
    expect(resurrected).toEqual([]);
    // Received but not yet deleted when killed: still there, count journaled.
    const pending = [...received].filter((id) => !deleted.has(id) && storedSet.has(id));
    for (const m of queue.list({ limit: 1_000_000 })) {
      if (pending.includes(m.messageId)) expect(m.receiveCount).toBe(1);
    }
  }, 60_000);
});

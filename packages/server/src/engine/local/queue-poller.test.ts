import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SqsBatchHandler, SqsBatchResponse, SqsEvent } from '../ports/queue';
import { LocalQueue, type LocalQueueOptions } from './local-queue';
import { InvalidBatchResponseError, QueuePoller, type QueuePollerOptions } from './queue-poller';

type TestClock = { now: number; advance(seconds: number): void; fn: () => number };

function testClock(): TestClock {
  const clock: TestClock = {
    now: 1_700_000_000_000,
    advance: (seconds) => void (clock.now += seconds * 1000),
    fn: () => clock.now,
  };
  return clock;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openQueue(opts: Partial<LocalQueueOptions> = {}): Promise<LocalQueue> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'queue-poller-'));
  if (!opts.dir) cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const queue = await LocalQueue.open({ name: 'main', visibilityTimeoutSeconds: 30, ...opts, dir });
  cleanups.push(() => queue.close());
  return queue;
}

function startPoller(
  queue: LocalQueue,
  handler: SqsBatchHandler,
  opts: QueuePollerOptions = {},
): QueuePoller {
  const poller = new QueuePoller(queue, handler, { idlePollMs: 5, ...opts });
  poller.start();
  cleanups.push(() => poller.stop());
  return poller;
}

const ok: SqsBatchResponse = { batchItemFailures: [] };
const bodies = (n: number, prefix = 'm'): { body: string }[] =>
  Array.from({ length: n }, (_, i) => ({ body: `${prefix}-${i}` }));

describe('QueuePoller', () => {
  it('hands every message to the handler and deletes the handled ones', async () => {
    const queue = await openQueue();
    const seen: string[] = [];
    startPoller(queue, async (event) => {
      seen.push(...event.Records.map((r) => r.body));
      return ok;
    });
    for (let i = 0; i < 5; i++) await queue.sendBatch(bodies(10, `b${i}`));
    await vi.waitFor(() => expect(seen).toHaveLength(50));
    await vi.waitFor(() => expect(queue.stats()).toEqual({ visible: 0, inFlight: 0 }));
    expect(new Set(seen).size).toBe(50);
  });

  it('respects batchSize and maxConcurrency', async () => {
    const queue = await openQueue();
    let active = 0;
    let peak = 0;
    let largest = 0;
    let handled = 0;
    startPoller(
      queue,
      async (event) => {
        active++;
        peak = Math.max(peak, active);
        largest = Math.max(largest, event.Records.length);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        handled += event.Records.length;
        return ok;
      },
      { batchSize: 3, maxConcurrency: 3 },
    );
    for (let i = 0; i < 6; i++) await queue.sendBatch(bodies(10));
    await vi.waitFor(() => expect(handled).toBe(60));
    expect(largest).toBeLessThanOrEqual(3);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it('deletes only the records not reported in batchItemFailures', async () => {
    const clock = testClock();
    const queue = await openQueue({ clock: clock.fn });
    const events: SqsEvent[] = [];
    startPoller(queue, async (event) => {
      events.push(event);
      const failures = event.Records.filter((r) => r.body.startsWith('fail'));
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await queue.sendBatch([{ body: 'ok-1' }, { body: 'fail-1' }, { body: 'ok-2' }]);
    await vi.waitFor(() => expect(queue.stats()).toEqual({ visible: 0, inFlight: 1 }));
    expect(events.flatMap((e) => e.Records.map((r) => r.body)).sort()).toEqual([
      'fail-1',
      'ok-1',
      'ok-2',
    ]);

    // After the visibility timeout the failed record comes back, with its receive count.
    clock.advance(30);
    await vi.waitFor(() => expect(events.length).toBeGreaterThanOrEqual(2));
    const retry = events.at(-1)?.Records;
    expect(retry?.map((r) => [r.body, r.attributes.ApproximateReceiveCount])).toEqual([
      ['fail-1', '2'],
    ]);
  });

  it('deletes nothing when the handler throws', async () => {
    const clock = testClock();
    const queue = await openQueue({ clock: clock.fn });
    const errors: unknown[] = [];
    let calls = 0;
    startPoller(
      queue,
      async () => {
        calls++;
        throw new Error('boom');
      },
      { onError: (e) => errors.push(e) },
    );
    await queue.sendBatch(bodies(4));
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 4 });
    expect(calls).toBe(1);
    clock.advance(30);
    await vi.waitFor(() => expect(errors).toHaveLength(2));
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 4 });
  });

  it('treats an unknown itemIdentifier as a failure of the whole batch, like Lambda', async () => {
    const queue = await openQueue();
    const errors: unknown[] = [];
    startPoller(queue, async () => ({ batchItemFailures: [{ itemIdentifier: 'nope' }] }), {
      onError: (e) => errors.push(e),
    });
    await queue.sendBatch(bodies(2));
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toBeInstanceOf(InvalidBatchResponseError);
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 2 });
  });

  it('moves a message that keeps failing to the dead-letter queue', async () => {
    const clock = testClock();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-poller-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const dlq = await openQueue({ dir, name: 'main-dlq', clock: clock.fn });
    const queue = await openQueue({
      dir,
      clock: clock.fn,
      maxReceiveCount: 3,
      deadLetterQueue: dlq,
    });
    let calls = 0;
    startPoller(queue, async (event) => {
      calls++;
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    const [sent] = await queue.sendBatch([{ body: 'poison' }]);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await vi.waitFor(() => expect(calls).toBe(attempt));
      clock.advance(30);
    }
    await vi.waitFor(() => expect(dlq.list().map((m) => m.messageId)).toEqual([sent?.messageId]));
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 0 });
    expect(calls).toBe(3);
  });

  it('wakes on a send instead of waiting for the idle poll interval', async () => {
    const queue = await openQueue();
    let handledAt = 0;
    startPoller(
      queue,
      async () => {
        handledAt = Date.now();
        return ok;
      },
      { idlePollMs: 60_000 },
    );
    await new Promise((r) => setTimeout(r, 20)); // let the workers go idle
    const sentAt = Date.now();
    await queue.sendBatch(bodies(1));
    await vi.waitFor(() => expect(handledAt).toBeGreaterThan(0), { timeout: 1000 });
    expect(handledAt - sentAt).toBeLessThan(500);
  });

  it('stop() waits for batches in flight and then stops receiving', async () => {
    const queue = await openQueue();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let started = 0;
    const poller = startPoller(queue, async () => {
      started++;
      await gate;
      return ok;
    });
    await queue.sendBatch(bodies(1));
    await vi.waitFor(() => expect(started).toBe(1));

    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(queue.stats()).toEqual({ visible: 0, inFlight: 0 });

    await queue.sendBatch(bodies(1));
    await new Promise((r) => setTimeout(r, 30));
    expect(started).toBe(1);
    expect(queue.stats()).toEqual({ visible: 1, inFlight: 0 });
  });
});

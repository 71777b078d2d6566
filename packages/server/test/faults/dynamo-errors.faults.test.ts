import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoFaultInjector } from '../../src/engine/local/fault-injection';
import type { SqsBatchHandler } from '../../src/engine/ports/queue';
import { createTenant, startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import { faultSeed, flood, seeded, withDuplicates } from './flood';
import { assertWorkloadStored, buildWorkload, storeOutbound } from './workload';

// DynamoDB misbehaving under a flood: throttling (both exceptions), 500s, timeouts before the write
// and lost responses after it, injected into the SDK client's middleware stack with the SDK's own
// retries cut to 2 attempts, so failures reach the processor and go back through the queue.
// Nothing may be lost or doubled.

const secret = 'test-app-secret';
const size = Number(process.env.FAULT_DYNAMO_DELIVERIES ?? 2_000);
const faults = new DynamoFaultInjector({ rate: 0, sdkMaxAttempts: 2, seed: faultSeed });
const failedRecords = { count: 0, batches: 0 };
const countFailures =
  (inner: SqsBatchHandler): SqsBatchHandler =>
  async (event) => {
    const result = await inner(event);
    failedRecords.batches++;
    failedRecords.count += result.batchItemFailures.length;
    return result;
  };

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox({
    dynamoFaults: faults,
    wrapProcessor: countFailures,
    retryDelaySeconds: 0,
  });
});
afterAll(async () => {
  faults.rate = 0;
  await t?.stop();
});

it('loses and doubles nothing while 15% of DynamoDB calls fail', async () => {
  // Prepare: a tenant with a WhatsApp number and an Instagram account; outbound messages stored.
  const rand = seeded(faultSeed);
  const wa = { wabaId: '104000000000501', phoneNumberId: '109000000000501' };
  const ig = { accountId: '17841400000000501' };
  const tenant = await createTenant(t.api, t.adminToken, [
    { type: 'whatsapp', ...wa },
    { type: 'instagram', ...ig },
  ]);
  const workload = buildWorkload(
    size,
    {
      tenantId: tenant.id,
      wa: { ...wa, channelId: tenant.channelIds[0]! },
      ig: { ...ig, channelId: tenant.channelIds[1]! },
    },
    secret,
    rand,
  );
  await storeOutbound(t.sb.db, tenant.id, workload);
  const all = withDuplicates(workload.deliveries, 0.2, rand);

  // Act: faults on, flood, let the queue drain (failed records come straight back: retry delay 0).
  faults.rate = 0.15;
  const acked = new Set<number>();
  const pending = all.map((_, i) => i);
  await flood({
    url: t.sb.url,
    all,
    pending,
    concurrency: 16,
    acked,
    deadline: Date.now() + 300_000,
  });
  expect(pending).toEqual([]);
  const queue = t.sb.queues.incoming;
  await waitFor(async () => queue.stats().visible + queue.stats().inFlight === 0, {
    timeoutMs: 300_000,
    intervalMs: 100,
    what: 'the queue to drain under faults',
  });
  faults.rate = 0;

  // A record unlucky five times in a row is in the DLQ: that is what redrive is for.
  const dead = t.sb.queues.incomingDlq.stats().visible;
  if (dead > 0) {
    expect(await t.sb.dlq.IncomingMessagesQueue.redrive()).toBe(dead);
    await waitFor(async () => queue.stats().visible + queue.stats().inFlight === 0, {
      timeoutMs: 60_000,
      what: 'the redriven records',
    });
  }
  console.info(
    `dynamo faults: ${all.length} deliveries, ${faults.stats.injected} faults in ${faults.stats.attempts} attempts`,
    faults.stats.byKind,
    `records failed and retried: ${failedRecords.count}; dead-lettered and redriven: ${dead}`,
  );

  // Assess: the faults did reach the processor, and the end state is exact.
  expect(faults.stats.injected).toBeGreaterThan(0);
  expect(failedRecords.count).toBeGreaterThan(0);
  expect(t.sb.queues.incomingDlq.stats().visible).toBe(0);
  await assertWorkloadStored(t.api, tenant.token, workload);
});

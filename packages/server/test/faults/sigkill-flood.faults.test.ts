import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { LocalQueue } from '../../src/engine/local/local-queue';
import { silentLogger } from '../../src/engine/log';
import { startSandbox, type Sandbox } from '../../src/engine/sandbox/sandbox';
import { queues } from '../../src/engine/topology';
import { startChildSandbox, type ChildSandbox } from '../helpers/child-sandbox';
import { Api, createTenant, waitFor } from '../helpers/harness';
import { faultSeed, flood, seeded, withDuplicates } from './flood';
import { assertWorkloadStored, buildWorkload, storeOutbound, workloadStored } from './workload';

// A webhook that got a 200 is never lost, however often the process dies: 10k signed webhooks (20%
// duplicates, shuffled) flood `npm start`'s process, which is SIGKILLed at three random points in a
// row. Unacknowledged deliveries are retried after each restart, as Meta does. At the end every
// acknowledged message is stored exactly once, statuses are at their furthest state, the queue is
// drained and the DLQ empty.

const deliveries = Number(process.env.FAULT_KILL_DELIVERIES ?? 10_000);
const kills = 3;
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-sigkill-'));
const env = {
  DATA_DIR: dataDir,
  META_APP_SECRET: 'sigkill-secret',
  META_VERIFY_TOKEN: 'sigkill-verify',
  ADMIN_PASSWORD: 'sigkill-admin-password',
};
const inProcess = (): Promise<Sandbox> =>
  startSandbox({
    dataDir,
    port: 0,
    log: silentLogger,
    metaAppSecret: env.META_APP_SECRET,
    metaVerifyToken: env.META_VERIFY_TOKEN,
    adminPassword: env.ADMIN_PASSWORD,
    retryDelaySeconds: 0,
  });

let child: ChildSandbox | undefined;
let sb: Sandbox | undefined;
afterAll(async () => {
  await child?.kill();
  await sb?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it(`stores every acknowledged webhook once across ${kills} SIGKILLs in a row`, async () => {
  // Prepare (in-process on the data dir the child will use): tenant, channels, outbound messages.
  const rand = seeded(faultSeed);
  sb = await inProcess();
  let api = new Api(sb.url);
  const adminToken = await api.login(sb.admin.email, env.ADMIN_PASSWORD);
  const wa = { wabaId: '104000000000601', phoneNumberId: '109000000000601' };
  const ig = { accountId: '17841400000000601' };
  const tenant = await createTenant(api, adminToken, [
    { type: 'whatsapp', ...wa },
    { type: 'instagram', ...ig },
  ]);
  const workload = buildWorkload(
    Math.round(deliveries * 0.8),
    {
      tenantId: tenant.id,
      wa: { ...wa, channelId: tenant.channelIds[0]! },
      ig: { ...ig, channelId: tenant.channelIds[1]! },
    },
    env.META_APP_SECRET,
    rand,
  );
  await storeOutbound(sb.db, tenant.id, workload);
  await sb.stop();
  sb = undefined;
  const all = withDuplicates(workload.deliveries, 0.2, rand);
  const pending = all.map((_, i) => i);
  const acked = new Set<number>();
  const deadline = Date.now() + 420_000;

  // Act: three rounds against the real `npm start` process, each SIGKILLed once a random share of
  // what is left has been acknowledged (the processor is busy with the backlog at that moment).
  const killedAt: number[] = [];
  for (let round = 0; round < kills; round++) {
    child = await startChildSandbox(env);
    const target = acked.size + Math.max(50, Math.floor(pending.length * (0.1 + rand() * 0.2)));
    let killed = false;
    const sending = flood({
      url: child.url,
      all,
      pending,
      concurrency: 16,
      acked,
      deadline,
      stop: () => killed,
    });
    await waitFor(async () => acked.size >= target, {
      timeoutMs: 120_000,
      intervalMs: 5,
      what: `${target} acknowledgements`,
    });
    await child.kill('SIGKILL');
    killed = true;
    killedAt.push(acked.size);
    await sending;
  }
  // The last restart finishes the flood and drains the queue; in-process so the queue is visible.
  sb = await inProcess();
  await flood({ url: sb.url, all, pending, concurrency: 16, acked, deadline });
  expect(pending).toEqual([]);
  expect(acked.size).toBe(all.length);
  api = new Api(sb.url);
  const running = sb;
  await waitFor(
    async () => {
      const s = running.queues.incoming.stats();
      return s.visible + s.inFlight === 0;
    },
    { timeoutMs: 300_000, intervalMs: 100, what: 'the queue to drain' },
  );
  console.info(`SIGKILLed after ${killedAt.join(', ')} of ${all.length} acknowledgements`);

  // Assess: exact end state through the API, then the queue files themselves after a clean stop.
  expect(await workloadStored(api, tenant.token, workload)).toBe(true);
  await assertWorkloadStored(api, tenant.token, workload);
  await sb.stop();
  sb = undefined;
  const spec = queues.IncomingMessagesQueue;
  const dir = join(dataDir, 'queues');
  const dlq = await LocalQueue.open({
    dir,
    name: `${spec.logicalName}-dlq`,
    visibilityTimeoutSeconds: 30,
  });
  const incoming = await LocalQueue.open({
    dir,
    name: spec.logicalName,
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: spec.maxReceiveCount,
    deadLetterQueue: dlq,
  });
  expect(incoming.stats()).toEqual({ visible: 0, inFlight: 0 });
  expect(dlq.stats()).toEqual({ visible: 0, inFlight: 0 });
  await incoming.close();
  await dlq.close();
});

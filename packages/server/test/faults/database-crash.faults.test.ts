import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/engine/log';
import { startSandbox, type Sandbox } from '../../src/engine/sandbox/sandbox';
import { startChildSandbox, type ChildSandbox } from '../helpers/child-sandbox';
import { Api, createTenant, startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import { faultSeed, flood, seeded, withDuplicates, type Delivery } from './flood';
import { assertWorkloadStored, buildWorkload, storeOutbound, type Workload } from './workload';

// The sandbox's database (dynalite, a child process) SIGKILLed in the middle of a webhook flood.
// 1. Killed three times: the sandbox restarts it each time; webhooks keep getting 200 (they only
//    need the queue), API reads wait through the restart or get an explicit 503 with Retry-After,
//    never a 500; at the end every acknowledged message is stored once and the DLQ is empty.
// 2. Killed until the supervisor gives up: `npm start`'s process exits 1 with a message saying
//    what happened and what to do; started again, it processes everything it had acknowledged.

const secret = 'test-app-secret';
const deliveries = Number(process.env.FAULT_DB_KILL_DELIVERIES ?? 2_000);
const giveUpDeliveries = Number(process.env.FAULT_DB_GIVEUP_DELIVERIES ?? 1_500);
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Statuses = Map<number, number>;
const count = (statuses: Statuses, status: number) =>
  statuses.set(status, (statuses.get(status) ?? 0) + 1);

async function prepare(
  api: Api,
  adminToken: string,
  sb: Sandbox,
  size: number,
  rand: () => number,
  ids: { wabaId: string; phoneNumberId: string; igAccountId: string },
): Promise<{ tenant: { id: string; token: string }; workload: Workload; all: Delivery[] }> {
  const wa = { wabaId: ids.wabaId, phoneNumberId: ids.phoneNumberId };
  const ig = { accountId: ids.igAccountId };
  const tenant = await createTenant(api, adminToken, [
    { type: 'whatsapp', ...wa },
    { type: 'instagram', ...ig },
  ]);
  const workload = buildWorkload(
    Math.round(size * 0.8),
    {
      tenantId: tenant.id,
      wa: { ...wa, channelId: tenant.channelIds[0]! },
      ig: { ...ig, channelId: tenant.channelIds[1]! },
    },
    secret,
    rand,
  );
  await storeOutbound(sb.db, tenant.id, workload);
  return { tenant, workload, all: withDuplicates(workload.deliveries, 0.2, rand) };
}

async function drained(sb: Sandbox, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const s = sb.queues.incoming.stats();
      return s.visible + s.inFlight === 0;
    },
    { timeoutMs, intervalMs: 100, what: 'the queue to drain' },
  );
}

describe('the database child SIGKILLed under a webhook flood', () => {
  it('is restarted each time; nothing acknowledged is lost, no 500 is answered', async () => {
    // Prepare
    const rand = seeded(faultSeed);
    const failedRecords = { count: 0 };
    const t: TestSandbox = await startTestSandbox({
      retryDelaySeconds: 0,
      wrapProcessor: (inner) => async (event, context) => {
        const result = await inner(event, context);
        failedRecords.count += result.batchItemFailures.length;
        return result;
      },
    });
    cleanups.push(() => t.stop());
    const { tenant, workload, all } = await prepare(t.api, t.adminToken, t.sb, deliveries, rand, {
      wabaId: '104000000000701',
      phoneNumberId: '109000000000701',
      igAccountId: '17841400000000701',
    });
    const pending = all.map((_, i) => i);
    const acked = new Set<number>();
    const webhookStatuses: Statuses = new Map();
    const apiStatuses: Statuses = new Map();
    const apiSlowest = { ms: 0 };
    let missingRetryAfter = 0;
    let flooding = true;

    // Act: the flood, an API reader next to it, and three kills at random points of the flood.
    const floodStarted = Date.now();
    const sending = flood({
      url: t.sb.url,
      all,
      pending,
      concurrency: 16,
      acked,
      deadline: Date.now() + 300_000,
      onStatus: (status) => count(webhookStatuses, status),
    }).finally(() => (flooding = false));
    const reading = (async () => {
      while (flooding) {
        const started = Date.now();
        const res = await fetch(`${t.sb.url}/conversations?limit=20`, {
          headers: { authorization: `Bearer ${tenant.token}` },
        });
        await res.arrayBuffer();
        apiSlowest.ms = Math.max(apiSlowest.ms, Date.now() - started);
        count(apiStatuses, res.status);
        if (res.status === 503 && !res.headers.get('retry-after')) missingRetryAfter++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const downtimes: number[] = [];
    for (const share of [0.15, 0.4, 0.65].map((s) => s + rand() * 0.1)) {
      await waitFor(async () => acked.size >= all.length * share, {
        timeoutMs: 120_000,
        intervalMs: 5,
        what: `${Math.round(share * 100)}% acknowledged`,
      });
      const pid = t.sb.database.pid!;
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await waitFor(async () => t.sb.database.state === 'up' && t.sb.database.pid !== pid, {
        timeoutMs: 30_000,
        intervalMs: 5,
        what: 'the database restarted',
      });
      downtimes.push(Date.now() - killedAt);
    }
    await sending;
    await reading;
    const floodMs = Date.now() - floodStarted;
    await drained(t.sb, 300_000);
    const drainMs = Date.now() - floodStarted - floodMs;
    console.info(
      `database SIGKILLed 3 times in a flood of ${all.length}: back after ${downtimes.join(', ')} ms;`,
      'webhook statuses',
      Object.fromEntries(webhookStatuses),
      'API statuses',
      Object.fromEntries(apiStatuses),
      `slowest API answer ${apiSlowest.ms} ms; records failed and retried: ${failedRecords.count};`,
      `flood acknowledged in ${floodMs} ms, queue drained ${drainMs} ms later`,
    );

    // Assess: every delivery acknowledged, no 5xx but the explicit 503 (with Retry-After), the
    // database restarted three times, and the exact end state.
    expect(pending).toEqual([]);
    expect(acked.size).toBe(all.length);
    const serverErrors = (s: Statuses) =>
      [...s.keys()].filter((status) => (status >= 500 && status !== 503) || status === 0);
    expect(serverErrors(webhookStatuses)).toEqual([]);
    expect(serverErrors(apiStatuses)).toEqual([]);
    expect([...apiStatuses.keys()].every((s) => s === 200 || s === 503)).toBe(true);
    expect(missingRetryAfter).toBe(0);
    expect(t.sb.database).toMatchObject({ state: 'up', restarts: 3 });
    expect(t.sb.queues.incomingDlq.stats()).toEqual({ visible: 0, inFlight: 0 });
    await assertWorkloadStored(t.api, tenant.token, workload);
  });

  it('stops `npm start` with a clear message when it keeps dying, and loses nothing', async () => {
    // Prepare (in-process on the data dir the child process will use).
    const rand = seeded(faultSeed + 1);
    const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-dbcrash-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = {
      DATA_DIR: dataDir,
      META_APP_SECRET: secret,
      META_VERIFY_TOKEN: 'dbcrash-verify',
      ADMIN_PASSWORD: 'dbcrash-admin-password',
    };
    const inProcess = () =>
      startSandbox({
        dataDir,
        port: 0,
        log: silentLogger,
        metaAppSecret: env.META_APP_SECRET,
        metaVerifyToken: env.META_VERIFY_TOKEN,
        adminPassword: env.ADMIN_PASSWORD,
        retryDelaySeconds: 0,
      });
    let sb: Sandbox | undefined = await inProcess();
    cleanups.push(() => sb?.stop());
    const api = new Api(sb.url);
    const adminToken = await api.login(sb.admin.email, env.ADMIN_PASSWORD);
    const { tenant, workload, all } = await prepare(api, adminToken, sb, giveUpDeliveries, rand, {
      wabaId: '104000000000702',
      phoneNumberId: '109000000000702',
      igAccountId: '17841400000000702',
    });
    await sb.stop();
    sb = undefined;
    const pending = all.map((_, i) => i);
    const acked = new Set<number>();
    const webhookStatuses: Statuses = new Map();

    // Act: flood `npm start`'s process and kill its database each time it comes back.
    const child: ChildSandbox = await startChildSandbox(env);
    cleanups.push(() => child.kill());
    let exited = false;
    void child.exited.then(() => (exited = true));
    const sending = flood({
      url: child.url,
      all,
      pending,
      concurrency: 16,
      acked,
      deadline: Date.now() + 120_000,
      stop: () => exited,
      onStatus: (status) => count(webhookStatuses, status),
    });
    await waitFor(async () => acked.size >= 20, { timeoutMs: 60_000, what: 'first acks' });
    const killed: number[] = [];
    const killingFrom = Date.now();
    const deadline = killingFrom + 60_000;
    while (!exited && killed.length < 12 && Date.now() < deadline) {
      const pid = child.databasePid();
      if (pid !== undefined && !killed.includes(pid)) {
        process.kill(pid, 'SIGKILL');
        killed.push(pid);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(async () => exited, { timeoutMs: 30_000, what: 'npm start to exit' });
    const exit = await child.exited;
    await sending;
    const output = child.output();
    console.info(
      `database killed ${killed.length} times in ${Date.now() - killingFrom} ms; ` +
        `npm start exited with ${exit.code}; ${acked.size} of ${all.length} acknowledged before`,
      Object.fromEntries(webhookStatuses),
    );

    // Assess: it stopped, non-zero, saying what happened and what to do.
    expect(exit.code).toBe(1);
    expect(killed).toHaveLength(6);
    expect(output).toMatch(/Switchboard sandbox stopped: The sandbox's database \(dynalite/);
    expect(output).toMatch(/died 6 times within 60 s/);
    expect(output).toMatch(/Nothing acknowledged is lost/);
    expect(output).toMatch(/npm start/);
    expect([...webhookStatuses.keys()].filter((s) => s >= 500 && s !== 503)).toEqual([]);
    const ackedBeforeStop = acked.size;

    // Act: started again (as the message says), the rest of the flood goes in and drains.
    sb = await inProcess();
    await flood({
      url: sb.url,
      all,
      pending,
      concurrency: 16,
      acked,
      deadline: Date.now() + 120_000,
    });
    await drained(sb, 120_000);

    // Assess: every acknowledged message stored once, nothing dead-lettered.
    console.info(
      `${ackedBeforeStop} acknowledged before the stop, ${all.length} after the restart`,
    );
    expect(pending).toEqual([]);
    expect(sb.queues.incomingDlq.stats()).toEqual({ visible: 0, inFlight: 0 });
    await assertWorkloadStored(new Api(sb.url), tenant.token, workload);
  });
});

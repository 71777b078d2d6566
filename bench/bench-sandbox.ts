import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../packages/server/src/engine/log';
import type { SqsBatchHandler } from '../packages/server/src/engine/ports/queue';
import type { LeadQueueName } from '../packages/server/src/engine/sandbox/lead-pipeline';
import { startSandbox, type Sandbox } from '../packages/server/src/engine/sandbox/sandbox';
import { Api } from '../packages/server/test/helpers/harness';
import { epochNow } from './lib';

// The sandbox every benchmark measures: `npm start`'s composition in this process, on 127.0.0.1,
// with one tenant and one WhatsApp number. The processor is wrapped only to note when each record
// was stored (its batch returned without reporting it failed), keyed by wamid.

export const benchSecret = 'bench-secret';
export const benchAdminPassword = 'bench-admin-password';

export type BenchTenant = {
  id: string;
  token: string;
  channelIds: string[];
  email: string;
  password: string;
};

export type BenchSandbox = {
  sb: Sandbox;
  api: Api;
  tenant: BenchTenant;
  wabaId: string;
  phoneNumberId: string;
  /** wamid → epoch ms when the processor finished storing it. */
  storedAt: Map<string, number>;
  /** Called with each processor batch's duration (the cost bench bills it as Lambda time). */
  batchTimer: { onBatch?: (ms: number) => void };
  /** Called with each leads-flow consumer batch's duration (LeadStore, LeadMerge, CrmSync). */
  leadBatchTimer: { onBatch?: (queue: LeadQueueName, ms: number) => void };
  queueDepth(): number;
  waitForDrain(timeoutMs?: number): Promise<boolean>;
  /** MediaQueue's visible + in-flight records (attachments still being fetched). */
  mediaQueueDepth(): number;
  waitForMediaDrain(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
};

export async function startBenchSandbox(
  opts: { dataDir?: string; wabaId?: string; phoneNumberId?: string } = {},
): Promise<BenchSandbox> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const storedAt = new Map<string, number>();
  const batchTimer: BenchSandbox['batchTimer'] = {};
  const leadBatchTimer: BenchSandbox['leadBatchTimer'] = {};
  const timeLead =
    (queue: LeadQueueName, inner: SqsBatchHandler): SqsBatchHandler =>
    async (event) => {
      const t0 = performance.now();
      try {
        return await inner(event);
      } finally {
        leadBatchTimer.onBatch?.(queue, performance.now() - t0);
      }
    };
  const record =
    (inner: SqsBatchHandler): SqsBatchHandler =>
    async (event) => {
      const t0 = performance.now();
      const result = await inner(event);
      batchTimer.onBatch?.(performance.now() - t0);
      const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      const now = epochNow();
      for (const r of event.Records) {
        if (failed.has(r.messageId)) continue;
        const wamid = /"id":"(wamid\.[^"]+)"/.exec(r.body)?.[1];
        if (wamid) storedAt.set(wamid, now);
      }
      return result;
    };
  const sb = await startSandbox({
    dataDir,
    port: 0,
    log: silentLogger,
    metaAppSecret: benchSecret,
    adminPassword: benchAdminPassword,
    wrapProcessor: record,
    wrapLeadConsumer: timeLead,
    // Every bench request comes from 127.0.0.1: no per-IP limit on public form submissions.
    leadLimits: {
      perIp: { limit: 1_000_000, windowSeconds: 60 },
      perForm: { limit: 1_000_000, windowSeconds: 60 },
    },
  });
  const api = new Api(sb.url);
  const admin = await api.login(sb.admin.email, benchAdminPassword);
  const wabaId = opts.wabaId ?? '104000000000777';
  const phoneNumberId = opts.phoneNumberId ?? '109000000000777';
  const email = 'owner.bench@bench.example.com';
  const password = 'bench owner password';
  const created = await api.request('POST', '/admin/tenants', {
    token: admin,
    body: { name: 'Bench', ownerEmail: email, ownerPassword: password },
  });
  if (created.status !== 201) throw new Error(`tenant: ${created.status} ${created.text}`);
  const token = await api.login(email, password);
  const channel = await api.request('POST', '/channels', {
    token,
    body: { type: 'whatsapp', wabaId, phoneNumberId, accessToken: 'EAAG-bench-token-0123456789' },
  });
  if (channel.status !== 201) throw new Error(`channel: ${channel.status} ${channel.text}`);
  const tenant: BenchTenant = {
    id: created.json.id,
    token,
    channelIds: [channel.json.id],
    email,
    password,
  };
  const depthOf = (queue: Sandbox['queues']['incoming']) => () => {
    const s = queue.stats();
    return s.visible + s.inFlight;
  };
  const queueDepth = depthOf(sb.queues.incoming);
  const mediaQueueDepth = depthOf(sb.queues.media);
  const drained = async (depth: () => number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (depth() > 0) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  };
  return {
    sb,
    api,
    tenant,
    wabaId,
    phoneNumberId,
    storedAt,
    batchTimer,
    leadBatchTimer,
    queueDepth,
    waitForDrain: (timeoutMs = 120_000) => drained(queueDepth, timeoutMs),
    mediaQueueDepth,
    waitForMediaDrain: (timeoutMs = 120_000) => drained(mediaQueueDepth, timeoutMs),
    async stop() {
      await sb.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

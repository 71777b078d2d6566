import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../packages/server/src/log';
import type { SqsBatchHandler } from '../packages/server/src/ports/queue';
import { startSandbox } from '../packages/server/src/sandbox/sandbox';
import {
  envelope,
  fakeWamid,
  metaJson,
  signMeta,
  waTextEntry,
} from '../packages/server/test/factories/meta';
import { Api, createTenant, waitFor } from '../packages/server/test/helpers/harness';
import { closedLoop, round, summarize } from './lib';

// Webhook ingestion against the sandbox (in this process, on 127.0.0.1), next to a bare node:http
// server doing only the same HMAC check, measured in the same run. Bounded in count and time.

const secret = 'bench-secret';

function bareHmacServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? '').slice(7), 'hex');
      const expected = createHmac('sha256', secret).update(body).digest();
      const ok = given.length === expected.length && timingSafeEqual(given, expected);
      res
        .writeHead(ok ? 200 : 401, { 'content-type': 'text/plain' })
        .end(ok ? 'EVENT_RECEIVED' : 'no');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

export async function benchWebhookIngest(
  opts: { requestsPerLevel?: number; maxMsPerLevel?: number } = {},
) {
  const requestsPerLevel = opts.requestsPerLevel ?? 1500;
  const maxMsPerLevel = opts.maxMsPerLevel ?? 15_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'));
  const storedAt = new Map<string, number>();
  const record: (h: SqsBatchHandler) => SqsBatchHandler = (inner) => async (event) => {
    const result = await inner(event);
    const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    const now = performance.now();
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
    metaAppSecret: secret,
    adminPassword: 'bench-admin-pass',
    wrapProcessor: record,
  });
  const bare = await bareHmacServer();
  try {
    const api = new Api(sb.url);
    const admin = await api.login(sb.admin.email, 'bench-admin-pass');
    const wabaId = '104000000000777';
    const phoneNumberId = '109000000000777';
    const tenant = await createTenant(api, admin, [{ type: 'whatsapp', wabaId, phoneNumberId }]);
    let seq = 0;
    const body = () => {
      const from = `55118${String(seq % 500).padStart(8, '0')}`;
      const wamid = fakeWamid(from);
      const raw = metaJson(
        envelope('whatsapp_business_account', [
          waTextEntry({
            wabaId,
            phoneNumberId,
            from,
            wamid,
            timestamp: 1767225600 + seq++,
            text: 'bench message',
          }),
        ]),
      );
      return { raw, wamid, signature: signMeta(raw, secret) };
    };
    const post = async (url: string, b: { raw: string; signature: string }) => {
      const res = await fetch(`${url}/webhooks/meta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': b.signature },
        body: b.raw,
      });
      await res.text();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    };

    const ack: Record<string, unknown>[] = [];
    for (const concurrency of [1, 16, 64]) {
      const row: Record<string, unknown> = { concurrency };
      for (const [name, url] of [
        ['bare', bare.url],
        ['sandbox', sb.url],
      ] as const) {
        const bodies = Array.from({ length: requestsPerLevel }, body);
        const latencies: number[] = [];
        const run = await closedLoop(concurrency, requestsPerLevel, maxMsPerLevel, async (i) => {
          const t0 = performance.now();
          await post(url, bodies[i]!);
          latencies.push(performance.now() - t0);
        });
        row[name] = {
          perSecond: round((run.done / run.elapsedMs) * 1000, 0),
          ...summarize(latencies),
        };
      }
      const bareRate = (row.bare as { perSecond: number }).perSecond;
      const sbRate = (row.sandbox as { perSecond: number }).perSecond;
      row.ratio = round(sbRate / bareRate, 3);
      ack.push(row);
      // Let the processor catch up so levels do not disturb each other.
      await waitFor(
        async () => sb.queues.incoming.stats().visible + sb.queues.incoming.stats().inFlight === 0,
        { timeoutMs: 300_000, intervalMs: 100 },
      );
    }

    // End to end: POST start → stored by the processor (readable), at a modest offered rate.
    const e2e: number[] = [];
    const sample = Array.from({ length: 200 }, body);
    const postedAt = new Map<string, number>();
    await closedLoop(4, sample.length, 30_000, async (i) => {
      const b = sample[i]!;
      postedAt.set(b.wamid, performance.now());
      await post(sb.url, b);
    });
    await waitFor(async () => sample.every((b) => storedAt.has(b.wamid)), {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    for (const b of sample) e2e.push(storedAt.get(b.wamid)! - postedAt.get(b.wamid)!);
    // Check readability through the API for the last one.
    const convs = await api.request('GET', '/conversations?limit=1', { token: tenant.token });
    if (convs.status !== 200 || convs.json.items.length === 0)
      throw new Error('inbox not readable');

    // DynamoDB requests per inbound text message: new customers, then known ones.
    const writesFor = async (fromBase: string, n: number) => {
      const before = { ...sb.db.counts };
      const msgs = Array.from({ length: n }, (_, i) => {
        const from = `${fromBase}${String(i).padStart(6, '0')}`;
        const wamid = fakeWamid(from);
        return {
          wamid,
          raw: metaJson(
            envelope('whatsapp_business_account', [
              waTextEntry({ wabaId, phoneNumberId, from, wamid, text: 'cost' }),
            ]),
          ),
        };
      });
      for (const m of msgs) await post(sb.url, { raw: m.raw, signature: signMeta(m.raw, secret) });
      await waitFor(async () => msgs.every((m) => storedAt.has(m.wamid)), {
        timeoutMs: 60_000,
        intervalMs: 20,
      });
      const after = sb.db.counts;
      return {
        writesPerMessage: round((after.writes - before.writes) / n),
        readsPerMessage: round((after.reads - before.reads + after.queries - before.queries) / n),
      };
    };
    const newCustomer = await writesFor('55117', 100);
    const knownCustomer = await writesFor('55117', 100).catch(() => undefined);
    return {
      ack,
      endToEndMs: summarize(e2e),
      dynamodb: { newCustomer, knownCustomer: knownCustomer ?? null },
    };
  } finally {
    await new Promise<void>((r) => bare.server.close(() => r()));
    bare.server.closeAllConnections();
    await sb.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchSecret, type BenchSandbox } from './bench-sandbox';
import { generate, round, summarize } from './lib';
import type { BodySpec } from './load-generator';

// Webhook acknowledgement: acknowledged webhooks/s and latency of the sandbox's POST /webhooks/meta
// (signature, envelope, archive, durable enqueue with fsync) next to a bare node:http server doing
// only the same HMAC check, in the same run, at 1, 16 and 64 concurrent senders. Both servers run
// in this process; the load comes from a separate Node process (bench/load-generator.ts).

export const ackMethod =
  'closed loop; the load generator is a separate Node process (bench/load-generator.ts) with ' +
  'keep-alive node:http sockets, bodies built and signed before the clock starts; both servers ' +
  'run in the bench process, dynalite in its own child process';

function bareHmacServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? '').slice(7), 'hex');
      const expected = createHmac('sha256', benchSecret).update(body).digest();
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

export type AckRow = {
  concurrency: number;
  bare: { perSecond: number; p50: number; p99: number; failed: number };
  sandbox: { perSecond: number; p50: number; p99: number; failed: number };
  ratio: number;
};

export async function benchWebhookAck(
  bench: BenchSandbox,
  opts: { requestsPerLevel: number; maxMsPerLevel: number; seqStart: number; nonce: string },
): Promise<AckRow[]> {
  const bare = await bareHmacServer();
  let seq = opts.seqStart;
  const spec = (): BodySpec => ({
    secret: benchSecret,
    wabaId: bench.wabaId,
    phoneNumberId: bench.phoneNumberId,
    fromPrefix: '55118',
    customers: 500,
    seqStart: (seq += opts.requestsPerLevel),
    nonce: opts.nonce,
  });
  const rows: AckRow[] = [];
  try {
    for (const concurrency of [1, 16, 64]) {
      const measure = async (url: string) => {
        const r = await generate({
          mode: 'closed',
          url,
          concurrency,
          count: opts.requestsPerLevel,
          maxMs: opts.maxMsPerLevel,
          body: spec(),
        });
        const lat = summarize(r.samples.filter((s) => s.status === 200).map((s) => s.ackMs));
        return {
          perSecond: round((r.ok / r.elapsedMs) * 1000, 0),
          p50: lat.p50,
          p99: lat.p99,
          failed: r.failed,
        };
      };
      const bareResult = await measure(bare.url);
      const sandboxResult = await measure(bench.sb.url);
      rows.push({
        concurrency,
        bare: bareResult,
        sandbox: sandboxResult,
        ratio: round(sandboxResult.perSecond / bareResult.perSecond, 3),
      });
      // Let the processor catch up so levels do not disturb each other.
      await bench.waitForDrain(300_000);
    }
  } finally {
    bare.server.closeAllConnections();
    await new Promise<void>((r) => bare.server.close(() => r()));
  }
  return rows;
}

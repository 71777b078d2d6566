import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';

// The load generator, run as its own Node process (bench/lib.ts `generate`), so building, signing
// and timing requests never competes with the server's event loop. It reads one job as JSON from
// argv, posts signed Meta webhooks to 127.0.0.1 only, and prints one JSON result on stdout.
//   closed: `concurrency` senders, each waiting for its answer before sending again
//   open:   sends on a fixed schedule (`rate` per second), whatever the answers do; latency is
//           measured from the scheduled time, so a slow server cannot hide its queueing

export type BodySpec = {
  secret: string;
  wabaId: string;
  phoneNumberId: string;
  /** Customer numbers are `<fromPrefix><n % customers>`. */
  fromPrefix: string;
  customers: number;
  /** First sequence number: wamids and timestamps derive from it, so runs never collide. */
  seqStart: number;
  /** Makes wamids unique across bench runs on the same data: `wamid.b<nonce>x<seq base 36>`. */
  nonce: string;
  /**
   * Every `every`-th message (by sequence number) is a WhatsApp image instead of a text: media ids
   * registered in the Meta stand-in, used in turn, with the bytes' SHA-256 as Meta gives it.
   */
  images?: { every: number; mediaIds: string[]; mimeType: string; sha256Base64: string };
};

/** Whether sequence number `seq` is an image message in this spec. */
export function isImage(spec: BodySpec, seq: number): boolean {
  return spec.images !== undefined && (seq - spec.seqStart) % spec.images.every === 0;
}

/** The customer and wamid of sequence number `seq`, so the bench can look a message up. */
export function messageOf(spec: BodySpec, seq: number): { from: string; wamid: string } {
  return {
    from: `${spec.fromPrefix}${String(seq % spec.customers).padStart(6, '0')}`,
    wamid: `wamid.b${spec.nonce}x${seq.toString(36)}`,
  };
}

export type Job =
  | {
      mode: 'closed';
      url: string;
      concurrency: number;
      count: number;
      maxMs: number;
      body: BodySpec;
    }
  | {
      mode: 'open';
      url: string;
      rate: number;
      durationMs: number;
      maxInFlight: number;
      body: BodySpec;
    };

export type Sample = {
  wamid: string;
  /** Epoch ms (performance.timeOrigin + now): comparable across processes on one machine. */
  scheduledAt: number;
  ackMs: number;
  status: number;
};

export type GeneratorResult = {
  mode: Job['mode'];
  elapsedMs: number;
  sent: number;
  ok: number;
  failed: number;
  /** Open loop: sends skipped because `maxInFlight` requests were already waiting. */
  skipped: number;
  samples: Sample[];
};

const epochNow = () => performance.timeOrigin + performance.now();

/** A text, or an image as Meta sends it (`image: { mime_type, sha256, id }`, no URL). */
function content(spec: BodySpec, seq: number): Record<string, unknown> {
  if (!isImage(spec, seq)) return { type: 'text', text: { body: `bench message ${seq}` } };
  const images = spec.images!;
  const k = Math.floor((seq - spec.seqStart) / images.every) % images.mediaIds.length;
  return {
    type: 'image',
    image: { mime_type: images.mimeType, sha256: images.sha256Base64, id: images.mediaIds[k] },
  };
}

/** A WhatsApp webhook, serialised the way Meta does (ASCII only here, so JSON.stringify is it). */
function webhook(spec: BodySpec, seq: number): { raw: string; signature: string; wamid: string } {
  const { from, wamid } = messageOf(spec, seq);
  const raw = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: spec.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: '15550001111',
                phone_number_id: spec.phoneNumberId,
              },
              contacts: [{ profile: { name: `Bench ${seq % spec.customers}` }, wa_id: from }],
              messages: [
                {
                  from,
                  id: wamid,
                  timestamp: String(1767225600 + seq),
                  ...content(spec, seq),
                },
              ],
            },
          },
        ],
      },
    ],
  });
  const signature = `sha256=${createHmac('sha256', spec.secret).update(raw).digest('hex')}`;
  return { raw, signature, wamid };
}

function post(agent: Agent, url: string, raw: string, signature: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/webhooks/meta`,
      {
        method: 'POST',
        agent,
        timeout: 30_000,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(raw),
          'x-hub-signature-256': signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(raw);
  });
}

async function closed(job: Extract<Job, { mode: 'closed' }>): Promise<GeneratorResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  // Bodies are built and signed before the clock starts.
  const bodies = Array.from({ length: job.count }, (_, i) =>
    webhook(job.body, job.body.seqStart + i),
  );
  const samples: Sample[] = [];
  let next = 0;
  const start = performance.now();
  const deadline = start + job.maxMs;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < bodies.length && performance.now() < deadline) {
        const b = bodies[next++]!;
        const t0 = performance.now();
        const scheduledAt = epochNow();
        const status = await post(agent, job.url, b.raw, b.signature);
        samples.push({ wamid: b.wamid, scheduledAt, ackMs: performance.now() - t0, status });
      }
    }),
  );
  agent.destroy();
  const ok = samples.filter((s) => s.status === 200).length;
  return {
    mode: 'closed',
    elapsedMs: performance.now() - start,
    sent: samples.length,
    ok,
    failed: samples.length - ok,
    skipped: 0,
    samples,
  };
}

async function open(job: Extract<Job, { mode: 'open' }>): Promise<GeneratorResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.maxInFlight });
  const total = Math.round((job.rate * job.durationMs) / 1000);
  const bodies = Array.from({ length: total }, (_, i) => webhook(job.body, job.body.seqStart + i));
  const samples: Sample[] = [];
  const pending: Promise<void>[] = [];
  let inFlight = 0;
  let skipped = 0;
  const start = performance.now();
  const startEpoch = epochNow();
  // The bench schedules its API probes from this line (the result follows at the end).
  process.stdout.write(`START ${startEpoch}\n`);
  for (let i = 0; i < total; i++) {
    const dueIn = (i * 1000) / job.rate - (performance.now() - start);
    if (dueIn > 1) await new Promise((r) => setTimeout(r, dueIn));
    if (inFlight >= job.maxInFlight) {
      skipped++;
      continue;
    }
    const b = bodies[i]!;
    const scheduledAt = startEpoch + (i * 1000) / job.rate;
    inFlight++;
    pending.push(
      post(agent, job.url, b.raw, b.signature).then((status) => {
        inFlight--;
        samples.push({ wamid: b.wamid, scheduledAt, ackMs: epochNow() - scheduledAt, status });
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  const ok = samples.filter((s) => s.status === 200).length;
  return {
    mode: 'open',
    elapsedMs: performance.now() - start,
    sent: samples.length,
    ok,
    failed: samples.length - ok,
    skipped,
    samples,
  };
}

// Only when run as the generator process (bench/lib.ts passes the job in argv).
if (process.argv[2] === '--job') {
  const job = JSON.parse(Buffer.from(process.argv[3] ?? '', 'base64url').toString()) as Job;
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(job.url)) throw new Error('load goes to 127.0.0.1 only');
  const result = job.mode === 'closed' ? await closed(job) : await open(job);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

import { createHash, randomBytes } from 'node:crypto';
import { conversationIdOf } from '../packages/server/src/modules/messaging/conversation.repo';
import type { BenchSandbox } from './bench-sandbox';
import { benchSecret } from './bench-sandbox';
import { epochNow, generate, round, summarize } from './lib';
import { isImage, messageOf, type BodySpec } from './load-generator';

// Text latency with media in the mix: one open-loop schedule, in alternating rounds of one run:
// text alone, then every 5th message a WhatsApp image (registered in the Meta stand-in, fetched by
// the media consumer while the texts flow). Both kinds of round measure the same positions (the
// 80% that are texts in a mixed round). The figure is text messages' end-to-end latency
// (scheduled webhook POST -> listed by GET /conversations/{id}/messages) with media over text
// alone; the goal is a ratio of at most 1.10. Each round's images are fetched to the end before
// the next round starts, so a text-alone round never shares the server with a mixed round's
// downloads. Also reported: POST -> stored by the processor for every text, POST -> media ready
// for sampled images, and the sandbox process's CPU per message. All traffic is on 127.0.0.1;
// every loop is bounded in count and time.

export type LatencySummary = {
  n: number;
  /** The sandbox process's CPU per message of the round (all messages, texts and images). */
  cpuMsPerMessage: number;
  storedP50: number;
  storedP99: number;
  visibleP50: number;
  visibleP99: number;
  visibleN: number;
};

export type MediaMixResult = {
  ratePerSecond: number;
  segmentMs: number;
  rounds: number;
  mediaShare: number;
  imageBytes: number;
  messages: number;
  images: number;
  textAlone: LatencySummary;
  textWithMedia: LatencySummary;
  mediaReady: { n: number; p50: number; p99: number; failed: number; notReady: number };
  ratio: { visibleP50: number; visibleP99: number; storedP50: number; storedP99: number };
  goal: string;
  withinGoal: boolean;
  failedPosts: number;
};

/** Bytes that sniff as a JPEG (SOI, a JFIF APP0 segment, filler, EOI): the fetcher checks types. */
export function jpegLike(size: number): Uint8Array {
  const head = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00,
  ]);
  return Buffer.concat([
    head,
    randomBytes(Math.max(0, size - head.length - 2)),
    Buffer.from([0xff, 0xd9]),
  ]);
}

type Probe = { seq: number; dueAt: number; kind: 'text' | 'image' };
type Found = { at: number; failed?: boolean };

/**
 * How often a sample is asked about: every 25 ms for its first half second, then every 100 ms, so
 * a backlog (many samples outstanding) is not made worse by the probe itself.
 */
const pollEveryMs = (outstandingMs: number) => (outstandingMs < 500 ? 25 : 100);

/**
 * Polls the API for each sample from its scheduled send, each sample on its own (so one slow
 * answer never delays another's), every `pollEveryMs`: a text until it is listed, an image until
 * its media is ready (or failed). Samples are few (a handful outstanding at once), so the probe
 * stays a small load beside the one it measures.
 */
function probe(bench: BenchSandbox, body: BodySpec, samples: Probe[]) {
  const found = new Map<number, Found>();
  let stopped = false;
  const channelId = bench.tenant.channelIds[0]!;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
  const check = async (s: Probe): Promise<Found | undefined> => {
    const { from, wamid } = messageOf(body, s.seq);
    const res = await bench.api.request(
      'GET',
      `/conversations/${conversationIdOf(channelId, `wa-${from}`)}/messages?limit=10`,
      { token: bench.tenant.token },
    );
    if (res.status !== 200) return undefined;
    const item = (
      res.json.items as { channelMessageId?: string; media?: { status?: string } }[]
    ).find((m) => m.channelMessageId === wamid);
    if (!item) return undefined;
    if (s.kind === 'text' || item.media?.status === 'ready') return { at: epochNow() };
    if (item.media?.status === 'failed') return { at: epochNow(), failed: true };
    return undefined;
  };
  let runs: Promise<void>[] = [];
  return {
    start: (startEpoch: number) => {
      runs = samples.map(async (s) => {
        await sleep(startEpoch + s.dueAt - epochNow());
        while (!stopped) {
          const polled = epochNow();
          const hit = await check(s);
          if (hit) return void found.set(s.seq, hit);
          await sleep(polled + pollEveryMs(polled - startEpoch - s.dueAt) - epochNow());
        }
      });
    },
    /** Resolves once every sample is found, or `timeoutMs` passed; then stops polling. */
    finish: async (timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (found.size < samples.length && Date.now() < deadline) await sleep(20);
      stopped = true;
      await Promise.all(runs);
    },
    found,
  };
}

type Segment = {
  stored: number[];
  visible: number[];
  ready: number[];
  readyFailed: number;
  readyMissing: number;
  messages: number;
  images: number;
  failedPosts: number;
  /** This process's CPU time (the sandbox: API, processor, fetcher, stand-in) over the round. */
  cpuMs: number;
};

async function segment(
  bench: BenchSandbox,
  o: {
    rate: number;
    durationMs: number;
    seqStart: number;
    nonce: string;
    textProbes: number;
    imageProbes: number;
    mediaEvery: number;
    images?: BodySpec['images'];
  },
): Promise<Segment> {
  const body: BodySpec = {
    secret: benchSecret,
    wabaId: bench.wabaId,
    phoneNumberId: bench.phoneNumberId,
    fromPrefix: '55118',
    customers: 2_000,
    seqStart: o.seqStart,
    nonce: o.nonce,
    ...(o.images ? { images: o.images } : {}),
  };
  const total = Math.round((o.rate * o.durationMs) / 1000);
  const seqs = Array.from({ length: total }, (_, i) => o.seqStart + i);
  const dueAt = (seq: number) => ((seq - o.seqStart) * 1000) / o.rate;
  // The same positions in both kinds of round: the messages that are texts in a mixed round.
  const texts = seqs.filter((s) => (s - o.seqStart) % o.mediaEvery !== 0);
  const textEvery = Math.max(1, Math.floor(texts.length / o.textProbes));
  const samples: Probe[] = texts
    .filter((_, i) => i % textEvery === 0)
    .map((seq) => ({ seq, dueAt: dueAt(seq), kind: 'text' as const }));
  if (o.images) {
    const images = seqs.filter((s) => isImage(body, s));
    const every = Math.max(1, Math.floor(images.length / o.imageProbes));
    samples.push(
      ...images
        .filter((_, i) => i % every === 0)
        .map((seq) => ({ seq, dueAt: dueAt(seq), kind: 'image' as const })),
    );
  }
  const p = probe(bench, body, samples);
  const cpu0 = process.cpuUsage();
  const result = await generate(
    {
      mode: 'open',
      url: bench.sb.url,
      rate: o.rate,
      durationMs: o.durationMs,
      maxInFlight: 512,
      body,
    },
    (epoch) => p.start(epoch),
  );
  await bench.waitForDrain(120_000);
  // The round ends when every image it sent is fetched: nothing of it runs into the next round.
  await bench.waitForMediaDrain(120_000);
  const cpu = process.cpuUsage(cpu0);
  await p.finish(10_000);

  const scheduled = new Map(result.samples.map((s) => [s.wamid, s.scheduledAt]));
  const textWamids = new Set(texts.map((s) => messageOf(body, s).wamid));
  const stored = result.samples
    .filter((s) => s.status === 200 && textWamids.has(s.wamid))
    .map((s) => (bench.storedAt.get(s.wamid) ?? NaN) - s.scheduledAt)
    .filter(Number.isFinite);
  const since = (seq: number, at: number) => at - (scheduled.get(messageOf(body, seq).wamid) ?? at);
  const visible: number[] = [];
  const ready: number[] = [];
  let readyFailed = 0;
  for (const s of samples) {
    const f = p.found.get(s.seq);
    if (!f) continue;
    if (s.kind === 'text') visible.push(since(s.seq, f.at));
    else if (f.failed) readyFailed++;
    else ready.push(since(s.seq, f.at));
  }
  const imageSamples = samples.filter((s) => s.kind === 'image').length;
  return {
    stored,
    visible,
    ready,
    readyFailed,
    readyMissing: imageSamples - ready.length - readyFailed,
    messages: result.sent,
    images: o.images ? seqs.filter((s) => isImage(body, s)).length : 0,
    failedPosts: result.failed + result.skipped,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

function latency(segments: Segment[]): LatencySummary {
  const stored = summarize(segments.flatMap((s) => s.stored));
  const visible = summarize(segments.flatMap((s) => s.visible));
  const messages = segments.reduce((n, s) => n + s.messages, 0);
  return {
    n: stored.n,
    cpuMsPerMessage: round(segments.reduce((n, s) => n + s.cpuMs, 0) / Math.max(1, messages)),
    storedP50: stored.p50,
    storedP99: stored.p99,
    visibleP50: visible.p50,
    visibleP99: visible.p99,
    visibleN: visible.n,
  };
}

export async function benchMediaMix(
  bench: BenchSandbox,
  opts: {
    nonce: string;
    seqStart: number;
    /** Messages per second offered in every round. */
    rate: number;
    segmentMs: number;
    /** Text-alone and mixed rounds, alternating (so drift over the run hits both alike). */
    rounds: number;
    imageBytes: number;
    textProbes: number;
    imageProbes: number;
  },
): Promise<MediaMixResult> {
  const standIn = bench.sb.metaStandIn;
  if (!standIn) throw new Error('the media mix needs the built-in Meta stand-in');
  const every = 5; // 20% images
  const bytes = jpegLike(opts.imageBytes);
  const sha256Base64 = createHash('sha256').update(bytes).digest('base64');
  let seq = opts.seqStart;

  // Warm-up (not counted): JIT, the customers' first conversations, the first media fetch.
  const warmIds = [standIn.media.register(bytes, 'image/jpeg')];
  await segment(bench, {
    rate: opts.rate,
    durationMs: 1_000,
    seqStart: seq,
    nonce: opts.nonce,
    textProbes: 5,
    imageProbes: 1,
    mediaEvery: every,
    images: { every, mediaIds: warmIds, mimeType: 'image/jpeg', sha256Base64 },
  });
  seq += opts.rate * 2;

  const alone: Segment[] = [];
  const mixed: Segment[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    alone.push(
      await segment(bench, {
        rate: opts.rate,
        durationMs: opts.segmentMs,
        seqStart: seq,
        nonce: opts.nonce,
        textProbes: opts.textProbes,
        imageProbes: 0,
        mediaEvery: every,
      }),
    );
    seq += Math.ceil((opts.rate * opts.segmentMs) / 1000) + 1;
    // One registered media id per image message, as Meta would send.
    const images = Math.ceil((opts.rate * opts.segmentMs) / 1000 / every);
    const mediaIds = Array.from({ length: images }, () =>
      standIn.media.register(bytes, 'image/jpeg'),
    );
    mixed.push(
      await segment(bench, {
        rate: opts.rate,
        durationMs: opts.segmentMs,
        seqStart: seq,
        nonce: opts.nonce,
        textProbes: opts.textProbes,
        imageProbes: opts.imageProbes,
        mediaEvery: every,
        images: { every, mediaIds, mimeType: 'image/jpeg', sha256Base64 },
      }),
    );
    seq += Math.ceil((opts.rate * opts.segmentMs) / 1000) + 1;
  }

  const textAlone = latency(alone);
  const textWithMedia = latency(mixed);
  const ready = summarize(mixed.flatMap((s) => s.ready));
  const ratio = {
    visibleP50: round(textWithMedia.visibleP50 / textAlone.visibleP50),
    visibleP99: round(textWithMedia.visibleP99 / textAlone.visibleP99),
    storedP50: round(textWithMedia.storedP50 / textAlone.storedP50),
    storedP99: round(textWithMedia.storedP99 / textAlone.storedP99),
  };
  return {
    ratePerSecond: opts.rate,
    segmentMs: opts.segmentMs,
    rounds: opts.rounds,
    mediaShare: 1 / every,
    imageBytes: opts.imageBytes,
    messages: [...alone, ...mixed].reduce((n, s) => n + s.messages, 0),
    images: mixed.reduce((n, s) => n + s.images, 0),
    textAlone,
    textWithMedia,
    mediaReady: {
      n: ready.n,
      p50: ready.p50,
      p99: ready.p99,
      failed: mixed.reduce((n, s) => n + s.readyFailed, 0),
      notReady: mixed.reduce((n, s) => n + s.readyMissing, 0),
    },
    ratio,
    goal: 'text visible p50 with 20% media ≤ 1.10 × text alone',
    withinGoal: ratio.visibleP50 <= 1.1,
    failedPosts: [...alone, ...mixed].reduce((n, s) => n + s.failedPosts, 0),
  };
}

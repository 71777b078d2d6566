import { conversationIdOf } from '../packages/server/src/modules/messaging/conversation.repo';
import type { BenchSandbox } from './bench-sandbox';
import { benchSecret } from './bench-sandbox';
import { epochNow, generate, round, summarize } from './lib';
import { messageOf, type BodySpec } from './load-generator';

// End to end, open loop: webhooks are sent on a fixed schedule (50, 200, 500 per second) by the
// separate load-generator process, whatever the server does; latency runs from the scheduled send
// to (a) the processor having stored the message (its batch returned: every write acknowledged, so
// a consistent read through the API returns it) for every message, and (b) the message actually
// showing in GET /conversations/{id}/messages, polled by this process for ~20 sampled messages per
// level. Then the offered rate is stepped up until the queue depth keeps growing; dynalite's raw
// PutItem rate in the same run is the ceiling.

export type E2eRow = {
  offeredPerSecond: number;
  sentPerSecond: number;
  ackP50: number;
  ackP99: number;
  storedP50: number;
  storedP99: number;
  apiVisibleP50: number;
  apiVisibleP99: number;
  apiSamples: number;
  maxBacklog: number;
  failed: number;
};

export type StepRow = {
  offeredPerSecond: number;
  backlogAtHalf: number;
  backlogAtEnd: number;
  growthPerSecond: number;
  failed: number;
  growing: boolean;
};

type Opts = { nonce: string; seqStart: number };

function spec(bench: BenchSandbox, o: Opts, seqStart: number): BodySpec {
  return {
    secret: benchSecret,
    wabaId: bench.wabaId,
    phoneNumberId: bench.phoneNumberId,
    fromPrefix: '55117',
    customers: 2_000,
    seqStart,
    nonce: o.nonce,
  };
}

/** Polls the API for sampled messages from their scheduled send time until they show up. */
function apiProbe(bench: BenchSandbox, body: BodySpec, samples: { seq: number; dueAt: number }[]) {
  const found = new Map<number, number>();
  let startEpoch: number | undefined;
  let stopped = false;
  const channelId = bench.tenant.channelIds[0]!;
  const run = (async () => {
    while (!stopped && found.size < samples.length) {
      const now = epochNow();
      const due =
        startEpoch === undefined
          ? []
          : samples.filter((s) => !found.has(s.seq) && startEpoch! + s.dueAt <= now);
      if (due.length === 0) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      for (const s of due) {
        const { from, wamid } = messageOf(body, s.seq);
        const conversationId = conversationIdOf(channelId, `wa-${from}`);
        const res = await bench.api.request(
          'GET',
          `/conversations/${conversationId}/messages?limit=10`,
          {
            token: bench.tenant.token,
          },
        );
        if (
          res.status === 200 &&
          (res.json.items as { channelMessageId?: string }[]).some(
            (m) => m.channelMessageId === wamid,
          )
        ) {
          found.set(s.seq, epochNow());
        }
      }
    }
  })();
  return {
    start: (epoch: number) => (startEpoch = epoch),
    stop: async () => {
      stopped = true;
      await run;
    },
    found,
  };
}

async function openLevel(
  bench: BenchSandbox,
  o: Opts,
  rate: number,
  durationMs: number,
  seqStart: number,
  probes: number,
) {
  const body = spec(bench, o, seqStart);
  const total = Math.round((rate * durationMs) / 1000);
  const every = Math.max(1, Math.floor(total / probes));
  const samples = Array.from({ length: Math.floor(total / every) }, (_, k) => ({
    seq: seqStart + k * every,
    dueAt: (k * every * 1000) / rate,
  }));
  const probe = apiProbe(bench, body, samples);
  let maxBacklog = 0;
  const sampler = setInterval(() => (maxBacklog = Math.max(maxBacklog, bench.queueDepth())), 100);
  const result = await generate(
    { mode: 'open', url: bench.sb.url, rate, durationMs, maxInFlight: 512, body },
    (epoch) => probe.start(epoch),
  );
  await bench.waitForDrain(300_000);
  clearInterval(sampler);
  // Messages stored before the drain finished are all visible now; give the probe a moment.
  const deadline = Date.now() + 10_000;
  while (probe.found.size < samples.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await probe.stop();
  const ok = result.samples.filter((s) => s.status === 200);
  const stored = ok
    .map((s) => (bench.storedAt.get(s.wamid) ?? NaN) - s.scheduledAt)
    .filter(Number.isFinite);
  const scheduled = new Map(result.samples.map((s) => [s.wamid, s.scheduledAt]));
  const visible = [...probe.found].map(
    ([seq, at]) => at - (scheduled.get(messageOf(body, seq).wamid) ?? at),
  );
  const ack = summarize(ok.map((s) => s.ackMs));
  const storedSummary = summarize(stored);
  const visibleSummary = summarize(visible);
  return {
    result,
    row: {
      offeredPerSecond: rate,
      sentPerSecond: round((result.sent / result.elapsedMs) * 1000, 0),
      ackP50: ack.p50,
      ackP99: ack.p99,
      storedP50: storedSummary.p50,
      storedP99: storedSummary.p99,
      apiVisibleP50: visibleSummary.p50,
      apiVisibleP99: visibleSummary.p99,
      apiSamples: visible.length,
      maxBacklog,
      failed: result.failed + result.skipped,
    } satisfies E2eRow,
  };
}

export async function benchEndToEnd(
  bench: BenchSandbox,
  opts: Opts & { rates: number[]; durationMs: number; stepRates: number[]; stepDurationMs: number },
): Promise<{
  levels: E2eRow[];
  steps: StepRow[];
  sustainedPerSecond: number;
  requestsPerMessage: number;
}> {
  let seq = opts.seqStart;
  const levels: E2eRow[] = [];
  const before = { ...bench.sb.db.counts };
  let messages = 0;
  for (const rate of opts.rates) {
    const { row, result } = await openLevel(bench, opts, rate, opts.durationMs, seq, 20);
    seq += result.sent + result.skipped + 1;
    messages += result.ok;
    levels.push(row);
  }
  const after = bench.sb.db.counts;
  const requestsPerMessage = round(
    (after.writes - before.writes + after.reads - before.reads + after.queries - before.queries) /
      Math.max(1, messages),
  );

  // Step the offered rate up until the backlog keeps growing.
  const steps: StepRow[] = [];
  let sustained = 0;
  for (const rate of opts.stepRates) {
    const body = spec(bench, opts, seq);
    const depth: { at: number; depth: number }[] = [];
    const t0 = Date.now();
    const sampler = setInterval(
      () => depth.push({ at: Date.now() - t0, depth: bench.queueDepth() }),
      100,
    );
    const result = await generate({
      mode: 'open',
      url: bench.sb.url,
      rate,
      durationMs: opts.stepDurationMs,
      maxInFlight: 512,
      body,
    });
    clearInterval(sampler);
    seq += result.sent + result.skipped + 1;
    const at = (ms: number) =>
      depth.reduce(
        (best, d) => (Math.abs(d.at - ms) < Math.abs(best.at - ms) ? d : best),
        depth[0]!,
      ).depth;
    const half = at(opts.stepDurationMs / 2);
    const end = at(opts.stepDurationMs);
    const growthPerSecond = round((end - half) / (opts.stepDurationMs / 2000), 1);
    // Growing: the backlog rose by more than 5% of the offered rate per second over the second half.
    // Or more than 1% of the sends went unanswered.
    const failed = result.failed + result.skipped;
    const growing =
      failed > result.sent * 0.01 ||
      (growthPerSecond > Math.max(5, rate * 0.05) && end > rate * 0.2);
    steps.push({
      offeredPerSecond: rate,
      backlogAtHalf: half,
      backlogAtEnd: end,
      failed,
      growthPerSecond,
      growing,
    });
    await bench.waitForDrain(300_000);
    if (growing) break;
    sustained = rate;
  }
  return { levels, steps, sustainedPerSecond: sustained, requestsPerMessage };
}

/** dynalite's raw PutItem rate (small items, 32 concurrent callers) through the same client. */
export async function benchRawPuts(bench: BenchSandbox, durationMs: number): Promise<number> {
  const db = bench.sb.db;
  let done = 0;
  const deadline = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async (_, w) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await db.put({ PK: `BENCH#RAW#${w}`, SK: `ITEM#${i}`, text: 'raw put ceiling', n: i });
        done++;
      }
    }),
  );
  return round((done / (performance.now() - start)) * 1000, 0);
}

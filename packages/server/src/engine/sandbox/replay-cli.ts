import { parseArgs } from 'node:util';
import { adminCliSession } from './admin-cli-session';

// `npm run replay -- --tenant <id> --from <iso> --to <iso>`: replays that workspace's archived
// webhooks through the running sandbox's admin API (POST /admin/replays, the same route AWS
// serves) and prints its progress until it is done.

const usage = `usage: npm run replay -- --tenant <id> --from <iso datetime> --to <iso datetime>
  replays the workspace's webhooks received in [from, to) (at most 31 days); messages already
  stored are not stored again, statuses only move forward`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Replay = {
  id: string;
  status: 'running' | 'done' | 'failed';
  scanned: number;
  matched: number;
  enqueued: number;
  days: number;
  daysListed: number;
  chunks: number;
  chunksDone: number;
  error?: string;
};

const progressOf = (r: Replay) =>
  `${r.status}: days ${r.daysListed}/${r.days}, chunks ${r.chunksDone}/${r.chunks}, ` +
  `scanned ${r.scanned}, matched ${r.matched}, enqueued ${r.enqueued}`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.tenant || !values.from || !values.to) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const session = await adminCliSession();
  if (!session) return 1;
  const { url, headers } = session;
  const started = await fetch(`${url}/admin/replays`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ tenantId: values.tenant, from: values.from, to: values.to }),
  });
  const body = (await started.json()) as Replay & Record<string, unknown>;
  if (started.status !== 202) {
    process.stderr.write(`${JSON.stringify(body)}\n`);
    return 1;
  }
  process.stdout.write(`replay ${body.id} started\n`);
  let replay: Replay = body;
  let last = '';
  for (;;) {
    const line = progressOf(replay);
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
    if (replay.status !== 'running') break;
    await sleep(1000);
    const res = await fetch(`${url}/admin/replays/${encodeURIComponent(replay.id)}`, { headers });
    if (!res.ok) {
      process.stderr.write(`GET /admin/replays/${replay.id}: ${res.status}\n`);
      return 1;
    }
    replay = (await res.json()) as Replay;
  }
  if (replay.status === 'failed') {
    process.stderr.write(`replay failed: ${replay.error ?? 'unknown error'}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();

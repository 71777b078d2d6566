import { parseArgs } from 'node:util';
import { adminCliSession } from './admin-cli-session';

// `npm run dlq -- list|redrive [--queue NAME] [--id ID ...] [--limit N]`
// Talks to the running sandbox's admin API (the same routes work against AWS, where they use SQS).

const usage = `usage: npm run dlq -- <list|redrive> [--queue IncomingMessagesQueue|MediaQueue|CrmSyncQueue|LeadMergeQueue|LeadStoreQueue|ReplayQueue] [--id ID ...] [--limit N]
  list      show the messages waiting in the dead-letter queue
  redrive   move them (all, or the given --id) back to the source queue for another try`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      queue: { type: 'string', default: 'IncomingMessagesQueue' },
      id: { type: 'string', multiple: true },
      limit: { type: 'string', default: '25' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || (command !== 'list' && command !== 'redrive')) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const session = await adminCliSession();
  if (!session) return 1;
  const { url, headers } = session;
  const queue = encodeURIComponent(values.queue ?? 'IncomingMessagesQueue');
  const res =
    command === 'list'
      ? await fetch(`${url}/admin/dlq/${queue}?limit=${encodeURIComponent(values.limit ?? '25')}`, {
          headers,
        })
      : await fetch(`${url}/admin/dlq/${queue}/redrive`, {
          method: 'POST',
          headers,
          body: JSON.stringify(values.id?.length ? { ids: values.id } : {}),
        });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    process.stderr.write(`${JSON.stringify(body)}\n`);
    return 1;
  }
  if (command === 'redrive') {
    process.stdout.write(`moved ${String(body.moved)} message(s) back to ${values.queue}\n`);
    return 0;
  }
  const items = body.items as { id: string; receiveCount: number; sentAt: string; body: string }[];
  if (items.length === 0) process.stdout.write(`${values.queue} DLQ is empty\n`);
  for (const item of items) {
    const preview = item.body.length > 160 ? `${item.body.slice(0, 159)}…` : item.body;
    process.stdout.write(
      `${item.id}  received ${item.receiveCount}x  sent ${item.sentAt}\n  ${preview}\n`,
    );
  }
  return 0;
}

process.exitCode = await main();

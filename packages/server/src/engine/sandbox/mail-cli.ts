import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readEnv } from '../config';
import { FileMailer } from '../local/file-mailer';

// `npm run mail -- list [--limit N]` / `npm run mail -- show <id|latest> [--raw]` / `clear`
// Reads the sandbox's mail where it writes it, `$DATA_DIR/mail/*.eml` (the files the platform
// admin's mailbox page shows), so it works whether or not the sandbox is running.

const usage = `usage: npm run mail -- <list|show|clear> [id|latest] [--limit N] [--raw]
  list            the newest messages, newest first (id, date, to, subject)
  show <id>       one message: headers, its links and the text part (--raw: the whole .eml)
  show latest     the newest message
  clear           delete every kept message`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      limit: { type: 'string', default: '25' },
      raw: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, target] = positionals;
  const known = command === 'list' || command === 'show' || command === 'clear';
  if (values.help || !known || (command === 'show' && !target)) {
    process.stdout.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  const dir = join(readEnv().DATA_DIR, 'mail');
  const mailbox = new FileMailer(dir, { fromAddress: 'no-reply@switchboard.local' });

  if (command === 'clear') {
    process.stdout.write(`deleted ${await mailbox.clear()} message(s) from ${dir}\n`);
    return 0;
  }
  if (command === 'list') {
    const limit = Math.max(1, Math.min(1000, Number(values.limit) || 25));
    const items = await mailbox.list(limit);
    if (items.length === 0) process.stdout.write(`no mail under ${dir}\n`);
    for (const m of items) {
      process.stdout.write(`${m.id}  ${m.date}  ${m.kind ?? '-'}\n  to ${m.to}: ${m.subject}\n`);
    }
    return 0;
  }
  const id = target === 'latest' ? (await mailbox.list(1))[0]?.id : target;
  const message = id ? await mailbox.get(id) : undefined;
  if (!id || !message) {
    process.stderr.write(`no message ${target} under ${dir} (see \`npm run mail -- list\`)\n`);
    return 1;
  }
  if (values.raw) {
    process.stdout.write((await mailbox.raw(id)) ?? '');
    return 0;
  }
  const lines = [
    `Id:      ${message.id}`,
    `Date:    ${message.date}`,
    `From:    ${message.from}`,
    `To:      ${message.to}`,
    `Subject: ${message.subject}`,
    ...(message.kind ? [`Kind:    ${message.kind}`] : []),
    ...message.links.map((link) => `Link:    ${link}`),
    '',
    message.text,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return 0;
}

process.exitCode = await main();

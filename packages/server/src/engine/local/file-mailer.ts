import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  formatAddress,
  type MailMessage,
  type MailSummary,
  type Mailbox,
  type Mailer,
  type OutgoingMail,
  type SentMail,
} from '../ports/mailer';
import { buildMessage, linksOf, parseMessage, type ParsedMessage } from './mime';

// The sandbox's mail: every message an RFC 5322 file `<dataDir>/mail/<id>.eml`, readable by the
// owner only (reset and invitation links are bearer secrets). A file appears whole or not at all:
// it is written and synced aside, then renamed into place. Ids sort by time, newest last.

export type FileMailerOptions = {
  /** The sender address (`no-reply@…`); a message's display name is its own. */
  fromAddress: string;
  /** The Date header's clock (the sandbox's, which tests move). */
  now?: () => Date;
};

const idPattern = /^\d{8}T\d{9}Z-\d{6}-[0-9a-f]{8}$/;
let sequence = 0;

function newId(at: Date): string {
  const stamp = at.toISOString().replace(/[-:.]/g, '');
  sequence = (sequence + 1) % 1_000_000;
  return `${stamp}-${String(sequence).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
}

/** Header names for the tags: `kind` → `X-Switchboard-Kind`, `tenantId` → `X-Switchboard-Tenant-Id`. */
function tagHeader(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').split(/[^A-Za-z0-9]+/);
  return `X-Switchboard-${words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-')}`;
}

function summaryOf(id: string, parsed: ParsedMessage): MailSummary {
  const h = parsed.headers;
  const date = Date.parse(h.get('date') ?? '');
  return {
    id,
    date: Number.isNaN(date) ? '' : new Date(date).toISOString(),
    from: h.get('from') ?? '',
    to: h.get('to') ?? '',
    subject: h.get('subject') ?? '',
    kind: h.get('x-switchboard-kind'),
  };
}

export class FileMailer implements Mailer, Mailbox {
  private readonly tmpDir: string;

  constructor(
    readonly dir: string,
    private readonly opts: FileMailerOptions,
  ) {
    this.tmpDir = join(dir, '.tmp');
  }

  async send(mail: OutgoingMail): Promise<SentMail> {
    const now = this.opts.now?.() ?? new Date();
    // Named by the wall clock, so the order of the files is the order they were written even
    // while a test moves the sandbox's clock (which the Date header shows).
    const id = newId(new Date());
    const domain = this.opts.fromAddress.split('@')[1] ?? 'switchboard.local';
    const raw = buildMessage({
      from: formatAddress({ address: this.opts.fromAddress, name: mail.fromName ?? 'Switchboard' }),
      to: formatAddress(mail.to),
      replyTo: mail.replyTo ? formatAddress(mail.replyTo) : undefined,
      subject: mail.subject,
      date: now,
      messageId: `<${id}@${domain}>`,
      headers: Object.fromEntries(
        Object.entries({ kind: mail.kind, ...mail.tags }).map(([k, v]) => [tagHeader(k), v]),
      ),
      text: mail.text,
      html: mail.html,
    });
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    const aside = join(this.tmpDir, `${id}.partial`);
    const file = await open(aside, 'wx', 0o600);
    try {
      await file.writeFile(raw, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(aside, join(this.dir, `${id}.eml`));
    return { id };
  }

  /** The newest `limit` messages, newest first. */
  async list(limit: number): Promise<MailSummary[]> {
    const ids = (await this.ids()).slice(-limit).reverse();
    const out: MailSummary[] = [];
    for (const id of ids) {
      const parsed = await this.read(id);
      if (parsed) out.push(summaryOf(id, parsed));
    }
    return out;
  }

  async get(id: string): Promise<MailMessage | undefined> {
    const parsed = await this.read(id);
    if (!parsed) return undefined;
    const text = parsed.text ?? '';
    return {
      ...summaryOf(id, parsed),
      messageId: parsed.headers.get('message-id'),
      text,
      html: parsed.html,
      links: linksOf(text),
    };
  }

  /** The raw RFC 5322 text of a message. */
  async raw(id: string): Promise<string | undefined> {
    if (!idPattern.test(id)) return undefined;
    try {
      return await readFile(join(this.dir, `${id}.eml`), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Deletes every kept message (`npm run mail -- clear`). */
  async clear(): Promise<number> {
    const ids = await this.ids();
    await Promise.all(ids.map((id) => rm(join(this.dir, `${id}.eml`), { force: true })));
    return ids.length;
  }

  private async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith('.eml'))
      .map((n) => n.slice(0, -'.eml'.length))
      .filter((id) => idPattern.test(id))
      .sort();
  }

  private async read(id: string): Promise<ParsedMessage | undefined> {
    const raw = await this.raw(id);
    return raw === undefined ? undefined : parseMessage(raw);
  }
}

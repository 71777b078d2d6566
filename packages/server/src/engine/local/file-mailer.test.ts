import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWords, formatAddress } from '../ports/mailer';
import { FileMailer } from './file-mailer';
import { buildMessage, decodeWords, parseMessage } from './mime';

// The sandbox's mail files: RFC 5322 text a mail client (or a test) can read as it is.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function mailer(now = () => new Date('2025-07-01T12:00:00Z')) {
  const dir = mkdtempSync(join(tmpdir(), 'sb-mail-'));
  dirs.push(dir);
  return new FileMailer(join(dir, 'mail'), { fromAddress: 'no-reply@switchboard.local', now });
}

const mail = {
  to: { address: 'ana@example.com', name: 'Ana Souza' },
  subject: 'Olá, Ana: convite para a Padaria São João',
  text: 'Olá!\nAbra o link:\nhttps://app.example.com/invite/?token=inv_abc\n',
  html: '<p>Olá! <a href="https://app.example.com/invite/?token=inv_abc">Abrir</a></p>',
  kind: 'invitation',
  fromName: 'Padaria São João',
  tags: { tenantId: 'tn_1' },
};

describe('FileMailer', () => {
  it('writes one .eml per message, owner-only, whole (no leftover temp file)', async () => {
    const m = mailer();
    const { id } = await m.send(mail);
    const files = readdirSync(m.dir).filter((f) => f.endsWith('.eml'));
    expect(files).toEqual([`${id}.eml`]);
    expect(statSync(join(m.dir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(m.dir, '.tmp'))).toEqual([]);
  });

  it('writes the standard headers, UTF-8 words in headers, CRLF lines, text and HTML parts', async () => {
    const m = mailer();
    const { id } = await m.send(mail);
    const raw = readFileSync(join(m.dir, `${id}.eml`), 'utf8');
    const [head, ...rest] = raw.split('\r\n\r\n');
    expect(raw.replace(/\r\n/g, '')).not.toContain('\n');
    expect(head).toMatch(/^From: =\?UTF-8\?B\?.+\?= <no-reply@switchboard\.local>$/m);
    expect(head).toMatch(
      /^To: "Ana Souza" <ana@example\.com>$|^To: Ana Souza <ana@example\.com>$/m,
    );
    expect(head).toMatch(/^Subject: =\?UTF-8\?B\?/m);
    expect(head).toContain('Date: Tue, 01 Jul 2025 12:00:00 +0000');
    expect(head).toMatch(new RegExp(`^Message-ID: <${id}@switchboard\\.local>$`, 'm'));
    expect(head).toContain('MIME-Version: 1.0');
    expect(head).toContain('X-Switchboard-Kind: invitation');
    expect(head).toContain('X-Switchboard-Tenant-Id: tn_1');
    expect(head).toMatch(/^Content-Type: multipart\/alternative; boundary="[^"]+"$/m);
    for (const line of head!.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    const body = rest.join('\r\n\r\n');
    expect(body).toContain(
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit',
    );
    // The link is readable as it is, on a line of its own.
    expect(body).toContain('\r\nhttps://app.example.com/invite/?token=inv_abc\r\n');
  });

  it('reads back what it wrote: list newest first, get with text, HTML and links', async () => {
    const m = mailer();
    const first = await m.send(mail);
    const second = await m.send({ ...mail, subject: 'Second', kind: 'password_reset' });
    const list = await m.list(10);
    expect(list.map((s) => s.id)).toEqual([second.id, first.id]);
    expect(list[1]).toMatchObject({
      subject: mail.subject,
      from: 'Padaria São João <no-reply@switchboard.local>',
      to: 'Ana Souza <ana@example.com>',
      kind: 'invitation',
      date: '2025-07-01T12:00:00.000Z',
    });
    const got = await m.get(first.id);
    expect(got?.text).toBe(mail.text);
    expect(got?.html).toBe(mail.html);
    expect(got?.links).toEqual(['https://app.example.com/invite/?token=inv_abc']);
    expect(await m.list(1)).toHaveLength(1);
    expect(await m.get('../../etc/passwd')).toBeUndefined();
    expect(await m.clear()).toBe(2);
    expect(await m.list(10)).toEqual([]);
  });

  it('never lets a header value break the header block', async () => {
    const m = mailer();
    const { id } = await m.send({
      ...mail,
      subject: 'Hi\r\nBcc: victim@example.com',
      fromName: 'Evil\r\nX-Injected: yes',
    });
    const raw = readFileSync(join(m.dir, `${id}.eml`), 'utf8');
    expect(raw).not.toMatch(/^Bcc:/m);
    expect(raw).not.toMatch(/^X-Injected:/m);
    expect(() => formatAddress({ address: 'a@b.c>, evil@x.y' })).toThrow();
  });
});

describe('MIME helpers', () => {
  it('encodes long non-ASCII header text in words under 76 characters that decode back', () => {
    const text = 'Açaí '.repeat(30).trim();
    const words = encodeWords(text);
    expect(words.length).toBeGreaterThan(1);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(75);
    expect(decodeWords(words.join(' '))).toBe(text);
    expect(encodeWords('plain ASCII')).toEqual(['plain ASCII']);
  });

  it('falls back to quoted-printable only for a line past 998 octets, and reads it back', () => {
    const long = `${'é'.repeat(600)} end`;
    const raw = buildMessage({
      from: '<a@b.c>',
      to: '<d@e.f>',
      subject: 's',
      date: new Date(0),
      messageId: '<x@b.c>',
      text: long,
      html: '<p>short</p>',
    });
    expect(raw).toContain('Content-Transfer-Encoding: quoted-printable');
    expect(raw).toContain('Content-Transfer-Encoding: 7bit');
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect(parseMessage(raw).text).toBe(long);
    expect(parseMessage(raw).html).toBe('<p>short</p>');
  });
});

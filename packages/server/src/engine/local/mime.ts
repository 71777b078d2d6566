import { randomBytes } from 'node:crypto';
import { encodeWords, headerText } from '../ports/mailer';

// The sandbox's mail as RFC 5322 text (multipart/alternative, RFC 2045-2047), and the reader the
// mailbox uses for it. Lines end in CRLF. A part stays readable as it is (7bit, or 8bit UTF-8)
// unless a line would pass RFC 5322's 998 octets, which only then takes quoted-printable.

export type MessageParts = {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  date: Date;
  messageId: string;
  /** Extra headers (`X-Switchboard-Kind`, ...), written after the standard ones. */
  headers?: Record<string, string>;
  text: string;
  html: string;
};

const crlf = '\r\n';
const maxLineOctets = 998;

/** `Tue, 01 Jul 2025 12:00:00 +0000` (RFC 5322 §3.3, always UTC). */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** One header, its value folded at spaces so lines stay under 78 characters where they can. */
function header(name: string, value: string): string {
  const words = value.split(' ');
  const lines: string[] = [];
  let line = `${name}:`;
  for (const word of words) {
    if (line.length + 1 + word.length > 76 && line.length > name.length + 1) {
      lines.push(line);
      line = '';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines.join(crlf);
}

function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.split(crlf)) {
    let encoded = '';
    const bytes = Buffer.from(line, 'utf8');
    bytes.forEach((byte, i) => {
      const last = i === bytes.length - 1;
      const plain =
        (byte >= 33 && byte <= 126 && byte !== 61) || (!last && (byte === 32 || byte === 9));
      encoded += plain
        ? String.fromCharCode(byte)
        : `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    });
    // Soft breaks keep each line at 76 characters, never inside an `=XX`.
    while (encoded.length > 76) {
      let cut = 75;
      const escape = encoded.lastIndexOf('=', cut - 1);
      if (escape > cut - 3) cut = escape;
      out.push(`${encoded.slice(0, cut)}=`);
      encoded = encoded.slice(cut);
    }
    out.push(encoded);
  }
  return out.join(crlf);
}

function bodyPart(contentType: string, content: string): string {
  const text = content.replace(/\r\n|\r|\n/g, crlf);
  const tooLong = text.split(crlf).some((l) => Buffer.byteLength(l, 'utf8') > maxLineOctets);
  // eslint-disable-next-line no-control-regex
  const isAscii = /^[\u0000-\u007f]*$/.test(text);
  const encoding = tooLong ? 'quoted-printable' : isAscii ? '7bit' : '8bit';
  return [
    `Content-Type: ${contentType}; charset=utf-8`,
    `Content-Transfer-Encoding: ${encoding}`,
    '',
    tooLong ? quotedPrintable(text) : text,
  ].join(crlf);
}

/** The whole message: headers, then the text and HTML alternatives (the richest last). */
export function buildMessage(parts: MessageParts): string {
  const boundary = `=_sb_${randomBytes(12).toString('hex')}`;
  const headers = [
    header('From', parts.from),
    header('To', parts.to),
    ...(parts.replyTo ? [header('Reply-To', parts.replyTo)] : []),
    header('Subject', encodeWords(parts.subject).join(' ')),
    header('Date', rfc5322Date(parts.date)),
    header('Message-ID', parts.messageId),
    'MIME-Version: 1.0',
    ...Object.entries(parts.headers ?? {}).map(([name, value]) =>
      header(name, encodeWords(value).join(' ')),
    ),
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ];
  return [
    ...headers,
    '',
    'This is a multi-part message in MIME format.',
    `--${boundary}`,
    bodyPart('text/plain', parts.text),
    `--${boundary}`,
    bodyPart('text/html', parts.html),
    `--${boundary}--`,
    '',
  ].join(crlf);
}

// ---- reading back what the sandbox wrote (lenient: any CRLF or LF message with these parts)

export type ParsedMessage = {
  headers: Map<string, string>;
  text?: string;
  html?: string;
};

/** `=?UTF-8?B?...?=` and `=?UTF-8?Q?...?=` words back to text. */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(
      /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g,
      (_m, _charset: string, kind: string, data: string) =>
        kind.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64').toString('utf8')
          : Buffer.from(
              data
                .replace(/_/g, ' ')
                .replace(/=([0-9A-Fa-f]{2})/g, (_x, hex: string) =>
                  String.fromCharCode(parseInt(hex, 16)),
                ),
              'latin1',
            ).toString('utf8'),
    );
}

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const text = raw.replace(/\r\n/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 2);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch (encoding?.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable': {
      const joined = body.replace(/=\n/g, '');
      const bytes: number[] = [];
      for (let i = 0; i < joined.length; i++) {
        const hex = joined.slice(i + 1, i + 3);
        if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
          bytes.push(parseInt(hex, 16));
          i += 2;
        } else {
          bytes.push(...Buffer.from(joined[i]!, 'utf8'));
        }
      }
      return Buffer.from(bytes).toString('utf8');
    }
    default:
      return body;
  }
}

function boundaryOf(contentType: string): string | undefined {
  return /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
}

/** Headers (names lower-cased, words decoded) and the text and HTML parts of a message. */
export function parseMessage(raw: string): ParsedMessage {
  const { headers, body } = splitHead(raw);
  for (const [name, value] of headers) headers.set(name, headerText(decodeWords(value)));
  const type = headers.get('content-type') ?? 'text/plain';
  const out: ParsedMessage = { headers };
  const boundary = boundaryOf(type);
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1)
        .filter((p) => !p.startsWith('--'))
        .map((p) => splitHead(p.replace(/^\n/, '')))
    : [{ headers, body }];
  for (const part of parts) {
    const partType = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
    const content = decodeBody(part.body, part.headers.get('content-transfer-encoding')).replace(
      /\n$/,
      '',
    );
    if (partType.startsWith('text/plain')) out.text ??= content;
    else if (partType.startsWith('text/html')) out.html ??= content;
  }
  return out;
}

/** Every http(s) link of a text, in order, without trailing punctuation. */
export function linksOf(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"']+/g)].map((m) => m[0].replace(/[.,;:!?)]+$/, ''));
}

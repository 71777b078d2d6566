// Outgoing e-mail. Deployed, Amazon SES v2 sends it (aws/ses-mailer.ts); in the sandbox every
// message is written as an RFC 5322 file under `$DATA_DIR/mail/` (local/file-mailer.ts), which the
// platform admin's mailbox page and `npm run mail` read back (`Mailbox`).

export type MailAddress = { address: string; name?: string };

export type OutgoingMail = {
  to: MailAddress;
  /** The sender's display name (a workspace's name); the address is the deployment's own. */
  fromName?: string;
  replyTo?: MailAddress;
  subject: string;
  text: string;
  html: string;
  /** What the mail is for (`password_reset`, `invitation`): an SES tag, a header in the sandbox. */
  kind: string;
  /** More tags (ids, never secrets): SES message tags, `X-Switchboard-*` headers in the sandbox. */
  tags?: Record<string, string>;
};

export type SentMail = { id: string };

export type Mailer = {
  /** Resolves once the message is handed over (SES accepted it, or its file is in place). */
  send(mail: OutgoingMail): Promise<SentMail>;
};

/** A kept message as the sandbox's mailbox lists it. */
export type MailSummary = {
  id: string;
  date: string;
  from: string;
  to: string;
  subject: string;
  kind?: string;
};

export type MailMessage = MailSummary & {
  messageId?: string;
  text: string;
  html?: string;
  /** The links of the text part, in order. */
  links: string[];
};

/** The sent mail the sandbox keeps (absent deployed: SES keeps nothing one could read back). */
export type Mailbox = {
  list(limit: number): Promise<MailSummary[]>;
  get(id: string): Promise<MailMessage | undefined>;
};

// ---- header syntax both adapters need (RFC 5322 addresses, RFC 2047 encoded words)

/** Control characters (CR and LF above all) never reach a header: no header injection. */
export function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

const ascii = /^[\u0020-\u007e]*$/;

/**
 * RFC 2047 `B` encoded words for a header value that is not plain ASCII, each at most 75
 * characters and never splitting a UTF-8 sequence; ASCII text is returned as it is.
 */
export function encodeWords(value: string): string[] {
  const text = headerText(value);
  if (ascii.test(text)) return [text];
  const words: string[] = [];
  let chunk = '';
  // 39 bytes of UTF-8 are 52 base64 characters: `=?UTF-8?B?` + 52 + `?=` = 64, so a header
  // line with its name stays under 78 characters.
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > 39) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`);
}

const atext = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;

/** `"Name" <address>` (the name quoted or encoded as needed), or `<address>` alone. */
export function formatAddress(mailbox: MailAddress): string {
  const address = headerText(mailbox.address);
  if (/[\s<>,;"]/.test(address)) throw new Error('not a plain e-mail address');
  const name = mailbox.name ? headerText(mailbox.name) : '';
  if (!name) return `<${address}>`;
  if (!ascii.test(name)) return `${encodeWords(name).join(' ')} <${address}>`;
  if (atext.test(name)) return `${name} <${address}>`;
  return `"${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
}

import { lazy } from '../lazy';
import {
  formatAddress,
  type MailAddress,
  type Mailer,
  type OutgoingMail,
  type SentMail,
} from '../ports/mailer';
import { signRequest, type AwsCredentials } from './sigv4';

// Mail through Amazon SES v2 `SendEmail` (simple content: SES builds the MIME), always through
// the stack's configuration set, from the stack's verified identity. The transport is built on
// first use, so a function that never mails never reads its credentials.

/** SES v2 `SendEmail`'s request, the fields this adapter uses. */
export type SesSendEmailInput = {
  FromEmailAddress: string;
  Destination: { ToAddresses: string[] };
  ReplyToAddresses?: string[];
  Content: {
    Simple: {
      Subject: { Data: string; Charset: 'UTF-8' };
      Body: { Text: { Data: string; Charset: 'UTF-8' }; Html: { Data: string; Charset: 'UTF-8' } };
    };
  };
  ConfigurationSetName: string;
  EmailTags: { Name: string; Value: string }[];
};

/** What sends the request: the signed HTTPS call below, or a stub in tests. */
export type SesTransport = (input: SesSendEmailInput) => Promise<{ MessageId?: string }>;

export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    readonly status: number,
    readonly awsErrorType?: string,
  ) {
    super(message);
  }
}

export type SesMailerConfig = {
  fromAddress: string;
  configurationSet: string;
};

/** SES tags allow ASCII letters, digits, `_` and `-`, up to 256 characters. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) || '_';
}

/** `Name <address>` with a name, the bare address without one. */
function recipient(mailbox: MailAddress): string {
  return mailbox.name ? formatAddress(mailbox) : formatAddress(mailbox).slice(1, -1);
}

export class SesMailer implements Mailer {
  constructor(
    private readonly config: SesMailerConfig,
    private readonly transport: () => Promise<SesTransport>,
  ) {}

  async send(mail: OutgoingMail): Promise<SentMail> {
    const tags = { kind: mail.kind, ...mail.tags };
    const out = await (
      await this.transport()
    )({
      FromEmailAddress: formatAddress({
        address: this.config.fromAddress,
        name: mail.fromName ?? 'Switchboard',
      }),
      Destination: { ToAddresses: [recipient(mail.to)] },
      ReplyToAddresses: mail.replyTo ? [recipient(mail.replyTo)] : undefined,
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: mail.text, Charset: 'UTF-8' },
            Html: { Data: mail.html, Charset: 'UTF-8' },
          },
        },
      },
      ConfigurationSetName: this.config.configurationSet,
      EmailTags: Object.entries(tags).map(([name, value]) => ({
        Name: tagValue(name),
        Value: tagValue(value),
      })),
    });
    return { id: out.MessageId ?? '' };
  }
}

type Env = Record<string, string | undefined>;

/** The function's own credentials, which Lambda puts in its environment. */
function credentialsFrom(env: Env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('no AWS credentials in the environment');
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN };
}

/** `POST /v2/email/outbound-emails`, signed with SigV4, on the function's region's endpoint. */
export function sesHttpTransport(
  env: Env = process.env,
  fetchImpl = fetch,
): () => Promise<SesTransport> {
  return lazy(async () => {
    const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('AWS_REGION is not set');
    const url = new URL(`https://email.${region}.amazonaws.com/v2/email/outbound-emails`);
    return async (input) => {
      const body = JSON.stringify(input);
      const headers = signRequest({
        method: 'POST',
        url,
        body,
        headers: { 'content-type': 'application/json' },
        region,
        service: 'ses',
        // Read per call: Lambda rotates the role's credentials under a running container.
        credentials: credentialsFrom(env),
        at: new Date(),
      });
      delete headers.host;
      const res = await fetchImpl(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(5_000),
      });
      const text = await res.text();
      if (!res.ok) {
        const type = res.headers.get('x-amzn-errortype')?.split(':')[0];
        throw new MailSendError(`SES SendEmail answered ${res.status}`, res.status, type);
      }
      return JSON.parse(text || '{}') as { MessageId?: string };
    };
  });
}

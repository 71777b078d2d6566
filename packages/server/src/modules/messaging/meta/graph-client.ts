import { z } from 'zod';
import {
  GraphApiError,
  GraphTransportError,
  isRetryableKind,
  type GraphErrorBody,
} from './graph-errors';

// The one place that talks to Meta's Graph API: WhatsApp Cloud API sends, Instagram sends, and the
// few reads the product needs (phone number, a WABA's phone numbers, Instagram account, the account
// behind a token, message templates). Base URL and
// version are configuration; the token travels in the Authorization header (never the query
// string, so it cannot leak into access logs). Each attempt has a timeout; only throttling and
// temporary failures are retried, with exponential backoff and full jitter.

/** Newest Graph API version confirmed in Meta's changelog (v26.0, introduced 29 July 2026). */
export const DEFAULT_GRAPH_VERSION = 'v26.0';
export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
/** Instagram API with Instagram Login is served from its own host. */
export const DEFAULT_INSTAGRAM_BASE_URL = 'https://graph.instagram.com';

export type GraphConfig = {
  /** WhatsApp Cloud API and Facebook Graph calls. */
  baseUrl: string;
  /** Instagram messaging calls; the same as `baseUrl` whenever the base is overridden. */
  instagramBaseUrl: string;
  version: string;
  /** Per attempt. */
  timeoutMs?: number;
  /** All attempts of one call together: no retry starts past it (the Api function times out at 15 s). */
  budgetMs?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A Retry-After longer than this is not waited out inside a request: the caller gets it instead. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
};

/** `META_GRAPH_BASE_URL` sends every Graph call (WhatsApp and Instagram) to one base; `META_GRAPH_VERSION` picks the version. */
export function graphConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GraphConfig {
  const base = env.META_GRAPH_BASE_URL?.replace(/\/+$/, '');
  return {
    baseUrl: base || DEFAULT_GRAPH_BASE_URL,
    instagramBaseUrl: base || DEFAULT_INSTAGRAM_BASE_URL,
    version: env.META_GRAPH_VERSION || DEFAULT_GRAPH_VERSION,
  };
}

// ---------------------------------------------------------------- outbound content

export type MediaType = 'image' | 'document' | 'video' | 'audio';

export type OutboundContent =
  | { kind: 'text'; text: string }
  | { kind: 'media'; mediaType: MediaType; url: string; caption?: string; filename?: string }
  | {
      kind: 'template';
      name: string;
      language: string;
      /** Body parameters: positional (`{{1}}`) as an array, named (`{{first_name}}`) as a record. */
      parameters?: string[] | Record<string, string>;
    };

export type WhatsAppSend = {
  phoneNumberId: string;
  /** The customer's wa_id (digits). */
  to: string;
  content: OutboundContent;
  /** Quote this wamid (a reply). */
  replyToChannelMessageId?: string;
};

export type InstagramSend = {
  accountId: string;
  /** The customer's Instagram-scoped id (IGSID). */
  recipientId: string;
  content: Exclude<OutboundContent, { kind: 'template' }>;
};

/** The Cloud API `POST /{phone-number-id}/messages` body. */
export function whatsappMessageBody(send: WhatsAppSend): Record<string, unknown> {
  const body: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: send.to,
  };
  if (send.replyToChannelMessageId) body.context = { message_id: send.replyToChannelMessageId };
  const content = send.content;
  switch (content.kind) {
    case 'text':
      body.type = 'text';
      body.text = { preview_url: /https?:\/\//i.test(content.text), body: content.text };
      break;
    case 'media': {
      const media: Record<string, unknown> = { link: content.url };
      // Audio takes no caption; only documents take a filename.
      if (content.caption && content.mediaType !== 'audio') media.caption = content.caption;
      if (content.filename && content.mediaType === 'document') media.filename = content.filename;
      body.type = content.mediaType;
      body[content.mediaType] = media;
      break;
    }
    case 'template': {
      const template: Record<string, unknown> = {
        name: content.name,
        language: { code: content.language, policy: 'deterministic' },
      };
      const params = content.parameters;
      const parameters = Array.isArray(params)
        ? params.map((text) => ({ type: 'text', text }))
        : params
          ? Object.entries(params).map(([name, text]) => ({
              type: 'text',
              parameter_name: name,
              text,
            }))
          : [];
      if (parameters.length > 0) template.components = [{ type: 'body', parameters }];
      body.type = 'template';
      body.template = template;
      break;
    }
  }
  return body;
}

const igAttachmentType: Record<MediaType, string> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'file',
};

/** The Instagram `POST /{ig-id}/messages` body. */
export function instagramMessageBody(send: InstagramSend): Record<string, unknown> {
  const content = send.content;
  const message =
    content.kind === 'text'
      ? { text: content.text }
      : {
          attachment: {
            type: igAttachmentType[content.mediaType],
            payload: { url: content.url },
          },
        };
  return { recipient: { id: send.recipientId }, message };
}

// ---------------------------------------------------------------- responses

const waSendResponse = z.object({
  messaging_product: z.literal('whatsapp').optional(),
  contacts: z.array(z.object({ input: z.string().optional(), wa_id: z.string().optional() })),
  messages: z
    .array(z.object({ id: z.string().min(1), message_status: z.string().optional() }))
    .min(1),
});

const igSendResponse = z.object({
  recipient_id: z.string().optional(),
  message_id: z.string().min(1),
});

const phoneNumberResponse = z.object({
  id: z.string(),
  display_phone_number: z.string().optional(),
  verified_name: z.string().optional(),
  quality_rating: z.string().optional(),
});
export type PhoneNumberInfo = z.infer<typeof phoneNumberResponse>;

const instagramAccountResponse = z.object({
  id: z.string(),
  username: z.string().optional(),
  name: z.string().optional(),
});
export type InstagramAccountInfo = z.infer<typeof instagramAccountResponse>;

const phoneNumbersPage = z.object({
  data: z.array(phoneNumberResponse),
  paging: z
    .object({
      cursors: z.object({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

/**
 * `GET /me` with an Instagram User access token (Instagram API with Instagram Login): `user_id` is
 * the professional account's id, the one webhooks and sends use; `id` is app-scoped.
 */
const instagramMeResponse = z.object({
  id: z.string(),
  user_id: z.string().optional(),
  username: z.string().optional(),
  name: z.string().optional(),
});
export type InstagramMeInfo = z.infer<typeof instagramMeResponse>;

const templateSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  language: z.string(),
  status: z.string(),
  category: z.string().optional(),
  parameter_format: z.string().optional(),
  components: z.array(z.record(z.string(), z.unknown())).default([]),
});
export type GraphTemplate = z.infer<typeof templateSchema>;

const templatesPage = z.object({
  data: z.array(templateSchema),
  paging: z
    .object({
      cursors: z.object({ after: z.string().optional() }).optional(),
      next: z.string().optional(),
    })
    .optional(),
});

// ---------------------------------------------------------------- the client

type RequestOptions = {
  base: string;
  method: 'GET' | 'POST';
  path: string;
  token: string;
  query?: Record<string, string>;
  body?: unknown;
};

export class GraphClient {
  private readonly timeoutMs: number;
  private readonly budgetMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(readonly config: GraphConfig) {
    this.timeoutMs = config.timeoutMs ?? 5_000;
    this.budgetMs = config.budgetMs ?? 10_000;
    this.maxAttempts = Math.max(1, config.maxAttempts ?? 3);
    this.backoffBaseMs = config.backoffBaseMs ?? 250;
    this.backoffMaxMs = config.backoffMaxMs ?? 2_000;
    this.maxRetryAfterMs = config.maxRetryAfterMs ?? 2_000;
    this.fetchImpl = config.fetch ?? fetch;
    this.sleep = config.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = config.random ?? Math.random;
  }

  async sendWhatsApp(
    token: string,
    send: WhatsAppSend,
  ): Promise<{ channelMessageId: string; waId?: string; messageStatus?: string }> {
    const raw = await this.request({
      base: this.config.baseUrl,
      method: 'POST',
      path: `${encodeURIComponent(send.phoneNumberId)}/messages`,
      token,
      body: whatsappMessageBody(send),
    });
    const parsed = parseOrThrow(waSendResponse, raw);
    const message = parsed.messages[0]!;
    return {
      channelMessageId: message.id,
      waId: parsed.contacts[0]?.wa_id,
      messageStatus: message.message_status,
    };
  }

  async sendInstagram(
    token: string,
    send: InstagramSend,
  ): Promise<{ channelMessageId: string; recipientId?: string }> {
    const raw = await this.request({
      base: this.config.instagramBaseUrl,
      method: 'POST',
      path: `${encodeURIComponent(send.accountId)}/messages`,
      token,
      body: instagramMessageBody(send),
    });
    const parsed = parseOrThrow(igSendResponse, raw);
    return { channelMessageId: parsed.message_id, recipientId: parsed.recipient_id };
  }

  async getPhoneNumber(token: string, phoneNumberId: string): Promise<PhoneNumberInfo> {
    const raw = await this.request({
      base: this.config.baseUrl,
      method: 'GET',
      path: encodeURIComponent(phoneNumberId),
      token,
      query: { fields: 'id,display_phone_number,verified_name,quality_rating' },
    });
    return parseOrThrow(phoneNumberResponse, raw);
  }

  async getInstagramAccount(token: string, accountId: string): Promise<InstagramAccountInfo> {
    const raw = await this.request({
      base: this.config.instagramBaseUrl,
      method: 'GET',
      path: encodeURIComponent(accountId),
      token,
      query: { fields: 'id,username,name' },
    });
    return parseOrThrow(instagramAccountResponse, raw);
  }

  /**
   * The phone numbers of a WABA that this token may see (`GET /{waba-id}/phone_numbers`), following
   * the `after` cursor for at most `maxPages` pages of 100. A token without access to the WABA gets
   * Meta's code 100 (unknown object or missing permission), like an id that does not exist.
   */
  async listPhoneNumbers(token: string, wabaId: string, maxPages = 20): Promise<PhoneNumberInfo[]> {
    const out: PhoneNumberInfo[] = [];
    let after: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const raw = await this.request({
        base: this.config.baseUrl,
        method: 'GET',
        path: `${encodeURIComponent(wabaId)}/phone_numbers`,
        token,
        query: {
          fields: 'id,display_phone_number,verified_name,quality_rating',
          limit: '100',
          ...(after ? { after } : {}),
        },
      });
      const parsed = parseOrThrow(phoneNumbersPage, raw);
      out.push(...parsed.data);
      after = parsed.paging?.cursors?.after;
      if (!parsed.paging?.next || !after) break;
    }
    return out;
  }

  /** The Instagram account behind a token (`GET /me`): whom the token speaks for, whatever it can read. */
  async getInstagramMe(token: string): Promise<InstagramMeInfo> {
    const raw = await this.request({
      base: this.config.instagramBaseUrl,
      method: 'GET',
      path: 'me',
      token,
      query: { fields: 'id,user_id,username,name' },
    });
    return parseOrThrow(instagramMeResponse, raw);
  }

  /** Every template of a WABA (all statuses), following the `after` cursor for at most `maxPages` pages. */
  async listTemplates(token: string, wabaId: string, maxPages = 10): Promise<GraphTemplate[]> {
    const out: GraphTemplate[] = [];
    let after: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const raw = await this.request({
        base: this.config.baseUrl,
        method: 'GET',
        path: `${encodeURIComponent(wabaId)}/message_templates`,
        token,
        query: {
          fields: 'id,name,language,status,category,parameter_format,components',
          limit: '100',
          ...(after ? { after } : {}),
        },
      });
      const parsed = parseOrThrow(templatesPage, raw);
      out.push(...parsed.data);
      after = parsed.paging?.cursors?.after;
      // The cursor is followed (not `next`, an absolute URL) so a configured base URL is kept.
      if (!parsed.paging?.next || !after) break;
    }
    return out;
  }

  private async request(opts: RequestOptions): Promise<unknown> {
    const deadline = Date.now() + this.budgetMs;
    for (let attempt = 1; ; attempt++) {
      const timeoutMs = Math.max(1, Math.min(this.timeoutMs, deadline - Date.now()));
      try {
        return await this.attempt(opts, timeoutMs);
      } catch (err) {
        const delay = this.retryDelay(err, opts, attempt);
        // A retry that could not finish within the budget is not started.
        if (delay === undefined || Date.now() + delay >= deadline) throw err;
        await this.sleep(delay);
      }
    }
  }

  /** How long to wait before the next attempt, or undefined when the error is final. */
  private retryDelay(err: unknown, opts: RequestOptions, attempt: number): number | undefined {
    if (attempt >= this.maxAttempts) return undefined;
    if (err instanceof GraphTransportError) {
      // A timed-out POST may have reached Meta: sending it again could deliver it twice.
      if (err.reason === 'timeout' && opts.method !== 'GET') return undefined;
      return this.backoff(attempt);
    }
    if (!(err instanceof GraphApiError) || !isRetryableKind(err.kind)) return undefined;
    if (err.retryAfterSeconds !== undefined) {
      const ms = err.retryAfterSeconds * 1000;
      return ms <= this.maxRetryAfterMs ? ms : undefined;
    }
    return this.backoff(attempt);
  }

  /** Exponential backoff with full jitter. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (attempt - 1));
    return Math.floor(this.random() * cap);
  }

  private async attempt(opts: RequestOptions, timeoutMs: number): Promise<unknown> {
    const url = new URL(`${opts.base}/${this.config.version}/${opts.path}`);
    for (const [key, value] of Object.entries(opts.query ?? {})) url.searchParams.set(key, value);
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: opts.method,
        headers: {
          authorization: `Bearer ${opts.token}`,
          accept: 'application/json',
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new GraphTransportError('timeout', `Graph API did not answer within ${timeoutMs} ms`);
      }
      throw new GraphTransportError('network', `Graph API unreachable: ${(err as Error).message}`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw new GraphTransportError(
        'network',
        `Graph API response was cut: ${(err as Error).message}`,
      );
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const errorBody = (json as { error?: GraphErrorBody } | undefined)?.error;
    if (!response.ok || errorBody) {
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      const body = errorBody && typeof errorBody === 'object' ? errorBody : undefined;
      throw new GraphApiError(response.status, body, retryAfter);
    }
    return json;
  }
}

function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function parseOrThrow<T>(schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new GraphApiError(200, {
      message: `unexpected Graph API response: ${result.error.issues[0]?.message ?? 'invalid'}`,
    });
  }
  return result.data;
}

import type { MediaKind, OutboundInteractive } from '@switchboard/contracts';
import { z } from 'zod';
import {
  GraphApiError,
  GraphTransportError,
  isRetryableKind,
  type GraphErrorBody,
} from './graph-errors';

// The one place that talks to Meta's Graph API: WhatsApp Cloud API sends (text, media by link or
// by an upload's id, templates with header and button parameters, interactive messages,
// reactions), media uploads, read receipts and typing indicators; Instagram sends (text,
// attachments, quick replies, replies) and sender actions (seen, typing, reactions); and the
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
  /** Per attempt of a media upload to Meta (a 100 MB document takes a while). */
  uploadTimeoutMs?: number;
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

export type MediaType = MediaKind;

/** A template's header parameter: its text, or its media by Meta media id or by link. */
export type TemplateHeaderContent =
  | {
      type: 'text';
      text: string;
      /** Named-parameter templates name the header's one variable. */
      parameterName?: string;
    }
  | {
      type: 'image' | 'video' | 'document';
      /** Meta's media id (an upload to the sending number), or a link Meta downloads. */
      id?: string;
      link?: string;
      filename?: string;
    };

/** A dynamic button's parameter, by the button's index in the template. */
export type TemplateButtonContent =
  | { subType: 'quick_reply'; index: number; payload: string }
  | { subType: 'url'; index: number; text: string };

export type OutboundContent =
  | { kind: 'text'; text: string }
  | {
      kind: 'media';
      mediaType: MediaType;
      /** A link Meta downloads (WhatsApp), or the attachment URL (Instagram). */
      url?: string;
      /** Meta's media id of an upload to the sending number (WhatsApp). */
      id?: string;
      caption?: string;
      filename?: string;
    }
  | {
      kind: 'template';
      name: string;
      language: string;
      /** Body parameters: positional (`{{1}}`) as an array, named (`{{first_name}}`) as a record. */
      parameters?: string[] | Record<string, string>;
      header?: TemplateHeaderContent;
      buttons?: TemplateButtonContent[];
    }
  | { kind: 'interactive'; interactive: OutboundInteractive }
  /** `messageId` is Meta's id of the message reacted to; an empty emoji removes the reaction. */
  | { kind: 'reaction'; messageId: string; emoji: string };

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
  content: Exclude<OutboundContent, { kind: 'template' } | { kind: 'reaction' }>;
  /** Reply to this mid. */
  replyToChannelMessageId?: string;
};

function mediaObject(
  mediaType: MediaType | 'image' | 'video' | 'document',
  ref: { id?: string; link?: string },
  extra: { caption?: string; filename?: string } = {},
): Record<string, unknown> {
  const media: Record<string, unknown> = ref.id ? { id: ref.id } : { link: ref.link };
  // Audio and stickers take no caption; only documents take a filename.
  if (extra.caption && mediaType !== 'audio' && mediaType !== 'sticker') {
    media.caption = extra.caption;
  }
  if (extra.filename && mediaType === 'document') media.filename = extra.filename;
  return media;
}

/** WhatsApp's `interactive` object: reply buttons (`button`) or a `list`, with Meta's field names. */
export function whatsappInteractive(interactive: OutboundInteractive): Record<string, unknown> {
  const frame: Record<string, unknown> = {
    type: interactive.type === 'buttons' ? 'button' : 'list',
    ...(interactive.header ? { header: { type: 'text', text: interactive.header } } : {}),
    body: { text: interactive.body },
    ...(interactive.footer ? { footer: { text: interactive.footer } } : {}),
  };
  frame.action =
    interactive.type === 'buttons'
      ? {
          buttons: interactive.buttons.map((b) => ({
            type: 'reply',
            reply: { id: b.id, title: b.title },
          })),
        }
      : {
          button: interactive.button,
          sections: interactive.sections.map((section) => ({
            ...(section.title ? { title: section.title } : {}),
            rows: section.rows.map((row) => ({
              id: row.id,
              title: row.title,
              ...(row.description ? { description: row.description } : {}),
            })),
          })),
        };
  return frame;
}

/** A template's `components`: header, body and button parameters, in Meta's order. */
export function templateComponents(
  content: Extract<OutboundContent, { kind: 'template' }>,
): Record<string, unknown>[] {
  const components: Record<string, unknown>[] = [];
  const header = content.header;
  if (header) {
    const parameter =
      header.type === 'text'
        ? {
            type: 'text',
            ...(header.parameterName ? { parameter_name: header.parameterName } : {}),
            text: header.text,
          }
        : {
            type: header.type,
            [header.type]: mediaObject(header.type, header, { filename: header.filename }),
          };
    components.push({ type: 'header', parameters: [parameter] });
  }
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
  if (parameters.length > 0) components.push({ type: 'body', parameters });
  for (const button of [...(content.buttons ?? [])].sort((a, b) => a.index - b.index)) {
    components.push({
      type: 'button',
      sub_type: button.subType,
      // Meta's examples give the index as a string.
      index: String(button.index),
      parameters: [
        button.subType === 'quick_reply'
          ? { type: 'payload', payload: button.payload }
          : { type: 'text', text: button.text },
      ],
    });
  }
  return components;
}

/** The Cloud API `POST /{phone-number-id}/messages` body. */
export function whatsappMessageBody(send: WhatsAppSend): Record<string, unknown> {
  const body: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: send.to,
  };
  const content = send.content;
  if (send.replyToChannelMessageId && content.kind !== 'reaction') {
    body.context = { message_id: send.replyToChannelMessageId };
  }
  switch (content.kind) {
    case 'text':
      body.type = 'text';
      body.text = { preview_url: /https?:\/\//i.test(content.text), body: content.text };
      break;
    case 'media':
      body.type = content.mediaType;
      body[content.mediaType] = mediaObject(
        content.mediaType,
        { id: content.id, link: content.url },
        content,
      );
      break;
    case 'template': {
      const template: Record<string, unknown> = {
        name: content.name,
        language: { code: content.language, policy: 'deterministic' },
      };
      const components = templateComponents(content);
      if (components.length > 0) template.components = components;
      body.type = 'template';
      body.template = template;
      break;
    }
    case 'interactive':
      body.type = 'interactive';
      body.interactive = whatsappInteractive(content.interactive);
      break;
    case 'reaction':
      body.type = 'reaction';
      body.reaction = { message_id: content.messageId, emoji: content.emoji };
      break;
  }
  return body;
}

const igAttachmentType: Record<MediaType, string> = {
  image: 'image',
  // Instagram has no stickers; the service refuses them before a body is built.
  sticker: 'image',
  video: 'video',
  audio: 'audio',
  document: 'file',
};

/** The Instagram `POST /{ig-id}/messages` body. */
export function instagramMessageBody(send: InstagramSend): Record<string, unknown> {
  const content = send.content;
  let message: Record<string, unknown>;
  switch (content.kind) {
    case 'text':
      message = { text: content.text };
      break;
    case 'media':
      message = {
        attachment: {
          type: igAttachmentType[content.mediaType],
          payload: { url: content.url },
        },
      };
      break;
    case 'interactive': {
      const interactive = content.interactive;
      if (interactive.type !== 'buttons') {
        throw new Error('Instagram has no list messages; only buttons, as quick replies');
      }
      message = {
        text: interactive.body,
        quick_replies: interactive.buttons.map((b) => ({
          content_type: 'text',
          title: b.title,
          payload: b.id,
        })),
      };
      break;
    }
  }
  return {
    recipient: { id: send.recipientId },
    ...(send.replyToChannelMessageId ? { reply_to: { mid: send.replyToChannelMessageId } } : {}),
    message,
  };
}

/** What Instagram shows besides messages: seen, typing, and reactions (always a heart). */
export type InstagramAction =
  | { action: 'mark_seen' | 'typing_on' | 'typing_off' }
  | { action: 'react'; messageId: string }
  | { action: 'unreact'; messageId: string };

export function instagramActionBody(
  recipientId: string,
  action: InstagramAction,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    recipient: { id: recipientId },
    sender_action: action.action,
  };
  if (action.action === 'react') body.payload = { message_id: action.messageId, reaction: 'love' };
  if (action.action === 'unreact') body.payload = { message_id: action.messageId };
  return body;
}

/**
 * WhatsApp's read receipt for one inbound message; with `typing`, its typing indicator too (which
 * Meta only shows together with a read receipt).
 */
export function whatsappReadBody(messageId: string, typing = false): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    status: 'read',
    message_id: messageId,
    ...(typing ? { typing_indicator: { type: 'text' } } : {}),
  };
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

/** Sender actions (seen, typing, reactions) answer with the recipient only. */
const igActionResponse = z.object({ recipient_id: z.string().optional() }).passthrough();

/** `POST /{phone-number-id}/media`: Meta's id of the upload (kept 30 days). */
const mediaUploadResponse = z.object({ id: z.string().min(1) });

/** Read receipts and typing indicators. */
const successResponse = z.object({ success: z.literal(true) });

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

/**
 * `GET /{media-id}` (WhatsApp Cloud API): where to download an inbound attachment (a lookaside URL
 * valid for 5 minutes, fetched with the same token), its type, SHA-256 (hex) and size. Meta has
 * sent `file_size` both as a number and as a string.
 */
const whatsappMediaResponse = z.object({
  messaging_product: z.string().optional(),
  url: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  file_size: z.coerce.number().int().nonnegative().optional(),
  id: z.string().optional(),
});
export type WhatsAppMediaInfo = z.infer<typeof whatsappMediaResponse>;

/**
 * `GET /{igsid}?fields=name,username,profile_pic` (Instagram User Profile API): a sender's profile,
 * readable once they wrote to the account. Fields are null or absent when not set; `profile_pic`
 * is a CDN URL that expires within days.
 */
const instagramProfileResponse = z.object({
  id: z.string().optional(),
  name: z.string().nullish(),
  username: z.string().nullish(),
  profile_pic: z.string().nullish(),
});
export type InstagramProfile = z.infer<typeof instagramProfileResponse>;

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
  /** A multipart body (media uploads) instead of JSON. */
  form?: FormData;
  /** Per attempt, and the whole call's budget, when this call needs other than the defaults. */
  timeoutMs?: number;
  budgetMs?: number;
  maxAttempts?: number;
  /** Sending it twice does no harm (an upload makes a second media id): a timeout may be retried. */
  repeatable?: boolean;
};

export class GraphClient {
  private readonly timeoutMs: number;
  private readonly budgetMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly uploadTimeoutMs: number;
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
    this.uploadTimeoutMs = config.uploadTimeoutMs ?? 12_000;
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

  /**
   * An Instagram sender action: `mark_seen`, `typing_on`/`typing_off`, or a reaction (`react`,
   * `unreact`) to a message. Receipts and indicators are not worth a retry: `maxAttempts` 1 there.
   */
  async sendInstagramAction(
    token: string,
    send: {
      accountId: string;
      recipientId: string;
      maxAttempts?: number;
      timeoutMs?: number;
    } & InstagramAction,
  ): Promise<void> {
    const { accountId, recipientId, maxAttempts, timeoutMs, ...action } = send;
    const raw = await this.request({
      base: this.config.instagramBaseUrl,
      method: 'POST',
      path: `${encodeURIComponent(accountId)}/messages`,
      token,
      body: instagramActionBody(recipientId, action as InstagramAction),
      maxAttempts,
      timeoutMs,
    });
    parseOrThrow(igActionResponse, raw);
  }

  /**
   * Uploads a file to the number's media store (`POST /{phone-number-id}/media`, multipart:
   * `messaging_product`, `type` = the MIME type, `file`). Meta keeps it 30 days; its id sends it.
   */
  async uploadWhatsAppMedia(
    token: string,
    upload: { phoneNumberId: string; bytes: Uint8Array; mimeType: string; filename: string },
  ): Promise<{ id: string }> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', upload.mimeType);
    form.append(
      'file',
      new Blob([upload.bytes as Uint8Array<ArrayBuffer>], { type: upload.mimeType }),
      upload.filename,
    );
    const raw = await this.request({
      base: this.config.baseUrl,
      method: 'POST',
      path: `${encodeURIComponent(upload.phoneNumberId)}/media`,
      token,
      form,
      timeoutMs: this.uploadTimeoutMs,
      budgetMs: this.uploadTimeoutMs,
      repeatable: true,
    });
    return { id: parseOrThrow(mediaUploadResponse, raw).id };
  }

  /**
   * WhatsApp's read receipt for an inbound message (`status: read`), and with `typing` its typing
   * indicator. One attempt by default: a receipt a second late is worth less than the wait.
   */
  async markWhatsAppRead(
    token: string,
    send: {
      phoneNumberId: string;
      messageId: string;
      typing?: boolean;
      maxAttempts?: number;
      timeoutMs?: number;
    },
  ): Promise<void> {
    const raw = await this.request({
      base: this.config.baseUrl,
      method: 'POST',
      path: `${encodeURIComponent(send.phoneNumberId)}/messages`,
      token,
      body: whatsappReadBody(send.messageId, send.typing),
      maxAttempts: send.maxAttempts,
      timeoutMs: send.timeoutMs,
    });
    parseOrThrow(successResponse, raw);
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

  /**
   * Where an inbound WhatsApp attachment can be downloaded (`GET /{media-id}`). `phoneNumberId`
   * makes Meta check the media belongs to that number.
   */
  async getWhatsAppMedia(
    token: string,
    mediaId: string,
    phoneNumberId?: string,
  ): Promise<WhatsAppMediaInfo> {
    const raw = await this.request({
      base: this.config.baseUrl,
      method: 'GET',
      path: encodeURIComponent(mediaId),
      token,
      query: phoneNumberId ? { phone_number_id: phoneNumberId } : {},
    });
    return parseOrThrow(whatsappMediaResponse, raw);
  }

  /** An Instagram sender's profile (`GET /{igsid}`), with the account's token. */
  async getInstagramProfile(token: string, igsid: string): Promise<InstagramProfile> {
    const raw = await this.request({
      base: this.config.instagramBaseUrl,
      method: 'GET',
      path: encodeURIComponent(igsid),
      token,
      query: { fields: 'name,username,profile_pic' },
    });
    return parseOrThrow(instagramProfileResponse, raw);
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
    const deadline = Date.now() + (opts.budgetMs ?? this.budgetMs);
    for (let attempt = 1; ; attempt++) {
      const timeoutMs = Math.max(
        1,
        Math.min(opts.timeoutMs ?? this.timeoutMs, deadline - Date.now()),
      );
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
    if (attempt >= Math.max(1, opts.maxAttempts ?? this.maxAttempts)) return undefined;
    if (err instanceof GraphTransportError) {
      // A timed-out POST may have reached Meta: sending it again could deliver it twice.
      if (err.reason === 'timeout' && opts.method !== 'GET' && !opts.repeatable) return undefined;
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
          // A multipart body sets its own content type, with its boundary.
          ...(opts.body !== undefined && !opts.form ? { 'content-type': 'application/json' } : {}),
        },
        body: opts.form ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
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

import type { z } from 'zod';
import type {
  Customer,
  DeliveryStatus,
  InboundEvent,
  MessageType,
  MetaError,
  NormalizedMedia,
  NormalizedMessage,
  Routing,
} from './inbound-event';
import {
  igAttachmentSchema,
  igMessageSchema,
  igMessagingEventSchema,
  igPostbackSchema,
  igQuickReplySchema,
  igReactionSchema,
  igReadSchema,
  igReplyToSchema,
  metaChangeSchema,
  metaEntrySchema,
  waButtonSchema,
  waContactSchema,
  waContactsMessageSchema,
  waContextSchema,
  waErrorSchema,
  waInteractiveSchema,
  waLocationSchema,
  waMediaSchema,
  waMessageBaseSchema,
  waMessagesValueSchema,
  waOrderSchema,
  waReactionSchema,
  waReferralSchema,
  waStatusSchema,
  waSystemSchema,
  waTextSchema,
  waUnsupportedSchema,
  type IgAttachment,
  type IgMessage,
  type IgMessagingEvent,
  type MetaEntry,
  type WaContact,
  type WaMessageBase,
  type WaMessagesValue,
} from './webhook-envelope';

/** Thrown only when the input is structurally not a Meta webhook entry. */
export class MetaPayloadError extends Error {
  override readonly name = 'MetaPayloadError';
}

/**
 * Turns one webhook entry (one queue message) into normalised events.
 * Pure and total for well-formed entries: odd items become `ignored` events, unknown message
 * types become `unsupported` messages. Only a non-entry (or an unknown `object`) throws.
 */
export function normalizeEntry(object: string, entry: unknown): InboundEvent[] {
  const parsed = metaEntrySchema.safeParse(entry);
  if (!parsed.success) {
    throw new MetaPayloadError(
      `not a Meta webhook entry: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  switch (object) {
    case 'whatsapp_business_account':
      return normalizeWhatsAppEntry(parsed.data);
    case 'instagram':
    case 'page':
      return normalizeInstagramEntry(parsed.data);
    default:
      throw new MetaPayloadError(`unsupported webhook object: ${object}`);
  }
}

// ================================================================= shared helpers

function parseOr<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

/** Unix seconds or milliseconds (number or digit string) to ISO; 1e11 splits the two safely. */
function toIso(value: string | number): string | undefined {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n) || n < 0) return undefined;
  const date = new Date(n < 1e11 ? n * 1000 : n);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function ignored(reason: string, routing?: Routing): InboundEvent {
  return routing ? { kind: 'ignored', routing, reason } : { kind: 'ignored', reason };
}

/** Drops undefined keys so events compare cleanly and serialise without noise. */
function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function compactOrUndefined<T extends Record<string, unknown>>(value: T): T | undefined {
  const result = compact(value);
  return Object.keys(result).length > 0 ? result : undefined;
}

function toMetaErrors(raw: unknown[] | undefined): MetaError[] | undefined {
  if (!raw) return undefined;
  const errors = raw.flatMap((item) => {
    const e = parseOr(waErrorSchema, item);
    if (!e) return [];
    return [
      compact<MetaError>({
        code: e.code,
        title: e.title,
        message: e.message,
        details: e.error_data?.details,
      }),
    ];
  });
  return errors.length > 0 ? errors : undefined;
}

// ================================================================= WhatsApp

function normalizeWhatsAppEntry(entry: MetaEntry): InboundEvent[] {
  if (!entry.changes) return [ignored('whatsapp entry without changes')];
  return entry.changes.flatMap((change) => normalizeWhatsAppChange(entry.id, change));
}

function normalizeWhatsAppChange(wabaId: string, rawChange: unknown): InboundEvent[] {
  const change = parseOr(metaChangeSchema, rawChange);
  if (!change) return [ignored('malformed change')];
  // Other fields (account_update, message_template_status_update, ...) are not inbox events.
  if (change.field !== 'messages') return [ignored(`unhandled field: ${change.field}`)];

  const value = parseOr(waMessagesValueSchema, change.value);
  if (!value) return [ignored('messages change without metadata.phone_number_id')];

  const routing: Routing = {
    channel: 'whatsapp',
    phoneNumberId: value.metadata.phone_number_id,
    wabaId,
  };
  const events = [
    ...(value.messages ?? []).map((m) => normalizeWaMessage(m, value, routing)),
    ...(value.statuses ?? []).map((s) => normalizeWaStatus(s, routing)),
    ...valueErrorEvents(value, routing),
  ];
  return events.length > 0 ? events : [ignored('empty messages change', routing)];
}

// Value-level errors (no messages/statuses) describe platform problems, not conversations.
function valueErrorEvents(value: WaMessagesValue, routing: Routing): InboundEvent[] {
  const errors = toMetaErrors(value.errors);
  if (!errors) return [];
  return errors.map((e) =>
    ignored(`whatsapp error ${String(e.code)}: ${e.title ?? e.message ?? ''}`.trim(), routing),
  );
}

function normalizeWaStatus(raw: unknown, routing: Routing): InboundEvent {
  const s = parseOr(waStatusSchema, raw);
  if (!s) return ignored('malformed status', routing);
  const status = toDeliveryStatus(s.status);
  // e.g. `played` (voice note) or `deleted`: not part of our delivery lifecycle.
  if (!status) return ignored(`unhandled status: ${s.status}`, routing);
  const timestamp = toIso(s.timestamp);
  if (!timestamp) return ignored('status with invalid timestamp', routing);
  return compact({
    kind: 'status' as const,
    routing,
    channelMessageId: s.id,
    recipientId: s.recipient_id ?? s.recipient_user_id ?? '',
    status,
    timestamp,
    errors: toMetaErrors(s.errors),
    conversation: s.conversation,
    pricing: s.pricing,
  });
}

function toDeliveryStatus(status: string): DeliveryStatus | undefined {
  switch (status) {
    case 'sent':
    case 'delivered':
    case 'read':
    case 'failed':
      return status;
    default:
      return undefined;
  }
}

function normalizeWaMessage(raw: unknown, value: WaMessagesValue, routing: Routing): InboundEvent {
  const base = parseOr(waMessageBaseSchema, raw);
  if (!base) return ignored('malformed message', routing);
  const timestamp = toIso(base.timestamp);
  if (!timestamp) return ignored('message with invalid timestamp', routing);

  const message: NormalizedMessage = compact({
    channelMessageId: base.id,
    direction: 'inbound' as const,
    timestamp,
    ...waContent(base),
    context: waContext(base.context),
    referral: parseOr(waReferralSchema, base.referral),
  });
  // Errors are attached to unsupported messages by Meta; keep them wherever they appear.
  const errors = toMetaErrors(base.errors);
  if (errors) message.errors = errors;

  return { kind: 'message', routing, customer: waCustomer(base, value), message };
}

function waCustomer(base: WaMessageBase, value: WaMessagesValue): Customer {
  const contact = findContact(value.contacts ?? [], base);
  const bsuid = base.from_user_id ?? contact?.user_id;
  return compact<Customer>({
    // `from` (wa_id) stays the primary key; the BSUID is the fallback for username-only users.
    externalId: base.from ?? bsuid ?? '',
    name: contact?.profile?.name,
    phone: base.from ? `+${base.from}` : undefined,
    bsuid,
  });
}

function findContact(rawContacts: unknown[], base: WaMessageBase): WaContact | undefined {
  const contacts = rawContacts.flatMap((c) => {
    const parsed = parseOr(waContactSchema, c);
    return parsed ? [parsed] : [];
  });
  return contacts.find(
    (c) =>
      (base.from !== undefined && c.wa_id === base.from) ||
      (base.from_user_id !== undefined && c.user_id === base.from_user_id),
  );
}

type Content = Pick<
  NormalizedMessage,
  | 'type'
  | 'text'
  | 'media'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'reaction'
  | 'order'
  | 'system'
  | 'originalType'
>;

const WA_MEDIA_TYPES = ['image', 'audio', 'video', 'document', 'sticker'] as const;
type WaMediaType = (typeof WA_MEDIA_TYPES)[number];

function isWaMediaType(type: string): type is WaMediaType {
  return (WA_MEDIA_TYPES as readonly string[]).includes(type);
}

/** Maps the type-specific object (`message[message.type]`) to our content fields. */
function waContent(base: WaMessageBase): Content {
  const type = base.type;
  const payload: unknown = base[type];
  const content = isWaMediaType(type)
    ? waMediaContent(type, payload)
    : waOtherContent(type, payload);
  return content ?? { type: 'unsupported', originalType: type };
}

function waMediaContent(type: WaMediaType, payload: unknown): Content | undefined {
  const m = parseOr(waMediaSchema, payload);
  if (!m) return undefined;
  const media = compact<NormalizedMedia>({
    id: m.id,
    url: m.url,
    mimeType: m.mime_type,
    sha256: m.sha256,
    caption: m.caption,
    filename: m.filename,
    animated: m.animated,
    voice: m.voice,
  });
  return { type, media };
}

function waOtherContent(type: string, payload: unknown): Content | undefined {
  switch (type) {
    case 'text': {
      const t = parseOr(waTextSchema, payload);
      return t && { type, text: t.body };
    }
    case 'location': {
      const l = parseOr(waLocationSchema, payload);
      return l && { type, location: compact(l) };
    }
    case 'contacts': {
      const c = parseOr(waContactsMessageSchema, payload);
      return c && { type, contacts: c };
    }
    case 'interactive':
      return waInteractiveContent(payload);
    case 'button': {
      const b = parseOr(waButtonSchema, payload);
      // Template quick-reply button: the closest interactive kind is `quick_reply`.
      return (
        b &&
        compact({
          type,
          text: b.text,
          interactive: compact({ kind: 'quick_reply' as const, title: b.text, payload: b.payload }),
        })
      );
    }
    case 'reaction': {
      const r = parseOr(waReactionSchema, payload);
      return (
        r && {
          type,
          reaction: compact({
            messageId: r.message_id,
            emoji: r.emoji,
            action: r.emoji ? ('react' as const) : ('unreact' as const),
          }),
        }
      );
    }
    case 'order': {
      const o = parseOr(waOrderSchema, payload);
      return (
        o &&
        compact({
          type,
          text: o.text,
          order: compact({ catalogId: o.catalog_id, items: o.product_items, text: o.text }),
        })
      );
    }
    case 'system':
      return waSystemContent(payload);
    case 'request_welcome':
      return { type };
    case 'unsupported': {
      const u = parseOr(waUnsupportedSchema, payload);
      return compact({ type: 'unsupported' as const, originalType: u?.type });
    }
    default:
      return undefined;
  }
}

function waInteractiveContent(payload: unknown): Content | undefined {
  const i = parseOr(waInteractiveSchema, payload);
  if (!i) return undefined;
  if (i.type === 'button_reply' && i.button_reply) {
    const { id, title } = i.button_reply;
    return { type: 'interactive', text: title, interactive: { kind: 'button_reply', id, title } };
  }
  if (i.type === 'list_reply' && i.list_reply) {
    const { id, title, description } = i.list_reply;
    return {
      type: 'interactive',
      text: title,
      interactive: compact({ kind: 'list_reply' as const, id, title, description }),
    };
  }
  if (i.type === 'nfm_reply' && i.nfm_reply) {
    // Flow / address submissions: `response_json` is the structured answer, `name` the flow kind.
    const { name, body, response_json } = i.nfm_reply;
    return compact({
      type: 'interactive' as const,
      text: body,
      interactive: compact({ kind: 'nfm_reply' as const, title: name, payload: response_json }),
    });
  }
  return { type: 'unsupported', originalType: `interactive:${i.type}` };
}

function waSystemContent(payload: unknown): Content | undefined {
  const s = parseOr(waSystemSchema, payload);
  if (!s) return undefined;
  const newWaId = s.wa_id ?? (s.new_wa_id === undefined ? undefined : String(s.new_wa_id));
  return { type: 'system', system: compact({ body: s.body, type: s.type, newWaId }) };
}

function waContext(raw: unknown): NormalizedMessage['context'] {
  const c = parseOr(waContextSchema, raw);
  if (!c) return undefined;
  return compactOrUndefined({
    messageId: c.id,
    from: c.from,
    forwarded: c.forwarded,
    frequentlyForwarded: c.frequently_forwarded,
  });
}

// ================================================================= Instagram (and Messenger `page`)

// Change fields whose value is a messaging event (the App Dashboard "Test" button sends these).
const IG_MESSAGING_CHANGE_FIELDS = new Set([
  'messages',
  'message_reactions',
  'messaging_postbacks',
  'messaging_seen',
]);

type IgRouting = Extract<Routing, { channel: 'instagram' }>;

function normalizeInstagramEntry(entry: MetaEntry): InboundEvent[] {
  const routing: IgRouting = { channel: 'instagram', accountId: entry.id };
  const events = [
    ...(entry.messaging ?? []).map((e) => normalizeIgEvent(e, routing)),
    ...(entry.changes ?? []).map((c) => normalizeIgChange(c, routing)),
  ];
  // `standby` (handover protocol: another app owns the thread) is deliberately not ingested.
  if (Array.isArray(entry['standby'])) events.push(ignored('standby events', routing));
  return events.length > 0 ? events : [ignored('instagram entry without messaging', routing)];
}

function normalizeIgChange(raw: unknown, routing: IgRouting): InboundEvent {
  const change = parseOr(metaChangeSchema, raw);
  if (!change) return ignored('malformed change', routing);
  // comments, mentions, story_insights, live_comments...: not direct messages.
  if (!IG_MESSAGING_CHANGE_FIELDS.has(change.field)) {
    return ignored(`unhandled field: ${change.field}`, routing);
  }
  return normalizeIgEvent(change.value, routing);
}

type IgCtx = {
  routing: IgRouting;
  event: IgMessagingEvent;
  timestamp: string;
  /** True when our account sent it (echo) — the customer is then the recipient. */
  fromBusiness: boolean;
  customerId: string;
};

function normalizeIgEvent(raw: unknown, routing: IgRouting): InboundEvent {
  const event = parseOr(igMessagingEventSchema, raw);
  if (!event) return ignored('malformed messaging event', routing);
  const timestamp = toIso(event.timestamp);
  if (!timestamp) return ignored('messaging event with invalid timestamp', routing);
  const fromBusiness = event.sender.id === routing.accountId;
  const ctx: IgCtx = {
    routing,
    event,
    timestamp,
    fromBusiness,
    customerId: fromBusiness ? event.recipient.id : event.sender.id,
  };

  if (event.message !== undefined) return igMessageEvent(ctx, event.message);
  if (event.reaction !== undefined) return igReactionEvent(ctx, event.reaction);
  if (event.postback !== undefined) return igPostbackEvent(ctx, event.postback);
  if (event.read !== undefined) return igReadEvent(ctx, event.read);
  return ignored(`unhandled messaging event: ${igEventKeys(event)}`, routing);
}

function igEventKeys(event: IgMessagingEvent): string {
  const known = new Set(['sender', 'recipient', 'timestamp']);
  return (
    Object.keys(event)
      .filter((k) => !known.has(k))
      .join(',') || 'empty'
  );
}

function igMessageEvent(ctx: IgCtx, raw: unknown): InboundEvent {
  const msg = parseOr(igMessageSchema, raw);
  if (!msg) return ignored('malformed instagram message', ctx.routing);
  if (msg.is_deleted) {
    return {
      kind: 'unsend',
      routing: ctx.routing,
      customerExternalId: ctx.customerId,
      channelMessageId: msg.mid,
      timestamp: ctx.timestamp,
    };
  }
  // Echoes: `is_echo` is authoritative; sender === our account is the fallback signal.
  const fromBusiness = ctx.fromBusiness || msg.is_echo === true;
  const customerId = fromBusiness ? ctx.event.recipient.id : ctx.event.sender.id;
  const message: NormalizedMessage = compact({
    channelMessageId: msg.mid,
    direction: fromBusiness ? ('outbound' as const) : ('inbound' as const),
    timestamp: ctx.timestamp,
    ...igContent(msg),
    referral: parseOr(waReferralSchema, msg.referral),
  });
  return { kind: 'message', routing: ctx.routing, customer: { externalId: customerId }, message };
}

type IgContent = Pick<
  NormalizedMessage,
  'type' | 'text' | 'media' | 'attachments' | 'interactive' | 'context' | 'originalType'
>;

function igContent(msg: IgMessage): IgContent {
  const attachments = (msg.attachments ?? []).flatMap((a) => {
    const parsed = parseOr(igAttachmentSchema, a);
    return parsed ? [parsed] : [];
  });
  const media = attachments.map(igMedia);
  const replyTo = parseOr(igReplyToSchema, msg.reply_to);
  const story = replyTo?.story;
  const quickReply = parseOr(igQuickReplySchema, msg.quick_reply);
  const first = attachments[0];

  const { type, originalType } = igType(msg, first, story !== undefined);
  return compact({
    type,
    originalType,
    text: msg.text,
    media: media[0],
    attachments: media.length > 1 ? media : undefined,
    interactive: quickReply && {
      kind: 'quick_reply' as const,
      title: msg.text,
      payload: quickReply.payload,
    },
    context: compactOrUndefined({
      messageId: replyTo?.mid,
      storyUrl: story?.url,
      storyId: story?.id,
    }),
  });
}

function igType(
  msg: IgMessage,
  first: IgAttachment | undefined,
  isStoryReply: boolean,
): { type: MessageType; originalType?: string } {
  if (msg.is_unsupported) return { type: 'unsupported' };
  if (isStoryReply) return { type: 'story_reply' };
  if (first) {
    const type = IG_ATTACHMENT_TYPES[first.type];
    return type ? { type } : { type: 'unsupported', originalType: first.type };
  }
  if (msg.text !== undefined) return { type: 'text' };
  return { type: 'unsupported' };
}

// Instagram attachment type → our message type; anything else is `unsupported`.
const IG_ATTACHMENT_TYPES: Partial<Record<string, MessageType>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
  sticker: 'sticker',
  share: 'share',
  ig_reel: 'share',
  reel: 'share',
  ig_post: 'share',
  fallback: 'share',
  story_mention: 'story_mention',
  template: 'template',
  ephemeral: 'ephemeral',
};

function igMedia(a: IgAttachment): NormalizedMedia {
  return compact({ url: a.payload?.url, caption: a.payload?.title });
}

/**
 * Instagram reactions have no id of their own. The deterministic id
 * `${reactedMid}:reaction:${senderId}:${rawTimestamp}` makes Meta's redeliveries dedupe,
 * while a later react/unreact by the same person (new timestamp) stays a distinct event.
 */
export function igReactionMessageId(
  reactedMid: string,
  senderId: string,
  rawTimestamp: string | number,
): string {
  return `${reactedMid}:reaction:${senderId}:${String(rawTimestamp)}`;
}

function igReactionEvent(ctx: IgCtx, raw: unknown): InboundEvent {
  const r = parseOr(igReactionSchema, raw);
  if (!r) return ignored('malformed reaction', ctx.routing);
  const message: NormalizedMessage = {
    channelMessageId: igReactionMessageId(r.mid, ctx.event.sender.id, ctx.event.timestamp),
    direction: ctx.fromBusiness ? 'outbound' : 'inbound',
    type: 'reaction',
    timestamp: ctx.timestamp,
    reaction: compact({ messageId: r.mid, emoji: r.emoji, action: r.action }),
  };
  return {
    kind: 'message',
    routing: ctx.routing,
    customer: { externalId: ctx.customerId },
    message,
  };
}

function igPostbackEvent(ctx: IgCtx, raw: unknown): InboundEvent {
  const p = parseOr(igPostbackSchema, raw);
  if (!p) return ignored('malformed postback', ctx.routing);
  // Before v11 postbacks had no mid; fall back to a deterministic id for dedupe.
  const id = p.mid ?? `postback:${ctx.event.sender.id}:${String(ctx.event.timestamp)}`;
  const message: NormalizedMessage = compact({
    channelMessageId: id,
    direction: 'inbound' as const,
    type: 'postback' as const,
    timestamp: ctx.timestamp,
    text: p.title,
    interactive: compact({ kind: 'postback' as const, title: p.title, payload: p.payload }),
  });
  return {
    kind: 'message',
    routing: ctx.routing,
    customer: { externalId: ctx.customerId },
    message,
  };
}

function igReadEvent(ctx: IgCtx, raw: unknown): InboundEvent {
  const r = parseOr(igReadSchema, raw);
  if (!r?.mid) return ignored('read receipt without mid', ctx.routing);
  if (ctx.fromBusiness) return ignored('read by business', ctx.routing);
  return {
    kind: 'status',
    routing: ctx.routing,
    channelMessageId: r.mid,
    recipientId: ctx.event.sender.id,
    status: 'read',
    timestamp: ctx.timestamp,
  };
}

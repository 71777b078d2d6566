// Instagram messaging webhook entries (`object: instagram`, and Messenger's `page`) → normalised
// events.
import type {
  InboundEvent,
  MessageType,
  NormalizedMedia,
  NormalizedMessage,
  Routing,
} from '../inbound-event';
import { compact, compactOrUndefined, ignored, parseOr, toIso } from '../normalize-shared';
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
  waReferralSchema,
  type IgAttachment,
  type IgMessage,
  type IgMessagingEvent,
  type MetaEntry,
} from '../webhook-envelope';

// Change fields whose value is a messaging event (the App Dashboard "Test" button sends these).
const IG_MESSAGING_CHANGE_FIELDS = new Set([
  'messages',
  'message_reactions',
  'messaging_postbacks',
  'messaging_seen',
]);

type IgRouting = Extract<Routing, { channel: 'instagram' }>;

export function normalizeInstagramEntry(entry: MetaEntry): InboundEvent[] {
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

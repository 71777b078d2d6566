import { z } from 'zod';

// The normalised, channel-agnostic message: what the server makes of a Meta webhook entry
// (server: modules/messaging/meta/normalize.ts), stores, and returns from the message routes
// (`messageSchema` in conversations.ts). One vocabulary for the server and the web: unions come
// from const arrays, types are inferred from the schemas, so none of them can drift.

export const channelTypes = ['whatsapp', 'instagram'] as const;
export type ChannelType = (typeof channelTypes)[number];

export const messageTypes = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'system',
  'unsupported',
  'story_reply',
  'story_mention',
  'postback',
  'share',
  'template',
  'ephemeral',
  'request_welcome',
] as const;
export const messageTypeSchema = z.enum(messageTypes);
export type MessageType = z.infer<typeof messageTypeSchema>;

export const messageDirections = ['inbound', 'outbound'] as const;
export const messageDirectionSchema = z.enum(messageDirections);
export type MessageDirection = z.infer<typeof messageDirectionSchema>;

/** An outbound message's life: stored `pending`, then Meta's statuses; `failed` is terminal. */
export const messageStatuses = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;
export const messageStatusSchema = z.enum(messageStatuses);
export type MessageStatus = z.infer<typeof messageStatusSchema>;

/** What a Meta status webhook reports (everything but our own `pending`). */
export const deliveryStatusSchema = messageStatusSchema.exclude(['pending']);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

/** A stored message's status: inbound messages are `received`, outbound ones a `MessageStatus`. */
export const storedMessageStatuses = ['received', ...messageStatuses] as const;
export const storedMessageStatusSchema = z.enum(storedMessageStatuses);
export type StoredMessageStatus = z.infer<typeof storedMessageStatusSchema>;

/** An error Meta attached to a message or a status. */
export const metaErrorSchema = z.object({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  details: z.string().optional(),
});
export type MetaError = z.infer<typeof metaErrorSchema>;

// ---- content, per message type

/**
 * Where an inbound attachment stands: stored at once as `pending`, then fetched from Meta off the
 * message's critical path and re-hosted under the tenant's prefix (`ready`, with `url`), or
 * `failed` with a reason (Meta's copy expired, too large, a type Meta should not have sent).
 * Outbound media is `ready` from the start (it was uploaded first).
 */
export const mediaStatuses = ['pending', 'ready', 'failed'] as const;
export const mediaStatusSchema = z.enum(mediaStatuses);
export type MediaStatus = z.infer<typeof mediaStatusSchema>;

export const mediaFailureReasons = [
  /** Meta no longer has it (WhatsApp media ids live 30 days; Instagram CDN URLs expire). */
  'expired',
  /** Larger than Meta's own limit for the kind, or than the size Meta announced. */
  'too_large',
  /** The bytes do not match Meta's sha256, or are not the kind the message says. */
  'corrupt',
  /** Still failing after every retry (Meta or the network down for too long). */
  'unavailable',
] as const;
export const mediaFailureReasonSchema = z.enum(mediaFailureReasons);
export type MediaFailureReason = z.infer<typeof mediaFailureReasonSchema>;

/** image, audio, video, document, sticker, story_mention, share; Instagram attachments. */
export const normalizedMediaSchema = z.object({
  /** Meta's media id (WhatsApp inbound), or our upload id (outbound). */
  id: z.string().optional(),
  /**
   * In API answers: a short-lived signed URL of the re-hosted copy (absolute, or relative to the
   * API), usable as it is in `<img src>`; present once `status` is `ready`. Never Meta's CDN URL.
   */
  url: z.string().optional(),
  mimeType: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  animated: z.boolean().optional(),
  voice: z.boolean().optional(),
  /** Bytes, once known. */
  size: z.number().int().nonnegative().optional(),
  status: mediaStatusSchema.optional(),
  failureReason: mediaFailureReasonSchema.optional(),
});
export type NormalizedMedia = z.infer<typeof normalizedMediaSchema>;

/** location */
export const messageLocationSchema = z.object({
  latitude: z.number(),
  longitude: z.number(),
  name: z.string().optional(),
  address: z.string().optional(),
  url: z.string().optional(),
});
export type MessageLocation = z.infer<typeof messageLocationSchema>;

export const interactiveKinds = [
  'button_reply',
  'list_reply',
  'nfm_reply',
  'quick_reply',
  'postback',
] as const;
export const interactiveKindSchema = z.enum(interactiveKinds);
export type InteractiveKind = z.infer<typeof interactiveKindSchema>;

/** interactive, button, postback: what the customer tapped. */
export const messageInteractiveSchema = z.object({
  kind: interactiveKindSchema,
  id: z.string().optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  payload: z.string().optional(),
});
export type MessageInteractive = z.infer<typeof messageInteractiveSchema>;

/** reaction: `messageId` is Meta's id of the message reacted to. */
export const messageReactionSchema = z.object({
  messageId: z.string(),
  emoji: z.string().optional(),
  action: z.enum(['react', 'unreact']),
});
export type MessageReaction = z.infer<typeof messageReactionSchema>;

/** Replies, forwards and story replies: `messageId` is Meta's id of the quoted message. */
export const messageContextSchema = z.object({
  messageId: z.string().optional(),
  from: z.string().optional(),
  forwarded: z.boolean().optional(),
  frequentlyForwarded: z.boolean().optional(),
  storyUrl: z.string().optional(),
  storyId: z.string().optional(),
});
export type MessageContext = z.infer<typeof messageContextSchema>;

/** order */
export const messageOrderSchema = z.object({
  catalogId: z.string().optional(),
  items: z.array(z.unknown()),
  text: z.string().optional(),
});
export type MessageOrder = z.infer<typeof messageOrderSchema>;

/** system: e.g. the customer changed their number. */
export const messageSystemSchema = z.object({
  body: z.string().optional(),
  type: z.string().optional(),
  newWaId: z.string().optional(),
});
export type MessageSystem = z.infer<typeof messageSystemSchema>;

/** template (outbound): the approved template that was sent. */
export const sentTemplateSchema = z.object({
  name: z.string(),
  language: z.string(),
  parameters: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
  /** The header sent: its text, or the kind of media (the media itself is the message's `media`). */
  header: z
    .object({ type: z.enum(['text', 'image', 'video', 'document']), text: z.string().optional() })
    .optional(),
  /** Button parameters sent: quick-reply payloads and URL suffixes, by button index. */
  buttons: z
    .array(
      z.object({
        index: z.number().int(),
        subType: z.enum(['quick_reply', 'url']),
        value: z.string(),
      }),
    )
    .optional(),
});
export type SentTemplate = z.infer<typeof sentTemplateSchema>;

/**
 * Outbound interactive messages: reply buttons or a list (WhatsApp), quick replies (Instagram
 * takes `buttons` as quick replies; it has no lists). Limits are Meta's.
 */
export const outboundInteractiveSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('buttons'),
      header: z.string().trim().min(1).max(60).optional(),
      body: z.string().trim().min(1).max(1024),
      footer: z.string().trim().min(1).max(60).optional(),
      buttons: z
        .array(
          z.object({
            id: z.string().min(1).max(256),
            title: z.string().trim().min(1).max(20),
          }),
        )
        .min(1)
        .max(3),
    })
    .strict(),
  z
    .object({
      type: z.literal('list'),
      header: z.string().trim().min(1).max(60).optional(),
      body: z.string().trim().min(1).max(4096),
      footer: z.string().trim().min(1).max(60).optional(),
      button: z
        .string()
        .trim()
        .min(1)
        .max(20)
        .describe('The label of the button that opens the list.'),
      sections: z
        .array(
          z.object({
            title: z.string().trim().min(1).max(24).optional(),
            rows: z
              .array(
                z.object({
                  id: z.string().min(1).max(200),
                  title: z.string().trim().min(1).max(24),
                  description: z.string().trim().min(1).max(72).optional(),
                }),
              )
              .min(1)
              .max(10),
          }),
        )
        .min(1)
        .max(10)
        .refine((sections) => sections.reduce((n, s) => n + s.rows.length, 0) <= 10, {
          message: 'A list holds at most 10 rows in all.',
        }),
    })
    .strict(),
]);
export type OutboundInteractive = z.infer<typeof outboundInteractiveSchema>;

/** The content fields of a normalised message; which ones are set depends on its `type`. */
export const messageContentSchema = z.object({
  text: z.string().optional(),
  media: normalizedMediaSchema.optional(),
  /** Every attachment when Meta sent more than one (Instagram multi-image); `media` is the first. */
  attachments: z.array(normalizedMediaSchema).optional(),
  location: messageLocationSchema.optional(),
  contacts: z.array(z.unknown()).optional(),
  interactive: messageInteractiveSchema.optional(),
  reaction: messageReactionSchema.optional(),
  context: messageContextSchema.optional(),
  order: messageOrderSchema.optional(),
  system: messageSystemSchema.optional(),
  referral: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(metaErrorSchema).optional(),
  /** Meta's own type when we mapped the message to `unsupported` (e.g. WhatsApp `edit`, `poll`). */
  originalType: z.string().optional(),
});
export type MessageContent = z.infer<typeof messageContentSchema>;

/** A message as normalised from a Meta webhook, before it is stored. */
export const normalizedMessageSchema = z.object({
  channelMessageId: z.string().min(1),
  direction: messageDirectionSchema,
  type: messageTypeSchema,
  timestamp: z.iso.datetime({ offset: true }),
  ...messageContentSchema.shape,
});
export type NormalizedMessage = z.infer<typeof normalizedMessageSchema>;

import { z } from 'zod';

// Normalised, channel-agnostic model produced from Meta webhook entries.
// Unions are derived from const arrays so the Zod schemas and the types cannot drift.

export const CHANNELS = ['whatsapp', 'instagram'] as const;
export type Channel = (typeof CHANNELS)[number];

export const MESSAGE_TYPES = [
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
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const MESSAGE_STATUSES = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export type DeliveryStatus = Exclude<MessageStatus, 'pending'>;

export type Routing =
  | { channel: 'whatsapp'; phoneNumberId: string; wabaId: string }
  | { channel: 'instagram'; accountId: string };

export type MetaError = { code: number; title?: string; message?: string; details?: string };

export type NormalizedMedia = {
  id?: string;
  url?: string;
  mimeType?: string;
  sha256?: string;
  caption?: string;
  filename?: string;
  animated?: boolean;
  voice?: boolean;
};

export type InteractiveKind =
  'button_reply' | 'list_reply' | 'nfm_reply' | 'quick_reply' | 'postback';

export type NormalizedMessage = {
  channelMessageId: string;
  direction: 'inbound' | 'outbound';
  type: MessageType;
  timestamp: string /* ISO */;
  text?: string;
  media?: NormalizedMedia;
  /** Every attachment when Meta sent more than one (Instagram multi-image); `media` is the first. */
  attachments?: NormalizedMedia[];
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  contacts?: unknown[];
  interactive?: {
    kind: InteractiveKind;
    id?: string;
    title?: string;
    description?: string;
    payload?: string;
  };
  reaction?: { messageId: string; emoji?: string; action: 'react' | 'unreact' };
  context?: {
    messageId?: string;
    from?: string;
    forwarded?: boolean;
    frequentlyForwarded?: boolean;
    storyUrl?: string;
    storyId?: string;
  };
  order?: { catalogId?: string; items: unknown[]; text?: string };
  system?: { body?: string; type?: string; newWaId?: string };
  referral?: Record<string, unknown>;
  errors?: MetaError[];
  /** Meta's own type when we mapped the message to `unsupported` (e.g. WhatsApp `edit`, `poll`). */
  originalType?: string;
};

export type Customer = {
  externalId: string;
  name?: string;
  phone?: string;
  /** WhatsApp business-scoped user ID (BSUID); may be the only identifier for username users. */
  bsuid?: string;
};

export type MessageEvent = {
  kind: 'message';
  routing: Routing;
  customer: Customer;
  message: NormalizedMessage;
};
export type StatusEvent = {
  kind: 'status';
  routing: Routing;
  channelMessageId: string;
  recipientId: string;
  status: DeliveryStatus;
  timestamp: string;
  errors?: MetaError[];
  conversation?: unknown;
  pricing?: unknown;
};
export type UnsendEvent = {
  kind: 'unsend';
  routing: Routing;
  customerExternalId: string;
  channelMessageId: string;
  timestamp: string;
};
export type IgnoredEvent = { kind: 'ignored'; routing?: Routing; reason: string };

export type InboundEvent = MessageEvent | StatusEvent | UnsendEvent | IgnoredEvent;

// ---- Zod schemas: used to validate events crossing a queue boundary or loaded from storage ----

const isoTimestamp = z.iso.datetime({ offset: true });

export const routingSchema: z.ZodType<Routing> = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('whatsapp'), phoneNumberId: z.string(), wabaId: z.string() }),
  z.object({ channel: z.literal('instagram'), accountId: z.string() }),
]);

export const metaErrorSchema: z.ZodType<MetaError> = z.object({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  details: z.string().optional(),
});

const mediaSchema: z.ZodType<NormalizedMedia> = z.object({
  id: z.string().optional(),
  url: z.string().optional(),
  mimeType: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  animated: z.boolean().optional(),
  voice: z.boolean().optional(),
});

export const normalizedMessageSchema: z.ZodType<NormalizedMessage> = z.object({
  channelMessageId: z.string().min(1),
  direction: z.enum(['inbound', 'outbound']),
  type: z.enum(MESSAGE_TYPES),
  timestamp: isoTimestamp,
  text: z.string().optional(),
  media: mediaSchema.optional(),
  attachments: z.array(mediaSchema).optional(),
  location: z
    .object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
      url: z.string().optional(),
    })
    .optional(),
  contacts: z.array(z.unknown()).optional(),
  interactive: z
    .object({
      kind: z.enum(['button_reply', 'list_reply', 'nfm_reply', 'quick_reply', 'postback']),
      id: z.string().optional(),
      title: z.string().optional(),
      description: z.string().optional(),
      payload: z.string().optional(),
    })
    .optional(),
  reaction: z
    .object({
      messageId: z.string(),
      emoji: z.string().optional(),
      action: z.enum(['react', 'unreact']),
    })
    .optional(),
  context: z
    .object({
      messageId: z.string().optional(),
      from: z.string().optional(),
      forwarded: z.boolean().optional(),
      frequentlyForwarded: z.boolean().optional(),
      storyUrl: z.string().optional(),
      storyId: z.string().optional(),
    })
    .optional(),
  order: z
    .object({
      catalogId: z.string().optional(),
      items: z.array(z.unknown()),
      text: z.string().optional(),
    })
    .optional(),
  system: z
    .object({
      body: z.string().optional(),
      type: z.string().optional(),
      newWaId: z.string().optional(),
    })
    .optional(),
  referral: z.record(z.string(), z.unknown()).optional(),
  errors: z.array(metaErrorSchema).optional(),
  originalType: z.string().optional(),
});

const customerSchema: z.ZodType<Customer> = z.object({
  externalId: z.string().min(1),
  name: z.string().optional(),
  phone: z.string().optional(),
  bsuid: z.string().optional(),
});

export const inboundEventSchema: z.ZodType<InboundEvent> = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    routing: routingSchema,
    customer: customerSchema,
    message: normalizedMessageSchema,
  }),
  z.object({
    kind: z.literal('status'),
    routing: routingSchema,
    channelMessageId: z.string().min(1),
    recipientId: z.string(),
    status: z.enum(['sent', 'delivered', 'read', 'failed']),
    timestamp: isoTimestamp,
    errors: z.array(metaErrorSchema).optional(),
    conversation: z.unknown().optional(),
    pricing: z.unknown().optional(),
  }),
  z.object({
    kind: z.literal('unsend'),
    routing: routingSchema,
    customerExternalId: z.string().min(1),
    channelMessageId: z.string().min(1),
    timestamp: isoTimestamp,
  }),
  z.object({ kind: z.literal('ignored'), routing: routingSchema.optional(), reason: z.string() }),
]);

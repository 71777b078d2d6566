import {
  channelTypes,
  deliveryStatusSchema,
  messageStatuses,
  messageTypes,
  metaErrorSchema,
  normalizedMessageSchema,
  type ChannelType,
  type DeliveryStatus,
  type InteractiveKind,
  type MessageStatus,
  type MessageType,
  type MetaError,
  type NormalizedMedia,
  type NormalizedMessage,
} from '@switchboard/contracts';
import { z } from 'zod';

// Normalised, channel-agnostic events produced from Meta webhook entries. The message itself (its
// types, content shapes, statuses) is the contracts package's vocabulary, shared with the web
// (contracts/src/message-types.ts); it is re-exported here under the names the server uses.

export const CHANNELS = channelTypes;
export type Channel = ChannelType;

export const MESSAGE_TYPES = messageTypes;
export const MESSAGE_STATUSES = messageStatuses;

export type {
  DeliveryStatus,
  InteractiveKind,
  MessageStatus,
  MessageType,
  MetaError,
  NormalizedMedia,
  NormalizedMessage,
};
export { metaErrorSchema, normalizedMessageSchema };

export type Routing =
  | { channel: 'whatsapp'; phoneNumberId: string; wabaId: string }
  | { channel: 'instagram'; accountId: string };

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
    status: deliveryStatusSchema,
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

import { z } from 'zod';
import { conversationSchema, messageSchema } from './conversations';

// The one schema of workspace events: what an open screen receives over the live connection
// (API Gateway WebSocket deployed, the sandbox's `/live` socket locally) and what integrators'
// endpoints receive (Standard Webhooks). Every event names its tenant implicitly (a connection
// only ever receives its own tenant's), carries a stable id (the same change always has the same
// id, so a redelivery can be recognised) and the time it happened.
//
// Each feature adds its variant here; `liveEventSchema` is their discriminated union.

const envelope = {
  id: z.string().describe('Stable per change: a redelivered event keeps its id.'),
  at: z.string().describe('When it happened (ISO 8601).'),
};

export const messageCreatedEventSchema = z.object({
  ...envelope,
  type: z.literal('message.created'),
  data: z.object({ conversationId: z.string(), message: messageSchema }),
});

export const messageUpdatedEventSchema = z.object({
  ...envelope,
  type: z.literal('message.updated'),
  data: z.object({ conversationId: z.string(), message: messageSchema }),
});

export const conversationUpdatedEventSchema = z.object({
  ...envelope,
  type: z.literal('conversation.updated'),
  data: z.object({
    conversation: conversationSchema,
    /** What changed, for notifications and integrators (`assigned`, `closed`, `message`, …). */
    change: z.string(),
  }),
});

export const liveEventSchema = z.discriminatedUnion('type', [
  messageCreatedEventSchema,
  messageUpdatedEventSchema,
  conversationUpdatedEventSchema,
]);
export type LiveEvent = z.infer<typeof liveEventSchema>;
export type LiveEventType = LiveEvent['type'];

import { z } from 'zod';
import { conversationSchema, messageSchema } from './conversations';
import { noteSchema } from './workspace';
import { customerSchema } from './messaging';
import { campaignStatusSchema } from './campaigns';

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

export const noteCreatedEventSchema = z.object({
  ...envelope,
  type: z.literal('note.created'),
  data: z.object({
    conversationId: z.string(),
    note: noteSchema,
    /** The members the note mentions (user ids): each is notified. Same as `note.mentions`. */
    mentions: z.array(z.string()),
  }),
});

export const noteDeletedEventSchema = z.object({
  ...envelope,
  type: z.literal('note.deleted'),
  data: z.object({ conversationId: z.string(), noteId: z.string() }),
});

export const contactUpdatedEventSchema = z.object({
  ...envelope,
  type: z.literal('contact.updated'),
  data: z.object({
    contact: customerSchema,
    /** `created` or `updated` (an agent's edit), `profile` (Instagram's profile was read). */
    change: z.enum(['created', 'updated', 'profile']),
  }),
});

export const contactMergedEventSchema = z.object({
  ...envelope,
  type: z.literal('contact.merged'),
  data: z.object({
    /** The contact that remains, with the merged one's identities. */
    contact: customerSchema,
    /** The contact merged in: now a pointer to `contact.id`. */
    sourceId: z.string(),
  }),
});

export const campaignProgressEventSchema = z.object({
  ...envelope,
  type: z.literal('campaign.progress'),
  data: z.object({
    campaignId: z.string(),
    /** The campaign's status when it was sent; its counts are read with GET /campaigns/{id}. */
    status: campaignStatusSchema,
  }),
});

export const liveEventSchema = z.discriminatedUnion('type', [
  messageCreatedEventSchema,
  messageUpdatedEventSchema,
  conversationUpdatedEventSchema,
  noteCreatedEventSchema,
  noteDeletedEventSchema,
  contactUpdatedEventSchema,
  contactMergedEventSchema,
  campaignProgressEventSchema,
]);
export type LiveEvent = z.infer<typeof liveEventSchema>;
export type LiveEventType = LiveEvent['type'];

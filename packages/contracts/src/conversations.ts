import { z } from 'zod';
import {
  channelTypes,
  messageContentSchema,
  messageDirectionSchema,
  messageTypeSchema,
  outboundInteractiveSchema,
  sentTemplateSchema,
  storedMessageStatusSchema,
} from './message-types';

export const channelTypeSchema = z.enum(channelTypes);

export const listConversationsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
  channel: channelTypeSchema.optional(),
  status: z
    .enum(['open', 'closed', 'snoozed'])
    .optional()
    .describe('open: open and not snoozed; snoozed: open with a snooze in effect; absent: all.'),
  unread: z.enum(['true', 'false']).optional(),
  assigned: z
    .enum(['me', 'none'])
    .optional()
    .describe('me: assigned to the caller; none: assigned to nobody.'),
  label: z
    .string()
    .min(1)
    .max(128)
    .optional()
    .describe('Only conversations carrying this label (its id from `GET /labels`).'),
});

export const listMessagesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});

export const customerSummarySchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  phone: z.string().optional(),
  identities: z.object({ whatsapp: z.string().optional(), instagram: z.string().optional() }),
  /** Instagram: the person's @username, from Meta's user profile (looked up on their first message). */
  username: z.string().optional(),
  /** Instagram: a short-lived signed URL of the re-hosted profile picture. */
  avatarUrl: z.string().optional(),
});

/**
 * A snooze in effect (absent once it ended): hidden from the open inbox until `until` passes or the
 * customer writes again (every customer message wakes a snoozed conversation).
 */
export const conversationSnoozeSchema = z.object({
  until: z.string().optional().describe('When it wakes by itself; absent: only a reply wakes it.'),
  untilReply: z
    .boolean()
    .describe('Snoozed “until they reply” (no time limit when `until` is absent).'),
  snoozedAt: z.string(),
  snoozedBy: z.string().optional().describe('The member who snoozed it.'),
});
export type ConversationSnoozeDto = z.infer<typeof conversationSnoozeSchema>;

export const conversationSchema = z.object({
  id: z.string(),
  customer: customerSummarySchema,
  channel: channelTypeSchema,
  channelId: z.string(),
  status: z.enum(['open', 'closed']),
  lastMessageAt: z.string(),
  lastMessagePreview: z.string().optional(),
  lastMessageDirection: messageDirectionSchema.optional(),
  lastInboundAt: z.string().optional(),
  unreadCount: z.number(),
  lastReadAt: z.string().optional(),
  assigneeId: z.string().optional(),
  assignedAt: z.string().optional(),
  closedAt: z.string().optional(),
  createdAt: z.string().optional(),
  /** Label ids (`GET /labels`); an id not listed there is a label deleted since: ignore it. */
  labelIds: z.array(z.string()).optional(),
  snooze: conversationSnoozeSchema.optional(),
});
export type ConversationDto = z.infer<typeof conversationSchema>;

/**
 * A stored message as the API returns it: the normalised message (message-types.ts) with our ids,
 * its status, and who sent it. Fields the server adds for itself pass through untyped.
 */
export const messageSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    channelMessageId: z
      .string()
      .optional()
      .describe('Meta’s id (wamid / mid); absent while an outbound message is pending.'),
    channel: channelTypeSchema,
    direction: messageDirectionSchema,
    type: messageTypeSchema,
    ...messageContentSchema.shape,
    status: storedMessageStatusSchema,
    timestamp: z.string(),
    replyTo: z.string().optional().describe('Outbound: id of the quoted message.'),
    template: sentTemplateSchema.optional().describe('Outbound templates: what was sent.'),
    outboundInteractive: outboundInteractiveSchema
      .optional()
      .describe('Outbound interactive messages: the buttons or list that were sent.'),
    sentBy: z
      .object({
        kind: z.enum(['user', 'apiKey']),
        userId: z.string().optional(),
        keyId: z.string().optional(),
      })
      .optional(),
    failure: z.object({ code: z.string(), message: z.string() }).optional(),
    deletedAt: z.string().optional().describe('The customer unsent it; its content is gone.'),
  })
  .passthrough();
export type MessageDto = z.infer<typeof messageSchema>;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

import { z } from 'zod';

export const channelTypeSchema = z.enum(['whatsapp', 'instagram']);

export const listConversationsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
  channel: channelTypeSchema.optional(),
  status: z.enum(['open', 'closed']).optional(),
  unread: z.enum(['true', 'false']).optional(),
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
});

export const conversationSchema = z.object({
  id: z.string(),
  customer: customerSummarySchema,
  channel: channelTypeSchema,
  channelId: z.string(),
  status: z.enum(['open', 'closed']),
  lastMessageAt: z.string(),
  lastMessagePreview: z.string().optional(),
  lastMessageDirection: z.enum(['inbound', 'outbound']).optional(),
  lastInboundAt: z.string().optional(),
  unreadCount: z.number(),
});
export type ConversationDto = z.infer<typeof conversationSchema>;

export const messageSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    channelMessageId: z.string(),
    channel: channelTypeSchema,
    direction: z.enum(['inbound', 'outbound']),
    type: z.string(),
    text: z.string().optional(),
    status: z.enum(['received', 'pending', 'sent', 'delivered', 'read', 'failed']),
    timestamp: z.string(),
  })
  .passthrough();
export type MessageDto = z.infer<typeof messageSchema>;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

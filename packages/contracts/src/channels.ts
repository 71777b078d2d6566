import { z } from 'zod';

// Meta ids are numeric strings; tokens are opaque but never tiny.
const metaId = z.string().regex(/^\d{1,32}$/, 'Expected a numeric Meta id.');
const accessToken = z.string().min(16).max(4096);

export const createChannelRequestSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('whatsapp'),
    wabaId: metaId,
    phoneNumberId: metaId,
    accessToken,
    displayName: z.string().max(120).optional(),
  }),
  z.object({
    type: z.literal('instagram'),
    accountId: metaId,
    accessToken,
    displayName: z.string().max(120).optional(),
  }),
]);
export type CreateChannelRequest = z.infer<typeof createChannelRequestSchema>;

export const channelSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  type: z.enum(['whatsapp', 'instagram']),
  status: z.enum(['active', 'needs_reconnect']),
  wabaId: z.string().optional(),
  phoneNumberId: z.string().optional(),
  accountId: z.string().optional(),
  displayName: z.string().optional(),
  createdAt: z.string(),
});
export type ChannelDto = z.infer<typeof channelSchema>;

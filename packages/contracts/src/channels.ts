import { z } from 'zod';
import { autoAssignmentSchema } from './assignment';

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
  /** New conversations go round robin to the available members (`PUT /channels/{id}/auto-assignment`). */
  autoAssignment: autoAssignmentSchema,
});
export type ChannelDto = z.infer<typeof channelSchema>;

// ------------------------------------------------------------------ contested claims

/**
 * What a contested claim is about: a phone number id, a WABA (its fallback route for the WABA's
 * other numbers) or an Instagram account id that another workspace already holds.
 */
export const channelClaimKeyKindSchema = z.enum([
  'whatsapp_phone_number',
  'whatsapp_business_account',
  'instagram_account',
]);

export const channelClaimStatusSchema = z.enum([
  /** Waiting for a platform admin; the holder keeps routing. */
  'open',
  /** A platform admin gave it to the claimant (the holder lost what was contested). */
  'awarded_to_claimant',
  /** A platform admin left it with the holder. */
  'kept_by_holder',
  /** The holder released it and the claimant connected it normally. */
  'lapsed',
]);

/**
 * A second workspace proved to Meta that it may use an id another workspace already holds. Never
 * settled by arrival order: the holder keeps working, the claimant got 409
 * `channel_claim_contested`, and a platform admin decides. The claimant's token is kept encrypted
 * for an award and never returned.
 */
export const channelClaimSchema = z.object({
  id: z.string(),
  status: channelClaimStatusSchema,
  channelType: z.enum(['whatsapp', 'instagram']),
  wabaId: z.string().optional(),
  phoneNumberId: z.string().optional(),
  accountId: z.string().optional(),
  displayName: z.string().optional(),
  claimant: z.object({ tenantId: z.string(), tenantName: z.string().optional() }),
  /** What the claimant asked for that another workspace holds. */
  contested: z
    .array(
      z.object({
        kind: channelClaimKeyKindSchema,
        externalId: z.string(),
        holderTenantId: z.string(),
        holderTenantName: z.string().optional(),
        holderChannelId: z.string(),
      }),
    )
    .min(1),
  /** How Meta confirmed the claimant's token: the WABA lists the number, or `/me` is the account. */
  verifiedWith: z.enum(['waba_phone_numbers', 'instagram_me']),
  verifiedAt: z.string(),
  /** Connect attempts that landed on this claim. */
  attempts: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolution: z
    .object({
      awardedTo: z.enum(['claimant', 'holder']),
      byUserId: z.string().optional(),
      at: z.string(),
      note: z.string().optional(),
    })
    .optional(),
});
export type ChannelClaimDto = z.infer<typeof channelClaimSchema>;

export const resolveChannelClaimRequestSchema = z.object({
  /** `claimant`: the claimant's channel is created and takes what was contested from the holder. */
  awardTo: z.enum(['claimant', 'holder']),
  note: z.string().trim().max(500).optional(),
});
export type ResolveChannelClaimRequest = z.infer<typeof resolveChannelClaimRequestSchema>;

import { z } from 'zod';

// Where a lead or a conversation came from: one touch per landing-page submission (its UTM
// fields and page) and per conversation a customer opened from an ad, a post or a story (the
// `referral` Meta puts on the first message). A contact and a lead each keep their first and
// their latest touch; the sources report counts touches by source over a time range.

export const touchKindSchema = z.enum([
  /** A landing-page form submission. */
  'form',
  /** A WhatsApp click-to-chat ad or post (`referral.source_type` ad | post). */
  'whatsapp_ad',
  /** An Instagram ad that opened the thread (`referral.source` ADS). */
  'instagram_ad',
  /** A reply to the business's Instagram story. */
  'instagram_story',
]);
export type TouchKind = z.infer<typeof touchKindSchema>;

export const utmSchema = z.object({
  source: z.string().optional(),
  medium: z.string().optional(),
  campaign: z.string().optional(),
  term: z.string().optional(),
  content: z.string().optional(),
});
export type Utm = z.infer<typeof utmSchema>;

/** What Meta said about the ad, post or story (only what it sent). */
export const adReferralSchema = z.object({
  sourceType: z.string().optional().describe('ad, post or story.'),
  sourceId: z.string().optional().describe('The ad id or the post/story id.'),
  sourceUrl: z.string().optional(),
  headline: z.string().optional(),
  body: z.string().optional(),
  /** WhatsApp's click id for Meta's Conversions API. */
  ctwaClid: z.string().optional(),
  /** Instagram's `ref` parameter of an ig.me link or ad. */
  ref: z.string().optional(),
});
export type AdReferral = z.infer<typeof adReferralSchema>;

export const touchSchema = z.object({
  id: z.string(),
  kind: touchKindSchema,
  at: z.string(),
  /** The report's grouping: utm_source, or the network the ad ran on (facebook, instagram). */
  source: z.string(),
  medium: z.string().optional(),
  campaign: z.string().optional(),
  utm: utmSchema.optional(),
  ad: adReferralSchema.optional(),
  formId: z.string().optional(),
  leadId: z.string().optional(),
  pageUrl: z.string().optional(),
  conversationId: z.string().optional(),
  messageId: z.string().optional(),
});
export type Touch = z.infer<typeof touchSchema>;

export const attributionSchema = z.object({
  first: touchSchema,
  latest: touchSchema,
  touches: z.number().int().min(1),
});
export type Attribution = z.infer<typeof attributionSchema>;

export const attributionResponseSchema = z.object({
  attribution: attributionSchema.nullable(),
});

const day = z.iso.date('A day as YYYY-MM-DD.');
export const sourcesReportQuerySchema = z
  .object({ from: day, to: day })
  .strict()
  .refine((q) => q.from <= q.to, { message: '`from` comes before `to`.', path: ['from'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, {
    message: 'At most a year at a time.',
    path: ['to'],
  });
export type SourcesReportQuery = z.infer<typeof sourcesReportQuerySchema>;

export const sourcesReportRowSchema = z.object({
  source: z.string(),
  medium: z.string().nullable(),
  campaign: z.string().nullable(),
  leads: z.number().int(),
  conversations: z.number().int(),
});
export const sourcesReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(sourcesReportRowSchema),
  totals: z.object({ leads: z.number().int(), conversations: z.number().int() }),
});
export type SourcesReport = z.infer<typeof sourcesReportSchema>;

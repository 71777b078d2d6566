import { z } from 'zod';

// Template broadcasts ("campaigns"): an approved WhatsApp template sent to a segment of contacts.
// Only numbers whose consent is `opted_in` are ever sent (consent.ts); the rule is not optional,
// and it is checked again just before each send, so a STOP mid-campaign stops that number.

const isoTime = z.string().describe('ISO 8601 time.');
const ids = z.array(z.string().min(1).max(128)).max(50);

export const campaignAudienceSchema = z
  .object({
    channelId: z.string().min(1).max(128).describe('The WhatsApp channel that sends.'),
    tags: ids.optional().describe('Contacts with any of these tags.'),
    leadStages: ids.optional().describe('Contacts with a lead in any of these stages.'),
    formIds: ids.optional().describe('Contacts with a lead from any of these forms.'),
  })
  .strict();
export type CampaignAudience = z.infer<typeof campaignAudienceSchema>;

export const campaignEstimateSchema = z.object({
  /** Contacts that would be sent now: in the audience, with a number, opted in. */
  eligible: z.number().int(),
  excluded: z.object({
    optedOut: z.number().int(),
    /** No consent recorded (`unknown`): never broadcast to. */
    noConsent: z.number().int(),
    /** In the audience but without a WhatsApp number. */
    noPhone: z.number().int(),
  }),
});
export type CampaignEstimate = z.infer<typeof campaignEstimateSchema>;

export const campaignContactFieldSchema = z.union([
  z.enum([
    'contact.first_name',
    'contact.name',
    'contact.phone',
    'contact.email',
    'contact.company',
  ]),
  z.string().regex(/^contact\.attributes\.[\w.-]{1,64}$/, 'contact.attributes.<key>'),
]);
export type CampaignContactField = z.infer<typeof campaignContactFieldSchema>;

/** One body parameter: a contact field (with a fallback when the contact has none) or fixed text. */
export const campaignParameterSchema = z.union([
  z
    .object({ field: campaignContactFieldSchema, fallback: z.string().min(1).max(1024).optional() })
    .strict(),
  z.object({ text: z.string().min(1).max(1024) }).strict(),
]);
export type CampaignParameter = z.infer<typeof campaignParameterSchema>;

export const campaignTemplateSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'Template names are lower case, digits and _.'),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'A Meta language code such as en_US or pt_BR.'),
    /** Positional (`{{1}}`…) as an array; named (`{{first_name}}`) as a record. */
    parameters: z
      .union([
        z.array(campaignParameterSchema).max(20),
        z.record(z.string().regex(/^[a-z0-9_]{1,64}$/), campaignParameterSchema),
      ])
      .optional(),
  })
  .strict();
export type CampaignTemplate = z.infer<typeof campaignTemplateSchema>;

export const createCampaignRequestSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    audience: campaignAudienceSchema,
    template: campaignTemplateSchema,
    sendAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('A future time schedules the campaign; absent, it starts now.'),
    clientKey: z
      .string()
      .min(8)
      .max(128)
      .optional()
      .describe('A retry with the same key answers the first campaign instead of creating one.'),
  })
  .strict();
export type CreateCampaignRequest = z.infer<typeof createCampaignRequestSchema>;

export const campaignStatusSchema = z.enum([
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
]);
export type CampaignStatus = z.infer<typeof campaignStatusSchema>;

export const campaignRecipientStatusSchema = z.enum([
  'queued',
  'sending',
  'sent',
  'delivered',
  'read',
  'failed',
  'replied',
  'skipped',
]);
export type CampaignRecipientStatus = z.infer<typeof campaignRecipientStatusSchema>;

export const campaignCountsSchema = z.object({
  total: z.number().int(),
  queued: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  read: z.number().int(),
  failed: z.number().int(),
  replied: z.number().int(),
  skipped: z.number().int(),
});
export type CampaignCounts = z.infer<typeof campaignCountsSchema>;

export const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: campaignStatusSchema,
  audience: campaignAudienceSchema,
  template: campaignTemplateSchema,
  sendAt: isoTime.optional(),
  /**
   * Exact, counted from the recipients. `queued` includes those being sent; `sent` those sent
   * and not yet delivered; each recipient is in one bucket, its latest status.
   */
  counts: campaignCountsSchema,
  /** Contacts of the audience left out when it was drawn up (consent, no number). */
  excluded: campaignEstimateSchema.shape.excluded,
  /** Why a running campaign is not sending right now (the number's 24-hour tier is used up). */
  waiting: z.enum(['messaging_limit']).optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
  completedAt: isoTime.optional(),
});
export type CampaignDto = z.infer<typeof campaignSchema>;

export const campaignRecipientSchema = z.object({
  contactId: z.string(),
  phone: z.string().describe('E.164.'),
  status: campaignRecipientStatusSchema,
  /** Meta's code and message, `interrupted` (a crash mid-send: it may have arrived), `opted_out`. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  /** Meta's id of the message (wamid) once accepted. */
  messageId: z.string().optional(),
  updatedAt: isoTime,
});
export type CampaignRecipientDto = z.infer<typeof campaignRecipientSchema>;

export const listCampaignRecipientsQuerySchema = z.object({
  status: campaignRecipientStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});

export const listCampaignsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

import { z } from 'zod';
import { campaignTemplateSchema } from './campaigns';

// Leads: forms with tenant-defined fields, the lead pipeline, branding and CRM destinations.
// Request schemas validate what clients send; submissions are validated by a schema the server
// derives from the form's definition at runtime (see server domain/leads/form-schema.ts).

export const fieldKeySchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,39}$/,
    'Use 1-40 lower-case letters, digits or _, starting with a letter.',
  )
  // Names of the prototype machinery: one spread or marshaller later they are a crash.
  .refine((key) => key !== 'constructor' && key !== 'prototype', 'This key is reserved.');

export const fieldTypeSchema = z.enum([
  'text',
  'email',
  'phone',
  'number',
  'select',
  'multi-select',
  'checkbox',
  'date',
  'textarea',
  'hidden',
]);
export type FieldType = z.infer<typeof fieldTypeSchema>;

/** Which lead attribute a field fills; email and phone fields map themselves by default. */
export const fieldRoleSchema = z.enum([
  'name',
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
]);

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Use YYYY-MM-DD.');

export const fieldValidationSchema = z
  .object({
    /**
     * A tenant's regular expression, matched against the whole value: valid with the `u` flag,
     * run by RE2 on the server (no back-references or lookarounds), refused when too large.
     */
    pattern: z.string().min(1).max(200).optional(),
    patternMessage: z.string().max(200).optional(),
    minLength: z.number().int().min(0).max(10_000).optional(),
    maxLength: z.number().int().min(1).max(10_000).optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    minItems: z.number().int().min(0).max(100).optional(),
    maxItems: z.number().int().min(1).max(100).optional(),
    minDate: isoDate.optional(),
    maxDate: isoDate.optional(),
  })
  .strict();

export const fieldOptionSchema = z
  .object({ value: z.string().min(1).max(100), label: z.string().min(1).max(200) })
  .strict();

export const formFieldSchema = z
  .object({
    key: fieldKeySchema,
    type: fieldTypeSchema,
    label: z.string().trim().min(1).max(200),
    required: z.boolean().default(false),
    placeholder: z.string().max(200).optional(),
    helpText: z.string().max(500).optional(),
    options: z.array(fieldOptionSchema).min(1).max(100).optional(),
    validation: fieldValidationSchema.optional(),
    /** A checkbox that must be ticked (terms, marketing consent); its label is kept with the lead. */
    consent: z.boolean().optional(),
    /**
     * A consent box that is an opt-in to marketing on this channel: ticked, with a phone number,
     * it opts the number in (modules/consent), the label kept as the evidence. Unlike other
     * consent boxes it may be left unticked (unless `required`): marketing consent is a choice.
     */
    consentChannel: z.enum(['whatsapp']).optional(),
    /** Hidden fields: filled from this query parameter of the page (utm_source, gclid...). */
    queryParam: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/)
      .optional(),
    /** Hidden fields: a fixed value when the page has no such parameter. */
    defaultValue: z.string().max(500).optional(),
    role: fieldRoleSchema.optional(),
  })
  .strict()
  .superRefine((field, ctx) => {
    const choice = field.type === 'select' || field.type === 'multi-select';
    if (choice && !field.options) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'A choice field needs options.' });
    }
    if (!choice && field.options) {
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: 'Only choice fields take options.',
      });
    }
    if (field.options && new Set(field.options.map((o) => o.value)).size !== field.options.length) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'Option values must be unique.' });
    }
    if (field.consent && field.type !== 'checkbox') {
      ctx.addIssue({
        code: 'custom',
        path: ['consent'],
        message: 'Only a checkbox can be a consent.',
      });
    }
    if (field.consentChannel && !field.consent) {
      ctx.addIssue({
        code: 'custom',
        path: ['consentChannel'],
        message: 'Only a consent box can be a channel opt-in.',
      });
    }
    if ((field.queryParam || field.defaultValue !== undefined) && field.type !== 'hidden') {
      ctx.addIssue({
        code: 'custom',
        path: ['queryParam'],
        message: 'Only hidden fields read query parameters or defaults.',
      });
    }
    const v = field.validation;
    if (v?.minLength !== undefined && v.maxLength !== undefined && v.minLength > v.maxLength) {
      ctx.addIssue({
        code: 'custom',
        path: ['validation'],
        message: 'minLength exceeds maxLength.',
      });
    }
    if (v?.min !== undefined && v.max !== undefined && v.min > v.max) {
      ctx.addIssue({ code: 'custom', path: ['validation'], message: 'min exceeds max.' });
    }
  });
export type FormField = z.infer<typeof formFieldSchema>;

/** `https://example.com` or `http://localhost:5173`: scheme, host and port only. */
export const originSchema = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'An origin is scheme://host[:port], no path.')
  .transform((o) => o.toLowerCase());

/** The definition's shape without its cross-field checks (for derived schemas: omit, extend). */
export const formDefinitionBaseSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    fields: z.array(formFieldSchema).min(1).max(50),
    allowedOrigins: z.array(originSchema).max(20).default([]),
    submitLabel: z.string().max(60).optional(),
    successMessage: z.string().max(500).optional(),
    redirectUrl: z
      .url({ protocol: /^https$/ })
      .max(2000)
      .optional(),
    /** Calling code for phone numbers typed without one (e.g. "55" for Brazil). */
    defaultCountryCode: z
      .string()
      .regex(/^[1-9]\d{0,2}$/)
      .optional(),
  })
  .strict();

/**
 * A form's WhatsApp follow-up: right after a submission whose WhatsApp opt-in box is ticked, this
 * approved template goes to the submitted phone from this channel, in the lead's conversation.
 * Body parameters use the campaigns' vocabulary, read from the submission: `contact.name`,
 * `contact.first_name`, `contact.email`, `contact.phone`, `contact.company`, and
 * `contact.attributes.<field key>` for any of the form's fields; a fallback when it was left empty.
 */
export const formWhatsappHandoffSchema = z
  .object({
    channelId: z.string().min(1).max(128).describe('The WhatsApp channel that sends.'),
    template: campaignTemplateSchema,
  })
  .strict();
export type FormWhatsappHandoff = z.infer<typeof formWhatsappHandoffSchema>;

const attributeField = /^contact\.attributes\.(.+)$/;

export const formDefinitionSchema = formDefinitionBaseSchema
  // Apart from the base: what a landing page reads (the public config) never names the channel.
  .extend({ whatsappHandoff: formWhatsappHandoffSchema.optional() })
  .superRefine((form, ctx) => {
    const keys = form.fields.map((f) => f.key);
    if (new Set(keys).size !== keys.length) {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'Field keys must be unique.' });
    }
    if (!form.fields.some((f) => f.type === 'email' || f.type === 'phone')) {
      ctx.addIssue({
        code: 'custom',
        path: ['fields'],
        message: 'A form needs an email or a phone field: a lead must be reachable.',
      });
    }
    const handoff = form.whatsappHandoff;
    if (!handoff) return;
    if (!form.fields.some((f) => f.consent && f.consentChannel === 'whatsapp')) {
      ctx.addIssue({
        code: 'custom',
        path: ['whatsappHandoff'],
        message: 'A WhatsApp follow-up needs a WhatsApp opt-in box: it is sent only when ticked.',
      });
    }
    const params = handoff.template.parameters ?? [];
    for (const [name, param] of Object.entries(params)) {
      const key = 'field' in param ? attributeField.exec(param.field)?.[1] : undefined;
      if (key !== undefined && !keys.includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['whatsappHandoff', 'template', 'parameters', name],
          message: `The form has no field "${key}".`,
        });
      }
    }
  });
export type FormDefinition = z.infer<typeof formDefinitionSchema>;

export const createFormRequestSchema = formDefinitionSchema;
export const updateFormRequestSchema = formDefinitionSchema;

export const formSchema = z.object({
  id: z.string(),
  name: z.string(),
  fields: z.array(formFieldSchema),
  allowedOrigins: z.array(z.string()),
  version: z.number().describe('Draft version: bumped by every update.'),
  publishedVersion: z.number().optional(),
  status: z.enum(['draft', 'published', 'archived']),
  submitLabel: z.string().optional(),
  successMessage: z.string().optional(),
  redirectUrl: z.string().optional(),
  defaultCountryCode: z.string().optional(),
  whatsappHandoff: formWhatsappHandoffSchema.optional(),
  embedSnippet: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type FormDto = z.infer<typeof formSchema>;

/** A submission: field values by key. The honeypot is a field real people never see. */
export const submissionRequestSchema = z.object({
  fields: z.record(z.string().max(64), z.unknown()),
  /** Honeypot: left empty by people, filled by bots. */
  website: z.string().max(2000).optional(),
});
export type SubmissionRequest = z.infer<typeof submissionRequestSchema>;

/** `POST /leads` with an API key: validated against `formId`'s published form, or the built-in API form. */
export const createLeadRequestSchema = z.object({
  formId: z.string().min(1).max(64).optional(),
  fields: z.record(z.string().max(64), z.unknown()),
});

export const submissionAcceptedSchema = z.object({ submissionId: z.string() });

export const pipelineStageSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,32}$/),
    name: z.string().trim().min(1).max(60),
    kind: z.enum(['open', 'won', 'lost']),
  })
  .strict();
export const pipelineSchema = z
  .object({ stages: z.array(pipelineStageSchema).min(1).max(20) })
  .strict()
  .superRefine((p, ctx) => {
    if (new Set(p.stages.map((s) => s.id)).size !== p.stages.length) {
      ctx.addIssue({ code: 'custom', path: ['stages'], message: 'Stage ids must be unique.' });
    }
    if (!p.stages.some((s) => s.kind === 'open')) {
      ctx.addIssue({
        code: 'custom',
        path: ['stages'],
        message: 'At least one stage must be open.',
      });
    }
  });
export type Pipeline = z.infer<typeof pipelineSchema>;

/** The pipeline as stored: its stages and when they last changed (absent until first edited). */
export const pipelineViewSchema = z.object({
  // Not strict like the request: a client keeps working when a stage gains a field.
  stages: z.array(z.object(pipelineStageSchema.shape)),
  updatedAt: z.string().optional(),
});
export type PipelineView = z.infer<typeof pipelineViewSchema>;

const customValue = z.union([
  z.string().max(10_000),
  z.number().finite(),
  z.boolean(),
  z.array(z.string().max(100)).max(100),
  z.null(),
]);

export const patchLeadRequestSchema = z
  .object({
    stage: z.string().min(1).max(32).optional(),
    ownerId: z.string().min(1).max(64).nullable().optional(),
    tags: z.array(z.string().trim().min(1).max(40)).max(50).optional(),
    custom: z.record(fieldKeySchema, customValue).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    company: z.string().trim().max(200).optional(),
  })
  .strict();
export type PatchLeadRequest = z.infer<typeof patchLeadRequestSchema>;

const leadFilterQuerySchema = z.object({
  stage: z.string().max(32).optional(),
  ownerId: z.string().max(64).optional(),
  formId: z.string().max(64).optional(),
  customerId: z.string().max(128).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  deleted: z.enum(['true', 'false']).optional(),
});

/** A created-at range must not end before it starts (compared as instants, offsets applied). */
function orderedRange(query: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  if (query.from && query.to && Date.parse(query.from) > Date.parse(query.to)) {
    for (const path of ['from', 'to']) {
      ctx.addIssue({ code: 'custom', path: [path], message: '`from` must not be after `to`.' });
    }
  }
}

export const listLeadsQuerySchema = leadFilterQuerySchema
  .extend({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(2048).optional(),
  })
  .superRefine(orderedRange);

/** The list's filters without paging (`GET /leads/export.csv`). */
export const exportLeadsQuerySchema = leadFilterQuerySchema.superRefine(orderedRange);

/** Where a lead's CRM sync stands: `not_configured` when the workspace has no destination. */
export const leadSyncStatusSchema = z.enum([
  'pending',
  'synced',
  'retrying',
  'failed',
  'not_configured',
]);
export type LeadSyncStatus = z.infer<typeof leadSyncStatusSchema>;

export const leadSyncSchema = z.object({
  status: leadSyncStatusSchema,
  attempts: z.number(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().optional(),
  syncedAt: z.string().optional(),
});

export const leadSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  company: z.string().optional(),
  stage: z.string(),
  ownerId: z.string().optional(),
  tags: z.array(z.string()),
  custom: z.record(z.string(), z.unknown()),
  utm: z.record(z.string(), z.string()).optional(),
  formId: z.string().optional(),
  source: z.enum(['form', 'api', 'import', 'conversation']),
  /** Set when an agent made the lead from a conversation (`POST /conversations/{id}/lead`). */
  conversationId: z.string().optional(),
  submissionCount: z.number(),
  lastSubmittedAt: z.string(),
  /** Consent boxes the person ticked, with the exact label they saw and when. */
  consents: z.array(z.object({ key: z.string(), label: z.string(), at: z.string() })).optional(),
  sync: leadSyncSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().optional(),
});
export type LeadDto = z.infer<typeof leadSchema>;

export const noteRequestSchema = z.object({ body: z.string().trim().min(1).max(5000) }).strict();

const hexColor = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'Use a hex colour: #RGB or #RRGGBB.')
  .transform((c) => c.toLowerCase());

/** ISO 3166 alpha-2, upper case ("US", "BR"); the server also checks it is a known country. */
export const countryCodeSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'A two-letter country code (ISO 3166), e.g. US.');

export const brandingRequestSchema = z
  .object({
    displayName: z.string().trim().min(1).max(80).optional(),
    colors: z
      .object({
        primary: hexColor.optional(),
        background: hexColor.optional(),
        text: hexColor.optional(),
        accent: hexColor.optional(),
      })
      .strict()
      .default({}),
    /**
     * The workspace's default country (ISO 3166 alpha-2, e.g. "US"): phone numbers typed without
     * a country code (forms, imports, agents) are read in it. Omitted keeps it; null clears it.
     */
    defaultCountry: countryCodeSchema.nullable().optional(),
  })
  .strict();
export type BrandingRequest = z.infer<typeof brandingRequestSchema>;

export const createCrmDestinationRequestSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('webhook'),
      url: z.url().max(2000),
      name: z.string().trim().min(1).max(80).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('hubspot'),
      /** A HubSpot private-app access token with crm.objects.contacts.write. Stored encrypted. */
      accessToken: z.string().min(16).max(512),
      name: z.string().trim().min(1).max(80).optional(),
    })
    .strict(),
]);
export type CreateCrmDestinationRequest = z.infer<typeof createCrmDestinationRequestSchema>;

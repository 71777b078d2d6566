import { formFieldSchema, formSchema, leadSchema } from '@switchboard/contracts';
import { z } from 'zod';

// Response shapes of routes that have no response schema in @switchboard/contracts yet. Each
// moves to the contracts package when its route lands there; they stay tolerant meanwhile
// (optional fields, passthrough) so a new server field never breaks a screen.

export const brandingSchema = z
  .object({
    displayName: z.string().nullish(),
    colors: z
      .object({
        primary: z.string().nullish(),
        background: z.string().nullish(),
        text: z.string().nullish(),
        accent: z.string().nullish(),
      })
      .partial()
      .default({}),
    logoUrl: z.string().nullish(),
    updatedAt: z.string().nullish(),
  })
  .passthrough();
export type Branding = z.infer<typeof brandingSchema>;

export const leadNoteSchema = z
  .object({
    id: z.string(),
    body: z.string(),
    author: z
      .object({ kind: z.string(), id: z.string().optional(), email: z.string().optional() })
      .partial()
      .optional(),
    createdAt: z.string(),
  })
  .passthrough();
export type LeadNote = z.infer<typeof leadNoteSchema>;

export const crmDestinationSchema = z
  .object({
    id: z.string(),
    type: z.enum(['webhook', 'hubspot']),
    name: z.string().nullish(),
    url: z.string().nullish(),
    enabled: z.boolean().default(true),
    createdAt: z.string().optional(),
    /** Webhook destinations: the signing secret, shown once at creation. */
    secret: z.string().optional(),
    signingSecret: z.string().optional(),
  })
  .passthrough();
export type CrmDestination = z.infer<typeof crmDestinationSchema>;

export const crmTestResultSchema = z
  .object({
    delivered: z.boolean(),
    status: z.number().nullish(),
    error: z.string().nullish(),
  })
  .passthrough();
export type CrmTestResult = z.infer<typeof crmTestResultSchema>;

export const publicFormSchema = z
  .object({
    id: z.string(),
    version: z.number(),
    name: z.string(),
    fields: z.array(formFieldSchema),
    submitLabel: z.string().optional(),
    successMessage: z.string().optional(),
    redirectUrl: z.string().optional(),
    defaultCountryCode: z.string().optional(),
    branding: brandingSchema.partial().optional(),
    submitUrl: z.string().optional(),
  })
  .passthrough();
export type PublicForm = z.infer<typeof publicFormSchema>;

export const formViewSchema = formSchema
  .extend({
    submitLabel: z.string().optional(),
    successMessage: z.string().optional(),
    redirectUrl: z.string().optional(),
    defaultCountryCode: z.string().optional(),
    hostedPath: z.string().optional(),
  })
  .passthrough();
export type FormView = z.infer<typeof formViewSchema>;

export const publishResultSchema = z
  .object({
    id: z.string(),
    version: z.number(),
    publishedAt: z.string().optional(),
    embedSnippet: z.string().optional(),
    hostedPath: z.string().optional(),
  })
  .passthrough();

export const pipelineResponseSchema = z
  .object({
    stages: z.array(
      z.object({ id: z.string(), name: z.string(), kind: z.enum(['open', 'won', 'lost']) }),
    ),
  })
  .passthrough();
export type PipelineStage = z.infer<typeof pipelineResponseSchema>['stages'][number];

export const leadDetailSchema = leadSchema
  .extend({
    contact: z
      .object({ id: z.string(), name: z.string().optional(), phone: z.string().optional() })
      .passthrough()
      .optional(),
    submissions: z
      .array(
        z
          .object({
            id: z.string(),
            source: z.string().optional(),
            formId: z.string().optional(),
            formVersion: z.number().optional(),
            submittedAt: z.string(),
            fields: z.record(z.string(), z.unknown()).optional(),
          })
          .passthrough(),
      )
      .default([]),
  })
  .passthrough();
export type LeadDetail = z.infer<typeof leadDetailSchema>;

export const channelListSchema = z.object({
  items: z.array(
    z
      .object({
        id: z.string(),
        type: z.enum(['whatsapp', 'instagram']),
        status: z.string(),
        wabaId: z.string().optional(),
        phoneNumberId: z.string().optional(),
        accountId: z.string().optional(),
        displayName: z.string().optional(),
        createdAt: z.string().optional(),
      })
      .passthrough(),
  ),
  nextCursor: z.string().nullable().optional(),
});

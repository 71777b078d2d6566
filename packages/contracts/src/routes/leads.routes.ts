import { z } from 'zod';
import { pageOf } from '../conversations';
import {
  brandingRequestSchema,
  createCrmDestinationRequestSchema,
  createFormRequestSchema,
  createLeadRequestSchema,
  exportLeadsQuerySchema,
  formDefinitionBaseSchema,
  formSchema,
  leadSchema,
  listLeadsQuerySchema,
  noteRequestSchema,
  patchLeadRequestSchema,
  pipelineSchema,
  pipelineViewSchema,
  submissionAcceptedSchema,
  submissionRequestSchema,
  updateFormRequestSchema,
} from '../leads';
import { defineRoutes } from '../route-contract';
import { KiB, MiB, cursorSchema, noContent, pageSizeSchema } from './common';

// Ids of the leads flow have a fixed shape: anything else is a missing object, before any read.
const formIdParams = z.object({ id: z.string().regex(/^fm_[0-9a-z]{20}$/) });
const leadIdParams = z.object({ id: z.string().regex(/^ld_[0-9a-z]{22}$/) });
const crmIdParams = z.object({ id: z.string().regex(/^crm_[0-9a-z]{20}$/) });

const formHandoffErrors = [
  'channel_not_found',
  'template_not_found',
  'channel_token_invalid',
  'meta_unavailable',
  'meta_error',
] as const;

export const formViewSchema = formSchema.extend({
  hostedPath: z.string().optional().describe('The hosted page, once published: `/f/{formId}`.'),
});
export type FormView = z.infer<typeof formViewSchema>;

export const publishedFormSchema = z.object({
  id: z.string(),
  version: z.number(),
  publishedAt: z.string(),
  embedSnippet: z.string(),
  hostedPath: z.string(),
  configKey: z.string(),
});

export const brandingSchema = z.object({
  displayName: z.string().nullable(),
  colors: z.object({
    primary: z.string().optional(),
    background: z.string().optional(),
    text: z.string().optional(),
    accent: z.string().optional(),
  }),
  logoUrl: z.string().nullable().describe('A time-limited signed URL (1 h).'),
  logoContentType: z.string().nullable(),
  /** ISO 3166 alpha-2: where phone numbers without a country code are read. */
  defaultCountry: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type BrandingDto = z.infer<typeof brandingSchema>;

export const publicFormSchema = formDefinitionBaseSchema.omit({ allowedOrigins: true }).extend({
  id: z.string(),
  version: z.number(),
  branding: brandingSchema
    .pick({ displayName: true, colors: true, logoUrl: true })
    .extend({ defaultCountry: z.string().optional() }),
  submitUrl: z.string(),
});
export type PublicFormDto = z.infer<typeof publicFormSchema>;

// The published form config on the CDN (`public/forms/<formId>/…` of the assets bucket, behind
// the assets distribution in AWS and `/cdn/` in the sandbox). The hosted page and the embed script
// read these files, never the API: `current.json` (short cache) names the live version's file
// (immutable). Both are public: nothing in them beyond what the page renders and posts to.

export const formConfigFormat = 'switchboard.form-config/1';
export const formConfigPointerFormat = 'switchboard.form-config-pointer/1';

/** Where the files live, under the CDN's base URL (and as blob keys). */
export const formConfigPaths = {
  dir: (formId: string) => `public/forms/${formId}/`,
  pointer: (formId: string) => `public/forms/${formId}/current.json`,
  /** `rev`: a hash of the file's content, so a branding change gets a new immutable file. */
  version: (formId: string, version: number, rev: string) =>
    `public/forms/${formId}/v${version}.${rev}.json`,
};

/** Cache lifetimes the files are stored with (and that the CDN honours). */
export const formConfigCacheControl = {
  version: 'public, max-age=31536000, immutable',
  pointer: 'public, max-age=60',
};

export const publishedFormConfigSchema = publicFormSchema.extend({
  format: z.literal(formConfigFormat),
  publishedAt: z.string(),
});
export type PublishedFormConfig = z.infer<typeof publishedFormConfigSchema>;

export const formConfigPointerSchema = z.discriminatedUnion('status', [
  z.object({
    format: z.literal(formConfigPointerFormat),
    formId: z.string(),
    status: z.literal('live'),
    version: z.number().int().positive(),
    /** The versioned file's key: readers fetch `<the base they read this from>/<configPath>`. */
    configPath: z.string().regex(/^public\/forms\/fm_[0-9a-z]{20}\/v\d{1,9}\.[0-9a-f]{12}\.json$/),
    /** The same file's absolute URL, for people and API users. */
    configUrl: z.url({ protocol: /^https?$/ }),
    publishedAt: z.string(),
  }),
  z.object({
    format: z.literal(formConfigPointerFormat),
    formId: z.string(),
    /** Archived (or never live): the page says the form is not available. */
    status: z.literal('withdrawn'),
    withdrawnAt: z.string(),
  }),
]);
export type FormConfigPointer = z.infer<typeof formConfigPointerSchema>;

export const publicSubmissionRequestSchema = submissionRequestSchema.extend({
  /** Browsers post as a CORS simple request (no custom headers), so the key may ride in the body. */
  idempotencyKey: z.string().max(255).optional(),
});

export const leadNoteSchema = z.object({
  id: z.string(),
  leadId: z.string(),
  body: z.string(),
  author: z.object({ kind: z.enum(['user', 'apiKey']), id: z.string() }),
  createdAt: z.string(),
});
export type LeadNoteDto = z.infer<typeof leadNoteSchema>;

export const leadDetailSchema = leadSchema.extend({
  contact: z.object({
    id: z.string(),
    name: z.string().optional(),
    phone: z.string().optional(),
    email: z.string().optional(),
    company: z.string().optional(),
    identities: z
      .object({ whatsapp: z.string().optional(), instagram: z.string().optional() })
      .optional(),
    mergedInto: z.string().optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  }),
  submissions: z.array(
    z.object({
      id: z.string(),
      source: z.enum(['form', 'api', 'import', 'conversation']),
      formId: z.string().optional(),
      formVersion: z.number().optional(),
      submittedAt: z.string(),
      fields: z
        .record(z.string(), z.unknown())
        .describe(
          'The submission as accepted: the values of the fields the form declares, validated and normalised (undeclared keys are not kept).',
        ),
    }),
  ),
});
export type LeadDetailDto = z.infer<typeof leadDetailSchema>;

export const leadImportResultSchema = z.object({
  accepted: z.number(),
  rejected: z.array(z.object({ row: z.number(), fields: z.record(z.string(), z.string()) })),
  submissionIds: z.array(z.string()),
});

export const crmDestinationSchema = z.object({
  id: z.string(),
  type: z.enum(['webhook', 'hubspot']),
  name: z.string().optional(),
  url: z.string().optional(),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export type CrmDestinationDto = z.infer<typeof crmDestinationSchema>;

export const createdCrmDestinationSchema = crmDestinationSchema.extend({
  /** Webhook destinations: the Standard Webhooks signing secret (`whsec_…`), shown this once. */
  secret: z.string().optional(),
});

export const crmTestResultSchema = z.object({
  delivered: z.boolean(),
  status: z.number().nullable(),
  error: z.string().optional(),
});

const idempotencyHeader = {
  name: 'Idempotency-Key',
  description: 'Makes retries safe: the same key answers with the first submissionId (24 h).',
};

export const formRoutes = defineRoutes({
  'forms.create': {
    method: 'POST',
    path: '/forms',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Lead forms',
    summary: 'Create a lead form',
    description:
      'Fields have a type (text, email, phone, number, select, multi-select, checkbox, date, textarea, hidden), label, required flag and validation. A pattern must match the whole value; it runs in RE2 (linear time: no back-references or lookarounds) and is refused when RE2 cannot compile it or when it is too large to check quickly (large `{n,m}` counts, many `\\p{…}` classes).',
    body: createFormRequestSchema,
    maxBodyBytes: 64 * KiB,
    responses: { 201: { description: 'The form (a draft).', schema: formViewSchema } },
    // A WhatsApp follow-up names a WhatsApp channel of the workspace and one of its approved
    // templates, checked with Meta when saved.
    errors: formHandoffErrors,
  },
  'forms.list': {
    method: 'GET',
    path: '/forms',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Lead forms',
    summary: 'The workspace’s forms',
    responses: { 200: { description: 'The forms.', schema: pageOf(formViewSchema) } },
  },
  'forms.get': {
    method: 'GET',
    path: '/forms/{id}',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Lead forms',
    summary: 'One form',
    params: formIdParams,
    responses: { 200: { description: 'The form.', schema: formViewSchema } },
  },
  'forms.update': {
    method: 'PUT',
    path: '/forms/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Lead forms',
    summary: 'Replace a form’s draft (bumps its version)',
    params: formIdParams,
    body: updateFormRequestSchema,
    maxBodyBytes: 64 * KiB,
    responses: { 200: { description: 'The form.', schema: formViewSchema } },
    // A WhatsApp follow-up names a WhatsApp channel of the workspace and one of its approved
    // templates, checked with Meta when saved.
    errors: formHandoffErrors,
  },
  'forms.publish': {
    method: 'POST',
    path: '/forms/{id}/publish',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Lead forms',
    summary: 'Publish the draft as the next version',
    description:
      'Makes the form live on its public routes and embed snippet, and writes its config to the CDN: `public/forms/<formId>/v<n>.<rev>.json` (immutable; `configKey`), then `public/forms/<formId>/current.json` (cached 60 s), which the hosted page and the embed script read.',
    params: formIdParams,
    maxBodyBytes: 1 * KiB,
    responses: { 200: { description: 'The published version.', schema: publishedFormSchema } },
    errors: ['conflict'],
  },
  'forms.archive': {
    method: 'DELETE',
    path: '/forms/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Lead forms',
    summary: 'Archive a form (its public routes answer 404)',
    params: formIdParams,
    responses: { 204: noContent },
  },
  'public-forms.get': {
    method: 'GET',
    path: '/public/forms/{id}',
    access: { kind: 'public' },
    tag: 'Public forms',
    summary: 'A published form with the workspace’s branding',
    description:
      'For API users: the hosted page and the embed script read the same config from the CDN (`public/forms/{id}/current.json`). The logo is a signed URL. A form of a suspended workspace answers 404, like an archived one.',
    params: formIdParams,
    responses: { 200: { description: 'The form config.', schema: publicFormSchema } },
  },
  'public-forms.embed': {
    method: 'GET',
    path: '/public/forms/{id}/embed.js',
    access: { kind: 'public' },
    tag: 'Public forms',
    summary: 'The embed script',
    description:
      '`<script src=".../public/forms/{id}/embed.js" async></script>` renders the form where the tag is (or into `data-target`). 404 unless the form is live and its workspace active.',
    params: formIdParams,
    responses: { 200: { description: 'JavaScript.', contentType: 'text/javascript' } },
  },
  'public-forms.submit': {
    method: 'POST',
    path: '/public/forms/{id}/submissions',
    access: { kind: 'public' },
    tag: 'Public forms',
    summary: 'Submit a lead from a landing page',
    description:
      'No sign-in. The `Origin` must be one of the form’s allowed origins (or the hosted page’s). Accepted as `application/json` or `text/plain` (a CORS simple request). Answered 202 once the submission is durably on the bus; `website` is a honeypot. Keys the form does not declare are dropped; a reserved key (`__proto__`, `constructor`, `prototype`) or a nested object anywhere in `fields` is a 400 `validation_failed`. A form of a suspended workspace answers 404.',
    params: formIdParams,
    headers: [idempotencyHeader],
    body: publicSubmissionRequestSchema,
    maxBodyBytes: 64 * KiB,
    responses: { 202: { description: 'Accepted.', schema: submissionAcceptedSchema } },
    errors: [
      'origin_not_allowed',
      'invalid_submission',
      'lead_too_large',
      'rate_limited',
      'idempotency_key_reused',
    ],
  },
});

export const leadRoutes = defineRoutes({
  'leads.create': {
    method: 'POST',
    path: '/leads',
    access: { kind: 'tenant', role: 'agent', scope: 'leads:write' },
    tag: 'Leads',
    summary: 'Create a lead from your backend',
    description:
      'With an API key (scope `leads:write`). Fields are validated against `formId`’s published form, or the built-in fields (name, first_name, last_name, email, phone, company, message; other keys become custom fields, at most 50). Reserved keys and nested values are a 400 `validation_failed`; custom fields past a lead’s caps (100 fields, 32 KiB per value, 64 KiB together) a 422 `lead_too_large`.',
    headers: [idempotencyHeader],
    body: createLeadRequestSchema,
    maxBodyBytes: 64 * KiB,
    responses: { 202: { description: 'Accepted.', schema: submissionAcceptedSchema } },
    errors: [
      'invalid_submission',
      'lead_too_large',
      'idempotency_key_reused',
      'bad_request',
      'not_found',
    ],
  },
  'leads.list': {
    method: 'GET',
    path: '/leads',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Leads',
    summary: 'Leads, newest first',
    description:
      'Filters: stage, owner, source form, created range, text (name, e-mail, phone, company), a contact’s leads (`customerId`), deleted. A page may be short when filters skip many leads: follow `nextCursor`.',
    query: listLeadsQuerySchema,
    responses: { 200: { description: 'A page of leads.', schema: pageOf(leadSchema) } },
    errors: ['bad_request'],
  },
  'leads.export': {
    method: 'GET',
    path: '/leads/export.csv',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Leads',
    summary: 'Export leads as CSV',
    description:
      "The list filters apply. Cells that a spreadsheet would run as a formula are prefixed with `'`. At most 10,000 rows (`X-Truncated: true` beyond).",
    query: exportLeadsQuerySchema,
    responses: { 200: { description: 'CSV.', contentType: 'text/csv' } },
  },
  'leads.import': {
    method: 'POST',
    path: '/leads/import',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Leads',
    summary: 'Import leads from CSV',
    description:
      'A header row (name, email, phone, company, stage, tags, other columns as custom fields), then up to 1,000 rows. Each row flows like a submission; re-importing the same file changes nothing. A reserved column name (`__proto__`, `constructor`, `prototype`) refuses the file (400 `validation_failed`); a row past a lead’s custom-field caps is rejected with the others that fail.',
    rawBody: { contentType: 'text/csv', schema: z.string().describe('text/csv') },
    maxBodyBytes: 1 * MiB,
    responses: {
      202: {
        description: 'Accepted rows and the rejected ones with reasons.',
        schema: leadImportResultSchema,
      },
    },
    errors: ['unsupported_media_type', 'bad_request'],
  },
  'leads.get': {
    method: 'GET',
    path: '/leads/{id}',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Leads',
    summary: 'A lead with its contact, raw submissions and CRM sync status',
    params: leadIdParams,
    responses: { 200: { description: 'The lead.', schema: leadDetailSchema } },
  },
  'leads.update': {
    method: 'PATCH',
    path: '/leads/{id}',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Leads',
    summary: 'Move, assign, tag or edit a lead',
    description:
      'Custom fields: `null` removes one. A lead holds at most 100 custom fields, 32 KiB per value and 64 KiB together; an edit that would pass a cap is a 422 `lead_too_large` and changes nothing.',
    params: leadIdParams,
    body: patchLeadRequestSchema,
    maxBodyBytes: 64 * KiB,
    responses: { 200: { description: 'The lead.', schema: leadSchema } },
    errors: ['invalid_parameter', 'conflict', 'lead_too_large'],
  },
  'leads.delete': {
    method: 'DELETE',
    path: '/leads/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Leads',
    summary: 'Delete a lead (soft; restorable)',
    params: leadIdParams,
    responses: { 204: noContent },
  },
  'leads.restore': {
    method: 'POST',
    path: '/leads/{id}/restore',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Leads',
    summary: 'Restore a deleted lead',
    params: leadIdParams,
    maxBodyBytes: 1 * KiB,
    responses: { 200: { description: 'The lead.', schema: leadSchema } },
  },
  'leads.notes.create': {
    method: 'POST',
    path: '/leads/{id}/notes',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Leads',
    summary: 'Add a note to a lead',
    params: leadIdParams,
    body: noteRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: { 201: { description: 'The note.', schema: leadNoteSchema } },
  },
  'leads.notes.list': {
    method: 'GET',
    path: '/leads/{id}/notes',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Leads',
    summary: 'A lead’s notes, newest first',
    params: leadIdParams,
    query: z.object({ limit: pageSizeSchema, cursor: cursorSchema }),
    responses: { 200: { description: 'A page of notes.', schema: pageOf(leadNoteSchema) } },
    errors: ['bad_request'],
  },
  'leads.sync': {
    method: 'POST',
    path: '/leads/{id}/sync',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Leads',
    summary: 'Push the lead to the CRM destinations again',
    params: leadIdParams,
    maxBodyBytes: 1 * KiB,
    responses: {
      202: {
        description: 'Queued.',
        schema: z.object({ leadId: z.string(), jobId: z.string() }),
      },
    },
  },
  'pipeline.get': {
    method: 'GET',
    path: '/pipeline',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Leads',
    summary: 'The pipeline’s stages',
    responses: { 200: { description: 'The pipeline.', schema: pipelineViewSchema } },
  },
  'pipeline.update': {
    method: 'PUT',
    path: '/pipeline',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Leads',
    summary: 'Replace the pipeline’s stages',
    body: pipelineSchema,
    maxBodyBytes: 16 * KiB,
    responses: { 200: { description: 'The pipeline.', schema: pipelineViewSchema } },
    errors: ['stage_in_use'],
  },
  'branding.get': {
    method: 'GET',
    path: '/branding',
    access: { kind: 'tenant', role: 'viewer' },
    tag: 'Branding',
    summary: 'The workspace’s branding',
    responses: { 200: { description: 'The branding.', schema: brandingSchema } },
  },
  'branding.update': {
    method: 'PUT',
    path: '/branding',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Branding',
    summary: 'Set the display name and colours',
    body: brandingRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The branding.', schema: brandingSchema } },
  },
  'branding.logo': {
    method: 'POST',
    path: '/branding/logo',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Branding',
    summary: 'Upload the logo (PNG, JPEG or SVG, at most 512 KiB)',
    description:
      'The type is read from the bytes. SVGs pass a strict allow-list (no scripts, styles or external references) or are refused.',
    rawBody: { contentType: 'application/octet-stream', description: 'The image bytes.' },
    maxBodyBytes: 512 * KiB,
    responses: { 201: { description: 'The branding.', schema: brandingSchema } },
    errors: ['invalid_image'],
  },
  'assets.get': {
    method: 'GET',
    path: '/assets/{path}',
    access: { kind: 'public' },
    tag: 'Branding',
    summary: 'A tenant asset through a signed URL (sandbox; AWS uses CloudFront)',
    params: z.object({ path: z.string().min(1).max(1024) }),
    query: z.object({ exp: z.string().max(32).optional(), sig: z.string().max(256).optional() }),
    description:
      'Branding, published form configs and message attachments. Each answers with its own Content-Type; attachments other than images, audio and video download (`Content-Disposition: attachment`), and byte ranges are served for seeking in audio and video.',
    responses: {
      200: { description: 'The asset, with its own Content-Type.', contentType: '*/*' },
      206: { description: 'The requested byte range of an attachment.', contentType: '*/*' },
    },
    errors: ['forbidden'],
  },
  'crm-destinations.create': {
    method: 'POST',
    path: '/crm-destinations',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'CRM sync',
    summary: 'Add a CRM destination',
    description:
      'A webhook (https, public address) signed per Standard Webhooks: the `whsec_` secret is returned once. Or HubSpot with a private-app token (stored encrypted, never returned).',
    body: createCrmDestinationRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 201: { description: 'The destination.', schema: createdCrmDestinationSchema } },
    errors: ['unsafe_destination', 'conflict'],
  },
  'crm-destinations.list': {
    method: 'GET',
    path: '/crm-destinations',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'CRM sync',
    summary: 'The workspace’s CRM destinations',
    responses: {
      200: { description: 'The destinations.', schema: pageOf(crmDestinationSchema) },
    },
  },
  'crm-destinations.delete': {
    method: 'DELETE',
    path: '/crm-destinations/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'CRM sync',
    summary: 'Remove a CRM destination',
    params: crmIdParams,
    responses: { 204: noContent },
  },
  'crm-destinations.test': {
    method: 'POST',
    path: '/crm-destinations/{id}/test',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'CRM sync',
    summary: 'Send a test delivery now',
    params: crmIdParams,
    maxBodyBytes: 1 * KiB,
    responses: {
      200: { description: 'What the destination answered.', schema: crmTestResultSchema },
    },
  },
});

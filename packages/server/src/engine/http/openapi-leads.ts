import {
  brandingRequestSchema,
  createCrmDestinationRequestSchema,
  createFormRequestSchema,
  createLeadRequestSchema,
  formDefinitionBaseSchema,
  formSchema,
  leadSchema,
  listLeadsQuerySchema,
  noteRequestSchema,
  pageOf,
  patchLeadRequestSchema,
  pipelineSchema,
  submissionAcceptedSchema,
  submissionRequestSchema,
  updateFormRequestSchema,
} from '@switchboard/contracts';
import { z } from 'zod';
import type { RouteId } from '../topology';
import type { RouteDoc } from './openapi';

// OpenAPI entries of the leads routes (issue 5), merged into routeDocs by openapi.ts.

const noContent = { description: 'Done; no body.' };
const idempotencyHeader = {
  name: 'Idempotency-Key',
  description: 'Makes retries safe: the same key answers with the first submissionId (24 h).',
};
const invalidSubmission =
  'invalid_submission: `error.fields` maps each field key to a message a person can read.';
const brandingView = z.object({
  displayName: z.string().nullable(),
  colors: z.record(z.string(), z.string()),
  logoUrl: z.string().nullable().describe('A time-limited signed URL (1 h).'),
  logoContentType: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
const publicForm = formDefinitionBaseSchema.omit({ allowedOrigins: true }).extend({
  id: z.string(),
  version: z.number(),
  branding: brandingView.pick({ displayName: true, colors: true, logoUrl: true }),
  submitUrl: z.string(),
});
const note = z.object({
  id: z.string(),
  leadId: z.string(),
  body: z.string(),
  author: z.object({ kind: z.string(), id: z.string() }),
  createdAt: z.string(),
});
const destination = z.object({
  id: z.string(),
  type: z.enum(['webhook', 'hubspot']),
  name: z.string().optional(),
  url: z.string().optional(),
  enabled: z.boolean(),
  createdAt: z.string(),
});
const leadDetail = leadSchema.extend({
  contact: z.object({ id: z.string() }).passthrough(),
  submissions: z.array(
    z.object({
      id: z.string(),
      source: z.string(),
      formId: z.string().optional(),
      formVersion: z.number().optional(),
      submittedAt: z.string(),
      fields: z.record(z.string(), z.unknown()).describe('As the client sent them.'),
    }),
  ),
});
const published = z.object({
  id: z.string(),
  version: z.number(),
  publishedAt: z.string(),
  embedSnippet: z.string(),
  hostedPath: z.string(),
  configKey: z.string(),
});

export const leadRouteDocs: Partial<Record<RouteId, RouteDoc>> = {
  'forms.create': {
    tag: 'Lead forms',
    summary: 'Create a lead form',
    description:
      'Fields have a type (text, email, phone, number, select, multi-select, checkbox, date, textarea, hidden), label, required flag and validation. Tenant patterns are refused when they could backtrack catastrophically.',
    body: createFormRequestSchema,
    responses: { 201: { description: 'The form (a draft).', schema: formSchema } },
  },
  'forms.list': {
    tag: 'Lead forms',
    summary: 'The workspace’s forms',
    responses: { 200: { description: 'The forms.', schema: pageOf(formSchema) } },
  },
  'forms.get': {
    tag: 'Lead forms',
    summary: 'One form',
    responses: { 200: { description: 'The form.', schema: formSchema } },
  },
  'forms.update': {
    tag: 'Lead forms',
    summary: 'Replace a form’s draft (bumps its version)',
    body: updateFormRequestSchema,
    responses: { 200: { description: 'The form.', schema: formSchema } },
  },
  'forms.publish': {
    tag: 'Lead forms',
    summary: 'Publish the draft as the next version',
    description:
      'Writes `tenants/<tenantId>/forms/<formId>/v<n>.json` and makes the form live on its public routes and embed snippet.',
    responses: { 200: { description: 'The published version.', schema: published } },
    errors: { 409: 'conflict: the form changed while publishing.' },
  },
  'forms.archive': {
    tag: 'Lead forms',
    summary: 'Archive a form (its public routes answer 404)',
    responses: { 204: noContent },
  },
  'public-forms.get': {
    tag: 'Public forms',
    summary: 'A published form with the workspace’s branding',
    description:
      'For the embed script and the hosted page `/f/{formId}`. The logo is a signed URL.',
    responses: { 200: { description: 'The form config.', schema: publicForm } },
  },
  'public-forms.embed': {
    tag: 'Public forms',
    summary: 'The embed script',
    description:
      '`<script src=".../public/forms/{id}/embed.js" async></script>` renders the form where the tag is (or into `data-target`).',
    responses: { 200: { description: 'JavaScript.', contentType: 'text/javascript' } },
  },
  'public-forms.submit': {
    tag: 'Public forms',
    summary: 'Submit a lead from a landing page',
    description:
      'No sign-in. The `Origin` must be one of the form’s allowed origins (or the hosted page’s). Accepted as `application/json` or `text/plain` (a CORS simple request). Answered 202 once the submission is durably on the bus; `website` is a honeypot.',
    headers: [idempotencyHeader],
    body: submissionRequestSchema.extend({ idempotencyKey: z.string().optional() }),
    responses: { 202: { description: 'Accepted.', schema: submissionAcceptedSchema } },
    errors: {
      403: 'origin_not_allowed',
      422: invalidSubmission,
      429: 'rate_limited (per IP and per form), with Retry-After',
    },
  },
  'leads.create': {
    tag: 'Leads',
    summary: 'Create a lead from your backend',
    description:
      'With an API key (scope `leads:write`). Fields are validated against `formId`’s published form, or the built-in fields (name, first_name, last_name, email, phone, company, message; other keys become custom fields).',
    headers: [idempotencyHeader],
    body: createLeadRequestSchema,
    responses: { 202: { description: 'Accepted.', schema: submissionAcceptedSchema } },
    errors: { 422: invalidSubmission },
  },
  'leads.list': {
    tag: 'Leads',
    summary: 'Leads, newest first',
    description:
      'Filters: stage, owner, source form, created range, text (name, e-mail, phone, company), a contact’s leads (`customerId`), deleted. A page may be short when filters skip many leads: follow `nextCursor`.',
    query: listLeadsQuerySchema,
    responses: { 200: { description: 'A page of leads.', schema: pageOf(leadSchema) } },
  },
  'leads.export': {
    tag: 'Leads',
    summary: 'Export leads as CSV',
    description:
      "The list filters apply. Cells that a spreadsheet would run as a formula are prefixed with `'`. At most 10,000 rows (`X-Truncated: true` beyond).",
    query: listLeadsQuerySchema.omit({ limit: true, cursor: true }),
    responses: { 200: { description: 'CSV.', contentType: 'text/csv' } },
  },
  'leads.import': {
    tag: 'Leads',
    summary: 'Import leads from CSV',
    description:
      'A header row (name, email, phone, company, stage, tags, other columns as custom fields), then up to 1,000 rows. Each row flows like a submission; re-importing the same file changes nothing.',
    body: z.string().describe('text/csv'),
    bodyContentType: 'text/csv',
    responses: {
      202: {
        description: 'Accepted rows and the rejected ones with reasons.',
        schema: z.object({
          accepted: z.number(),
          rejected: z.array(
            z.object({ row: z.number(), fields: z.record(z.string(), z.string()) }),
          ),
          submissionIds: z.array(z.string()),
        }),
      },
    },
    errors: { 415: 'unsupported_media_type' },
  },
  'leads.get': {
    tag: 'Leads',
    summary: 'A lead with its contact, raw submissions and CRM sync status',
    responses: { 200: { description: 'The lead.', schema: leadDetail } },
  },
  'leads.update': {
    tag: 'Leads',
    summary: 'Move, assign, tag or edit a lead',
    body: patchLeadRequestSchema,
    responses: { 200: { description: 'The lead.', schema: leadSchema } },
  },
  'leads.delete': {
    tag: 'Leads',
    summary: 'Delete a lead (soft; restorable)',
    responses: { 204: noContent },
  },
  'leads.restore': {
    tag: 'Leads',
    summary: 'Restore a deleted lead',
    responses: { 200: { description: 'The lead.', schema: leadSchema } },
  },
  'leads.notes.create': {
    tag: 'Leads',
    summary: 'Add a note to a lead',
    body: noteRequestSchema,
    responses: { 201: { description: 'The note.', schema: note } },
  },
  'leads.notes.list': {
    tag: 'Leads',
    summary: 'A lead’s notes, newest first',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(25),
      cursor: z.string().optional(),
    }),
    responses: { 200: { description: 'A page of notes.', schema: pageOf(note) } },
  },
  'leads.sync': {
    tag: 'Leads',
    summary: 'Push the lead to the CRM destinations again',
    responses: {
      202: {
        description: 'Queued.',
        schema: z.object({ leadId: z.string(), jobId: z.string() }),
      },
    },
  },
  'pipeline.get': {
    tag: 'Leads',
    summary: 'The pipeline’s stages',
    responses: { 200: { description: 'The pipeline.', schema: pipelineSchema } },
  },
  'pipeline.update': {
    tag: 'Leads',
    summary: 'Replace the pipeline’s stages',
    body: pipelineSchema,
    responses: { 200: { description: 'The pipeline.', schema: pipelineSchema } },
    errors: { 409: 'stage_in_use: a removed stage still has leads.' },
  },
  'branding.get': {
    tag: 'Branding',
    summary: 'The workspace’s branding',
    responses: { 200: { description: 'The branding.', schema: brandingView } },
  },
  'branding.update': {
    tag: 'Branding',
    summary: 'Set the display name and colours',
    body: brandingRequestSchema,
    responses: { 200: { description: 'The branding.', schema: brandingView } },
  },
  'branding.logo': {
    tag: 'Branding',
    summary: 'Upload the logo (PNG, JPEG or SVG, at most 512 KiB)',
    description:
      'The type is read from the bytes. SVGs pass a strict allow-list (no scripts, styles or external references) or are refused.',
    body: z.string().describe('The image bytes.'),
    bodyContentType: 'application/octet-stream',
    responses: { 201: { description: 'The branding.', schema: brandingView } },
    errors: { 415: 'invalid_image' },
  },
  'assets.get': {
    tag: 'Branding',
    summary: 'A tenant asset through a signed URL (sandbox; AWS uses CloudFront)',
    query: z.object({ exp: z.string(), sig: z.string() }),
    responses: { 200: { description: 'The asset.', contentType: 'application/octet-stream' } },
    errors: { 403: 'The link has expired.' },
  },
  'crm-destinations.create': {
    tag: 'CRM sync',
    summary: 'Add a CRM destination',
    description:
      'A webhook (https, public address) signed per Standard Webhooks: the `whsec_` secret is returned once. Or HubSpot with a private-app token (stored encrypted, never returned).',
    body: createCrmDestinationRequestSchema,
    responses: {
      201: {
        description: 'The destination.',
        schema: destination.extend({ secret: z.string().optional() }),
      },
    },
    errors: { 400: 'unsafe_destination', 409: 'conflict: at most 5 destinations.' },
  },
  'crm-destinations.list': {
    tag: 'CRM sync',
    summary: 'The workspace’s CRM destinations',
    responses: { 200: { description: 'The destinations.', schema: pageOf(destination) } },
  },
  'crm-destinations.delete': {
    tag: 'CRM sync',
    summary: 'Remove a CRM destination',
    responses: { 204: noContent },
  },
  'crm-destinations.test': {
    tag: 'CRM sync',
    summary: 'Send a test delivery now',
    responses: {
      200: {
        description: 'What the destination answered.',
        schema: z.object({
          delivered: z.boolean(),
          status: z.number().nullable(),
          error: z.string().optional(),
        }),
      },
    },
  },
};

import { z } from 'zod';
import {
  createContactRequestSchema,
  customerIdSchema,
  mergeContactRequestSchema,
  updateContactRequestSchema,
} from '../contacts';
import { customerSchema } from '../messaging';
import { defineRoutes } from '../route-contract';
import { KiB } from './common';

// Contacts an agent creates, edits and merges. Paths stay under `/customers` (the directory and a
// customer's page are `customers.search` and `customers.get`).

const contactParams = z.object({ id: customerIdSchema });

export const mergeContactResponseSchema = z.object({
  contact: customerSchema.describe('The contact that remains, with the merged one’s identities.'),
  sourceId: z.string().describe('The contact merged in: now a pointer (`mergedInto`).'),
  mergedAt: z.string(),
});

export const backfillCustomerSearchRequestSchema = z
  .object({
    after: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,80}$/)
      .optional()
      .describe('The `next` of the previous answer: where to go on.'),
  })
  .strict();

export const backfillCustomerSearchResponseSchema = z.object({
  indexed: z.number().int().describe('Customers looked at by this call.'),
  next: z
    .string()
    .nullable()
    .describe(
      'Call again with `after` set to this until it is null: then every customer is indexed.',
    ),
});

export const contactRoutes = defineRoutes({
  'customers.create': {
    method: 'POST',
    path: '/customers',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Customers',
    summary: 'Create a contact',
    description: [
      'The phone number (any format) is stored in E.164 with the workspace’s default country; one that cannot be a number is a 400 on `phone`.',
      'Idempotent: a contact with that phone number or e-mail already in the workspace is answered (200) with the fields it lacked filled in; without either, `clientKey` names the contact.',
    ].join('\n\n'),
    body: createContactRequestSchema,
    maxBodyBytes: 48 * KiB,
    responses: {
      201: { description: 'The new contact.', schema: customerSchema },
      200: {
        description: 'The contact that already had that phone or e-mail.',
        schema: customerSchema,
      },
    },
    errors: ['contact_conflict', 'contact_merged'],
  },
  'customers.update': {
    method: 'PATCH',
    path: '/customers/{id}',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Customers',
    summary: 'Edit a contact: name, e-mail, phone, company, attributes, tags',
    description:
      'A phone or e-mail another contact already has is a 409 `contact_conflict`: merge the two instead.',
    params: contactParams,
    body: updateContactRequestSchema,
    maxBodyBytes: 48 * KiB,
    responses: { 200: { description: 'The contact.', schema: customerSchema } },
    errors: ['contact_conflict', 'contact_merged', 'conflict'],
  },
  'customers.merge': {
    method: 'POST',
    path: '/customers/{id}/merge',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Customers',
    summary: 'Merge another contact into this one (one person, one timeline)',
    description: [
      'The source becomes a pointer to this contact: its WhatsApp or Instagram identity, phone, e-mail, leads and conversations show here, and its new messages land here. Audited.',
      'Idempotent: merging the same source again answers the same result. A contact that was itself merged cannot take or give a merge (409 `contact_merged`); two contacts with different identities on the same channel cannot be one (409 `merge_conflict`).',
    ].join('\n\n'),
    params: contactParams,
    body: mergeContactRequestSchema,
    maxBodyBytes: 1 * KiB,
    responses: { 200: { description: 'The merged contact.', schema: mergeContactResponseSchema } },
    errors: ['invalid_parameter', 'contact_merged', 'merge_conflict', 'conflict'],
  },
  'admin.customer-search.backfill': {
    method: 'POST',
    path: '/admin/tenants/{id}/customer-search/backfill',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Index a workspace’s existing customers for search (once, after the upgrade)',
    description:
      'Customers written since the search index existed are indexed as they are written; this indexes those from before, up to 1,000 per call. Idempotent: a customer already indexed costs no write, so it can be run again, or resumed from `next`.',
    body: backfillCustomerSearchRequestSchema,
    maxBodyBytes: 1 * KiB,
    responses: {
      200: { description: 'How far it got.', schema: backfillCustomerSearchResponseSchema },
    },
  },
});

import { z } from 'zod';
import {
  consentKeywordsSchema,
  consentSchema,
  consentChangeSchema,
  customerConsentResponseSchema,
  setConsentRequestSchema,
} from '../consent';
import { customerIdSchema } from '../contacts';
import { defineRoutes } from '../route-contract';
import { KiB } from './common';

// Consent to WhatsApp marketing (contracts/src/consent.ts): a contact's numbers, the manual
// entry an agent makes, and the workspace's opt-out / opt-in keywords (a workspace setting,
// under `/settings`).

const customerParams = z.object({ id: customerIdSchema });

export const setConsentResponseSchema = consentSchema.extend({
  history: z.array(consentChangeSchema).describe('Newest first.'),
});

export const consentKeywordRoutes = defineRoutes({
  'consent-keywords.get': {
    method: 'GET',
    path: '/settings/consent-keywords',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Consent',
    summary: 'The opt-out and opt-in keywords, per language, and their replies',
    description:
      'A WhatsApp message that is exactly one of these words (any case, accents and punctuation aside: “Stop!”, “arret”) opts the number out or back in and gets the language’s reply. A workspace that never set them has STOP and its usual equivalents in English, Spanish, Portuguese, French and German.',
    responses: { 200: { description: 'The keywords.', schema: consentKeywordsSchema } },
  },
  'consent-keywords.update': {
    method: 'PUT',
    path: '/settings/consent-keywords',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Consent',
    summary: 'Replace the opt-out and opt-in keywords (the whole set)',
    description:
      'A word in both an opt-out and an opt-in list (in any language) is refused: 400 `validation_failed`. Audited.',
    body: consentKeywordsSchema,
    maxBodyBytes: 32 * KiB,
    responses: { 200: { description: 'The keywords.', schema: consentKeywordsSchema } },
  },
});

export const consentRoutes = defineRoutes({
  'customers.consent.get': {
    method: 'GET',
    path: '/customers/{id}/consent',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Consent',
    summary: 'A contact’s WhatsApp consent: current status and history of its numbers',
    description:
      'Consent is kept per phone number (what a STOP is about), so a contact lists each of its numbers; a contact without one has none. `unknown`: nothing recorded.',
    params: customerParams,
    responses: {
      200: { description: 'The contact’s numbers.', schema: customerConsentResponseSchema },
    },
  },
  'customers.consent.set': {
    method: 'PUT',
    path: '/customers/{id}/consent',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Consent',
    summary: 'Record consent by hand (the customer agreed or asked to stop elsewhere)',
    description:
      'For the contact’s phone number, with a note saying where it comes from; the signed-in member is kept as the evidence’s author. Audited. A contact without a phone number is a 409 `conflict`.',
    params: customerParams,
    body: setConsentRequestSchema,
    maxBodyBytes: 2 * KiB,
    responses: {
      200: { description: 'The number’s consent, now.', schema: setConsentResponseSchema },
    },
    errors: ['conflict'],
  },
});

import { z } from 'zod';
import {
  attributionResponseSchema,
  sourcesReportQuerySchema,
  sourcesReportSchema,
} from '../attribution';
import { customerIdSchema } from '../contacts';
import { defineRoutes } from '../route-contract';

// Attribution: where a contact or a lead came from, and the sources report.

export const attributionRoutes = defineRoutes({
  'customers.attribution.get': {
    method: 'GET',
    path: '/customers/{id}/attribution',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Customers',
    summary: 'Where a contact came from: its first and latest touch',
    description:
      'A touch is a landing-page submission (its UTM fields and page) or a conversation opened from an ad, a post or a story (Meta’s `referral`, with WhatsApp’s `ctwa_clid`). `attribution` is null for a contact no touch has reached.',
    params: z.object({ id: customerIdSchema }),
    responses: { 200: { description: 'The attribution.', schema: attributionResponseSchema } },
  },
  'leads.attribution.get': {
    method: 'GET',
    path: '/leads/{id}/attribution',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Leads',
    summary: 'Where a lead came from: its first and latest touch',
    description:
      'The same record is sent to the CRM with the lead. `attribution` is null for a lead created by hand or imported without UTM fields.',
    params: z.object({ id: z.string().regex(/^ld_[0-9a-z]{22}$/) }),
    responses: { 200: { description: 'The attribution.', schema: attributionResponseSchema } },
  },
  'reports.sources': {
    method: 'GET',
    path: '/reports/sources',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Reports',
    summary: 'Leads and conversations by source, medium and campaign',
    description:
      'Whole UTC days from `from` to `to` (at most a year). Leads count landing-page submissions by their UTM source (or referring site, or `direct`); conversations count those opened from an ad, a post or a story.',
    query: sourcesReportQuerySchema,
    responses: { 200: { description: 'The report.', schema: sourcesReportSchema } },
    errors: ['bad_request'],
  },
});

import type { ConsentEvidence, TouchKind } from '@switchboard/contracts';
import { queryOptions, type QueryClient } from '@tanstack/react-query';
import { api, type CallResult } from './api-client';
import { orNull } from './queries';

// Consent and attribution: a contact's WhatsApp consent per number, the workspace's keywords, where
// a contact or a lead came from, and the sources report. One key per resource so a write can
// invalidate it.

export type ContactConsent = CallResult<'customers.consent.get'>['items'][number];
export type ConsentChangeDto = ContactConsent['history'][number];
export type ConsentKeywordsDto = CallResult<'consent-keywords.get'>;
export type AttributionDto = NonNullable<CallResult<'customers.attribution.get'>['attribution']>;
export type TouchDto = AttributionDto['first'];
export type SourcesReportDto = CallResult<'reports.sources'>;

export const consentQuery = (customerId: string) =>
  queryOptions({
    queryKey: ['consent', customerId],
    queryFn: ({ signal }) =>
      orNull(api.call('customers.consent.get', { params: { id: customerId }, signal })),
  });

export function invalidateConsent(queryClient: QueryClient, customerId: string): void {
  void queryClient.invalidateQueries({ queryKey: ['consent', customerId] });
}

export const consentKeywordsQuery = (enabled = true) =>
  queryOptions({
    queryKey: ['consent-keywords'],
    queryFn: ({ signal }) => orNull(api.call('consent-keywords.get', { signal })),
    enabled,
  });

export const contactAttributionQuery = (customerId: string) =>
  queryOptions({
    queryKey: ['attribution', 'customer', customerId],
    queryFn: ({ signal }) =>
      orNull(api.call('customers.attribution.get', { params: { id: customerId }, signal })),
  });

export const leadAttributionQuery = (leadId: string) =>
  queryOptions({
    queryKey: ['attribution', 'lead', leadId],
    queryFn: ({ signal }) =>
      orNull(api.call('leads.attribution.get', { params: { id: leadId }, signal })),
  });

export const sourcesReportQuery = (from: string, to: string) =>
  queryOptions({
    queryKey: ['reports', 'sources', from, to],
    queryFn: ({ signal }) => orNull(api.call('reports.sources', { query: { from, to }, signal })),
    // A bad range is the user's to fix, not a blip to retry.
    retry: false,
  });

export const consentStatusLabel: Record<ContactConsent['status'], string> = {
  opted_in: 'Opted in',
  opted_out: 'Opted out',
  unknown: 'Unknown',
};

export const touchKindLabel: Record<TouchKind, string> = {
  form: 'Landing page',
  whatsapp_ad: 'WhatsApp ad',
  instagram_ad: 'Instagram ad',
  instagram_story: 'Instagram story',
};

/** Where a change came from, in words: `memberName` names the author of a manual entry. */
export function evidenceText(
  evidence: ConsentEvidence,
  memberName: (id: string) => string,
): string {
  switch (evidence.source) {
    case 'form':
      return `Form “${evidence.label}”`;
    case 'keyword':
      return `Keyword “${evidence.keyword}”`;
    case 'manual':
      return `Manual, by ${memberName(evidence.userId)}: ${evidence.note}`;
  }
}

/** A day as the API reads it (YYYY-MM-DD, UTC). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

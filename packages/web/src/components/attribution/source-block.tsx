'use client';

import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import {
  contactAttributionQuery,
  leadAttributionQuery,
  touchKindLabel,
  type AttributionDto,
  type TouchDto,
} from '@/lib/consent-queries';
import { fullDate } from '@/lib/format';
import { ExternalIcon } from '../icons';
import { cx, InlineError, Spinner } from '../ui';

// "Source": where a contact or a lead came from, its first and its latest touch (a landing page
// with its UTM fields, or a WhatsApp / Instagram ad or story that opened the conversation).

/** Only http(s) addresses become links: a page URL is what a visitor's browser reported. */
function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[6.5rem_1fr] gap-2 py-0.5 text-sm">
      <dt className="text-slate-600">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900">{children}</dd>
    </div>
  );
}

function Touch({ title, touch }: { title: string; touch: TouchDto }) {
  const page = touch.pageUrl ?? touch.ad?.sourceUrl;
  const href = page ? safeHref(page) : undefined;
  return (
    <div className="space-y-1" role="group" aria-label={title}>
      <p className="text-xs font-medium text-slate-600">{title}</p>
      <dl>
        <Row label="How">{touchKindLabel[touch.kind]}</Row>
        <Row label="Source">{touch.source}</Row>
        {touch.medium ? <Row label="Medium">{touch.medium}</Row> : null}
        {touch.campaign ? <Row label="Campaign">{touch.campaign}</Row> : null}
        {touch.ad?.headline ? <Row label="Ad">{touch.ad.headline}</Row> : null}
        {page ? (
          <Row label={touch.pageUrl ? 'Page' : 'Ad link'}>
            {href ? (
              <a
                href={href}
                target="_blank"
                rel="noopener noreferrer"
                className="inline-flex items-center gap-1 break-all font-medium text-brand-strong hover:underline"
              >
                {page}
                <ExternalIcon size={12} className="shrink-0" />
                <span className="sr-only"> (opens in a new tab)</span>
              </a>
            ) : (
              page
            )}
          </Row>
        ) : null}
        <Row label="When">
          <time dateTime={touch.at}>{fullDate(touch.at)}</time>
        </Row>
      </dl>
    </div>
  );
}

function SourceBody({ attribution }: { attribution: AttributionDto | null }) {
  if (!attribution) return <p className="text-sm text-slate-600">No source recorded</p>;
  const same = attribution.first.id === attribution.latest.id;
  return (
    <div className="space-y-3">
      <Touch title={same ? 'First and latest touch' : 'First touch'} touch={attribution.first} />
      {same ? null : <Touch title="Latest touch" touch={attribution.latest} />}
      {attribution.touches > 2 ? (
        <p className="text-xs text-slate-600">{attribution.touches} touches in all.</p>
      ) : null}
    </div>
  );
}

type SourceQuery = {
  isLoading: boolean;
  error: unknown;
  data: { attribution: AttributionDto | null } | null | undefined;
};

function SourceSection({
  query,
  compact,
  headingClass,
}: {
  query: SourceQuery;
  compact?: boolean;
  headingClass?: string;
}) {
  // A server without the feature: no block at all.
  if (query.data === null) return null;
  return (
    <section aria-label="Source" className={cx('space-y-2', !compact && 'px-5 py-4')}>
      <h3
        className={
          headingClass ??
          (compact
            ? 'text-xs font-semibold uppercase tracking-wide text-slate-600'
            : 'font-semibold text-slate-900')
        }
      >
        Source
      </h3>
      {query.isLoading ? (
        <Spinner label="Loading source…" />
      ) : query.error ? (
        <InlineError error={query.error} />
      ) : (
        <SourceBody attribution={query.data?.attribution ?? null} />
      )}
    </section>
  );
}

export function ContactSource({ customerId, compact }: { customerId: string; compact?: boolean }) {
  const query = useQuery(contactAttributionQuery(customerId));
  return <SourceSection query={query} compact={compact} />;
}

/** In the lead drawer, styled as its other sections. */
export function LeadSource({ leadId }: { leadId: string }) {
  const query = useQuery(leadAttributionQuery(leadId));
  return (
    <div className="border-t border-slate-200">
      <SourceSection query={query} headingClass="text-sm font-semibold text-slate-900" />
    </div>
  );
}

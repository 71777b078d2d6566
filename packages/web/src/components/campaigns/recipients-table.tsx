'use client';

import {
  campaignRecipientStatusSchema,
  type CampaignDto,
  type CampaignRecipientStatus,
} from '@switchboard/contracts';
import Link from 'next/link';
import { useState } from 'react';
import {
  recipientErrorText,
  recipientStatusLabel,
  recipientStatusTone,
  useCampaignRecipients,
} from '@/lib/campaign-queries';
import { formatPhone, fullDate, shortTime } from '@/lib/format';
import { Badge, Button, EmptyState, ErrorState, Field, LoadingState, Select } from '../ui';

// A campaign's recipients, a page at a time, filtered by where they stand: each number links to
// its contact, and a failure or a skip says why.

export function RecipientsTable({ campaign }: { campaign: CampaignDto }) {
  const [status, setStatus] = useState<CampaignRecipientStatus | ''>('');
  const recipients = useCampaignRecipients(campaign, status || undefined);
  const items = recipients.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-labelledby="recipients-heading" className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="recipients-heading" className="text-base font-semibold text-slate-900">
          Recipients
        </h2>
        <Field label="Show" className="w-48">
          {({ id }) => (
            <Select
              id={id}
              value={status}
              onChange={(e) => setStatus(e.target.value as CampaignRecipientStatus | '')}
            >
              <option value="">Everyone</option>
              {campaignRecipientStatusSchema.options.map((s) => (
                <option key={s} value={s}>
                  {recipientStatusLabel[s]}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </div>
      {recipients.isLoading ? (
        <LoadingState label="Loading recipients…" />
      ) : recipients.error && !recipients.data ? (
        <ErrorState
          error={recipients.error}
          onRetry={() => void recipients.refetch()}
          what="Recipients"
        />
      ) : items.length === 0 ? (
        <EmptyState title={status ? 'No recipient in this state' : 'No recipients yet'}>
          {status
            ? 'Pick another state, or everyone.'
            : campaign.status === 'scheduled'
              ? 'The audience is drawn up when the campaign starts.'
              : 'The audience is being drawn up.'}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="w-full min-w-[44rem] text-left text-sm">
            <caption className="sr-only">Recipients of {campaign.name}</caption>
            <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-2.5 font-medium">
                  Number
                </th>
                <th scope="col" className="px-3 py-2.5 font-medium">
                  Status
                </th>
                <th scope="col" className="px-3 py-2.5 font-medium">
                  Reason
                </th>
                <th scope="col" className="px-4 py-2.5 font-medium">
                  Updated
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((r) => (
                <tr key={r.contactId} data-testid="recipient-row">
                  <td className="whitespace-nowrap px-4 py-2.5">
                    <Link
                      href={`/app/contacts/?id=${encodeURIComponent(r.contactId)}`}
                      className="font-medium text-slate-900 hover:text-brand-strong hover:underline"
                    >
                      {formatPhone(r.phone)}
                    </Link>
                  </td>
                  <td className="px-3 py-2.5">
                    <Badge tone={recipientStatusTone[r.status]}>
                      {recipientStatusLabel[r.status]}
                    </Badge>
                  </td>
                  <td className="px-3 py-2.5 text-slate-600">
                    {r.error ? (
                      <span title={r.error.message}>
                        {recipientErrorText[r.error.code] ?? r.error.message}
                        {recipientErrorText[r.error.code] ? null : (
                          <span className="ml-1 text-xs text-slate-500">({r.error.code})</span>
                        )}
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td
                    className="whitespace-nowrap px-4 py-2.5 text-slate-600"
                    title={fullDate(r.updatedAt)}
                  >
                    {shortTime(r.updatedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {recipients.hasNextPage ? (
        <div className="flex justify-center">
          <Button
            size="sm"
            busy={recipients.isFetchingNextPage}
            onClick={() => void recipients.fetchNextPage()}
          >
            Load more
          </Button>
        </div>
      ) : null}
    </section>
  );
}

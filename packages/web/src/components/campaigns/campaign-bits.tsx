'use client';

import type { CampaignCounts, CampaignDto } from '@switchboard/contracts';
import {
  campaignStatusLabel,
  campaignStatusTone,
  countBuckets,
  reachedOf,
  recipientStatusLabel,
} from '@/lib/campaign-queries';
import { Badge, cx } from '../ui';

// Pieces the campaign list and the campaign page share: the status badge and the progress bar
// with its legend, both drawn from the campaign's exact counts (each recipient in one bucket).

const bucketColour: Record<(typeof countBuckets)[number], string> = {
  replied: 'bg-brand',
  read: 'bg-emerald-600',
  delivered: 'bg-emerald-400',
  sent: 'bg-sky-400',
  failed: 'bg-red-500',
  skipped: 'bg-amber-400',
  queued: 'bg-slate-200',
};

export function CampaignStatusBadge({ campaign }: { campaign: CampaignDto }) {
  return (
    <span data-testid="campaign-status">
      <Badge tone={campaignStatusTone[campaign.status]}>
        {campaignStatusLabel[campaign.status]}
      </Badge>
    </span>
  );
}

function percent(part: number, total: number): number {
  return total === 0 ? 0 : Math.round((part / total) * 100);
}

/** A stacked bar: every recipient is one slice of it, coloured by where it stands. */
export function CampaignProgress({
  counts,
  label,
  compact,
}: {
  counts: CampaignCounts;
  label: string;
  compact?: boolean;
}) {
  const done = counts.total - counts.queued;
  const reached = reachedOf(counts);
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={counts.total}
      aria-valuenow={done}
      aria-valuetext={`${reached} of ${counts.total} sent, ${counts.failed} failed, ${counts.queued} still queued`}
      className={cx(
        'flex w-full overflow-hidden rounded-full bg-slate-100',
        compact ? 'h-1.5' : 'h-3',
      )}
    >
      {countBuckets
        .filter((b) => b !== 'queued' && counts[b] > 0)
        .map((b) => (
          <span
            key={b}
            className={bucketColour[b]}
            style={{ width: `${(counts[b] / Math.max(1, counts.total)) * 100}%` }}
          />
        ))}
    </div>
  );
}

/** The buckets in words, with their colour keys: what the bar above them is made of. */
export function CountsLegend({ counts }: { counts: CampaignCounts }) {
  return (
    <dl
      aria-label="Recipients by status"
      className="grid grid-cols-2 gap-2 sm:grid-cols-4 lg:grid-cols-8"
    >
      <div className="rounded-lg border border-slate-200 p-3">
        <dt className="text-xs font-medium text-slate-500">Total</dt>
        <dd className="mt-0.5 text-lg font-semibold text-slate-900" data-testid="count-total">
          {counts.total}
        </dd>
      </div>
      {countBuckets.map((b) => (
        <div key={b} className="rounded-lg border border-slate-200 p-3">
          <dt className="flex items-center gap-1.5 text-xs font-medium text-slate-500">
            <span className={cx('size-2 rounded-full', bucketColour[b])} aria-hidden="true" />
            {recipientStatusLabel[b]}
          </dt>
          <dd className="mt-0.5 text-lg font-semibold text-slate-900">
            <span data-testid={`count-${b}`}>{counts[b]}</span>
            {counts.total > 0 && counts[b] > 0 ? (
              <span className="ml-1 text-xs font-normal text-slate-500">
                {percent(counts[b], counts.total)}%
              </span>
            ) : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** One line for the list: how far it got. */
export function ProgressSummary({ counts }: { counts: CampaignCounts }) {
  const reached = reachedOf(counts);
  const parts = [
    `${counts.delivered + counts.read + counts.replied} delivered`,
    `${counts.read + counts.replied} read`,
    `${counts.replied} replied`,
    `${counts.failed} failed`,
  ];
  return (
    <span className="text-xs text-slate-600">
      <span className="font-medium text-slate-900">
        {reached}/{counts.total} sent
      </span>{' '}
      · {parts.join(' · ')}
    </span>
  );
}

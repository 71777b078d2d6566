'use client';

import type { CampaignDto } from '@switchboard/contracts';
import { useLiveCampaignProgress, useCampaigns } from '@/lib/campaign-queries';
import { fullDate, shortTime } from '@/lib/format';
import { MegaphoneIcon, PlusIcon } from '../icons';
import { Button, EmptyState, ErrorState, LoadingState, NotAvailable } from '../ui';
import { CampaignProgress, CampaignStatusBadge, ProgressSummary } from './campaign-bits';

// The workspace's campaigns, newest first, a page at a time: where each stands and how far it got.

function When({ iso }: { iso?: string }) {
  if (!iso) return <span className="text-slate-500">—</span>;
  return (
    <time dateTime={iso} title={fullDate(iso)}>
      {shortTime(iso)}
    </time>
  );
}

export function CampaignList({
  canCreate,
  onOpen,
  onNew,
}: {
  canCreate: boolean;
  onOpen: (id: string) => void;
  onNew: () => void;
}) {
  const campaigns = useCampaigns();
  useLiveCampaignProgress();
  if (campaigns.isLoading) return <LoadingState label="Loading campaigns…" />;
  if (campaigns.error && !campaigns.data) {
    return (
      <ErrorState
        error={campaigns.error}
        onRetry={() => void campaigns.refetch()}
        what="Campaigns"
      />
    );
  }
  const pages = campaigns.data?.pages ?? [];
  if (pages[0] === null) return <NotAvailable what="Campaigns" />;
  const items: CampaignDto[] = pages.flatMap((p) => p?.items ?? []);
  if (!items.length) {
    return (
      <EmptyState
        icon={<MegaphoneIcon />}
        title="No campaigns yet"
        action={
          canCreate ? (
            <Button variant="primary" onClick={onNew}>
              <PlusIcon size={14} /> New campaign
            </Button>
          ) : undefined
        }
      >
        A campaign sends one approved WhatsApp template to many contacts at once, such as an offer
        or a reminder, with each contact’s own name in it. Only numbers that opted in to marketing
        receive it.
        {canCreate ? null : ' Admins create campaigns.'}
      </EmptyState>
    );
  }
  return (
    <div className="p-4 md:p-6">
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full min-w-[52rem] text-left text-sm">
          <caption className="sr-only">Campaigns, newest first</caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2.5 font-medium">
                Campaign
              </th>
              <th scope="col" className="px-3 py-2.5 font-medium">
                Status
              </th>
              <th scope="col" className="w-80 px-3 py-2.5 font-medium">
                Progress
              </th>
              <th scope="col" className="px-3 py-2.5 font-medium">
                Created
              </th>
              <th scope="col" className="px-4 py-2.5 font-medium">
                Send time
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((c) => (
              <tr key={c.id} className="hover:bg-slate-50" data-testid="campaign-row">
                <td className="px-4 py-3">
                  <button
                    type="button"
                    onClick={() => onOpen(c.id)}
                    className="text-left font-medium text-slate-900 hover:text-brand-strong hover:underline"
                  >
                    {c.name}
                  </button>
                  <span className="block text-xs text-slate-500">
                    {c.template.name} · {c.template.language}
                  </span>
                </td>
                <td className="px-3 py-3">
                  <CampaignStatusBadge campaign={c} />
                </td>
                <td className="space-y-1.5 px-3 py-3">
                  <CampaignProgress counts={c.counts} label={`Progress of ${c.name}`} compact />
                  <ProgressSummary counts={c.counts} />
                </td>
                <td className="whitespace-nowrap px-3 py-3 text-slate-600">
                  <When iso={c.createdAt} />
                </td>
                <td className="whitespace-nowrap px-4 py-3 text-slate-600">
                  {c.sendAt ? <When iso={c.sendAt} /> : 'At once'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {campaigns.hasNextPage ? (
        <div className="mt-3 flex justify-center">
          <Button
            size="sm"
            busy={campaigns.isFetchingNextPage}
            onClick={() => void campaigns.fetchNextPage()}
          >
            Load more
          </Button>
        </div>
      ) : null}
    </div>
  );
}

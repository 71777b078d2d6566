'use client';

import type { CampaignDto } from '@switchboard/contracts';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  actionAllowed,
  applyCampaign,
  campaignRecipientsQuery,
  controlCampaign,
  exclusionLabel,
  invalidateCampaign,
  reachedOf,
  useCampaign,
  useLiveCampaignProgress,
  type CampaignAction,
} from '@/lib/campaign-queries';
import { fullDate } from '@/lib/format';
import { useLiveStatus } from '@/lib/live';
import { ChevronLeftIcon, ClockIcon } from '../icons';
import { Button, Card, Dialog, ErrorState, InlineError, LoadingState } from '../ui';
import { CampaignProgress, CampaignStatusBadge, CountsLegend } from './campaign-bits';
import { RecipientsTable } from './recipients-table';

// One campaign: where it stands, its exact counts with a progress bar, why it waits when the
// number's messaging limit holds it, its recipients, and for admins the controls the contract
// allows in its state. It is read again on each `campaign.progress`, and every few seconds while
// it sends and the live connection is down.

function InterruptedCount({ campaign }: { campaign: CampaignDto }) {
  const failed = useInfiniteQuery({
    ...campaignRecipientsQuery(campaign.id, 'failed'),
  });
  const first = failed.data?.pages[0];
  if (!first) return null;
  const interrupted = first.items.filter((r) => r.error?.code === 'interrupted').length;
  if (interrupted === 0 && !first.nextCursor) return null;
  return (
    <p className="font-medium">
      {first.nextCursor ? 'At least ' : ''}
      {interrupted} of them {interrupted === 1 ? 'was' : 'were'} interrupted mid-send.
    </p>
  );
}

function ConfirmDialog({
  action,
  campaign,
  onClose,
  onConfirm,
  busy,
  error,
}: {
  action: 'cancel' | 'retry-failed' | null;
  campaign: CampaignDto;
  onClose: () => void;
  onConfirm: () => void;
  busy: boolean;
  error: unknown;
}) {
  const cancel = action === 'cancel';
  const notSent = campaign.counts.queued;
  return (
    <Dialog
      open={action !== null}
      onClose={onClose}
      title={cancel ? 'Cancel this campaign?' : 'Retry the failed recipients?'}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Keep it as is
          </Button>
          <Button variant={cancel ? 'danger' : 'primary'} busy={busy} onClick={onConfirm}>
            {cancel ? 'Cancel campaign' : 'Retry failed'}
          </Button>
        </>
      }
    >
      {action ? (
        <div className="space-y-3 text-sm text-slate-700">
          {cancel ? (
            <p>
              No more messages go out. The {notSent} {notSent === 1 ? 'recipient' : 'recipients'}{' '}
              not sent yet will be skipped. This cannot be undone.
            </p>
          ) : (
            <>
              <p>
                The {campaign.counts.failed} failed{' '}
                {campaign.counts.failed === 1 ? 'recipient is' : 'recipients are'} queued again
                (only numbers still opted in are sent to).
              </p>
              <div className="rounded-lg bg-amber-50 p-3 text-amber-900 ring-1 ring-amber-600/20">
                <p>
                  A recipient that failed as <em>interrupted</em> may already have received the
                  message: retrying sends it again, so they may get it twice.
                </p>
                <InterruptedCount campaign={campaign} />
              </div>
            </>
          )}
          {error ? <InlineError error={error} /> : null}
        </div>
      ) : null}
    </Dialog>
  );
}

function Controls({ campaign }: { campaign: CampaignDto }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<'cancel' | 'retry-failed' | null>(null);
  const control = useMutation({
    mutationFn: (action: CampaignAction) => controlCampaign(campaign.id, action),
    onSuccess: (next) => {
      applyCampaign(queryClient, next);
      setConfirming(null);
    },
    // A 409 means the campaign moved on meanwhile: show where it stands now.
    onError: () => invalidateCampaign(queryClient, campaign.id),
  });
  const run = (action: CampaignAction) => control.mutate(action);
  const busy = (action: CampaignAction) => control.isPending && control.variables === action;
  return (
    <div className="space-y-2">
      <div role="group" aria-label="Campaign controls" className="flex flex-wrap gap-2">
        {campaign.status === 'paused' ? (
          <Button
            variant="primary"
            size="sm"
            busy={busy('resume')}
            disabled={!actionAllowed('resume', campaign) || control.isPending}
            onClick={() => run('resume')}
          >
            Resume
          </Button>
        ) : (
          <Button
            size="sm"
            busy={busy('pause')}
            disabled={!actionAllowed('pause', campaign) || control.isPending}
            onClick={() => run('pause')}
          >
            Pause
          </Button>
        )}
        <Button
          size="sm"
          disabled={!actionAllowed('retry-failed', campaign) || control.isPending}
          onClick={() => {
            control.reset();
            setConfirming('retry-failed');
          }}
        >
          Retry failed
        </Button>
        <Button
          size="sm"
          variant="danger"
          disabled={!actionAllowed('cancel', campaign) || control.isPending}
          onClick={() => {
            control.reset();
            setConfirming('cancel');
          }}
        >
          Cancel…
        </Button>
      </div>
      {control.error && !confirming ? <InlineError error={control.error} /> : null}
      <ConfirmDialog
        action={confirming}
        campaign={campaign}
        onClose={() => setConfirming(null)}
        onConfirm={() => confirming && run(confirming)}
        busy={control.isPending}
        error={control.error}
      />
    </div>
  );
}

function Facts({ campaign }: { campaign: CampaignDto }) {
  const filters = [
    campaign.audience.tags?.length ? `tags ${campaign.audience.tags.join(', ')}` : null,
    campaign.audience.leadStages?.length
      ? `lead stage ${campaign.audience.leadStages.join(', ')}`
      : null,
    campaign.audience.formIds?.length ? `${campaign.audience.formIds.length} form(s)` : null,
  ].filter(Boolean);
  const rows: [string, string][] = [
    ['Template', `${campaign.template.name} (${campaign.template.language})`],
    ['Audience', filters.length ? filters.join(' · ') : 'Every contact with a WhatsApp number'],
    ['Created', fullDate(campaign.createdAt)],
    ['Send time', campaign.sendAt ? fullDate(campaign.sendAt) : 'At once'],
    ...(campaign.completedAt
      ? ([['Finished', fullDate(campaign.completedAt)]] as [string, string][])
      : []),
    [
      'Left out when drawn up',
      (Object.keys(exclusionLabel) as (keyof typeof exclusionLabel)[])
        .map((k) => `${exclusionLabel[k]}: ${campaign.excluded[k]}`)
        .join(' · '),
    ],
  ];
  return (
    <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt className="text-xs font-medium text-slate-500">{label}</dt>
          <dd className="text-slate-900">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function CampaignDetail({
  id,
  canControl,
  onBack,
}: {
  id: string;
  canControl: boolean;
  onBack: () => void;
}) {
  const campaign = useCampaign(id);
  const live = useLiveStatus();
  useLiveCampaignProgress(id);
  if (campaign.isLoading) return <LoadingState label="Loading campaign…" />;
  if (!campaign.data) {
    return (
      <ErrorState error={campaign.error} onRetry={() => void campaign.refetch()} what="Campaign" />
    );
  }
  const c = campaign.data;
  const reached = reachedOf(c.counts);
  return (
    <div className="mx-auto max-w-5xl space-y-4 p-4 md:p-6">
      <button
        type="button"
        onClick={onBack}
        className="inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900"
      >
        <ChevronLeftIcon size={16} /> All campaigns
      </button>
      <Card className="space-y-5 p-5">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0 space-y-1">
            <h2 className="truncate text-xl font-semibold text-slate-900">{c.name}</h2>
            <div className="flex items-center gap-2">
              <CampaignStatusBadge campaign={c} />
              {c.status === 'running' && live !== 'live' ? (
                <span className="text-xs text-slate-500">Updating every few seconds</span>
              ) : null}
            </div>
          </div>
          {canControl ? <Controls campaign={c} /> : null}
        </div>
        {c.waiting === 'messaging_limit' ? (
          <div
            role="status"
            className="flex items-start gap-2 rounded-lg bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-600/20"
          >
            <ClockIcon size={16} className="mt-0.5 shrink-0" />
            <p>
              <span className="font-medium">Waiting for the messaging limit.</span> Meta caps how
              many people this number can start conversations with in 24 hours, and this campaign
              has reached it. Nothing has failed: sending carries on by itself as the 24-hour window
              frees up.
            </p>
          </div>
        ) : null}
        <div className="space-y-2">
          <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
            <p className="text-slate-700">
              <span className="text-lg font-semibold text-slate-900" data-testid="reached">
                {reached}
              </span>{' '}
              of {c.counts.total} sent
              {c.counts.total ? ` (${Math.round((reached / c.counts.total) * 100)}%)` : ''}
            </p>
            <p className="text-xs text-slate-500">
              Delivered {c.counts.delivered + c.counts.read + c.counts.replied} · read{' '}
              {c.counts.read + c.counts.replied} · replied {c.counts.replied}
            </p>
          </div>
          <CampaignProgress counts={c.counts} label={`Progress of ${c.name}`} />
          <p className="text-xs text-slate-500">Where each recipient is now:</p>
          <CountsLegend counts={c.counts} />
        </div>
        <Facts campaign={c} />
      </Card>
      <RecipientsTable campaign={c} />
    </div>
  );
}

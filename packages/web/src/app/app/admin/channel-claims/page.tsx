'use client';

import type { ChannelClaimDto } from '@switchboard/contracts';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ChannelIcon, ShieldIcon } from '@/components/icons';
import {
  Badge,
  Button,
  Card,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  LoadingState,
  PageHeader,
  Segmented,
  Textarea,
} from '@/components/ui';
import { api } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { useSignedIn } from '@/lib/session';

// Contested channel claims: a workspace proved to Meta that it may use a number, WABA or Instagram
// account another workspace already holds. The holder keeps it until a platform admin decides.

type Status = 'open' | 'closed';

const kindLabel: Record<ChannelClaimDto['contested'][number]['kind'], string> = {
  whatsapp_phone_number: 'Phone number',
  whatsapp_business_account: 'WhatsApp Business Account',
  instagram_account: 'Instagram account',
};

const statusBadge: Record<
  ChannelClaimDto['status'],
  { label: string; tone: 'amber' | 'green' | 'slate' | 'blue' }
> = {
  open: { label: 'Open', tone: 'amber' },
  awarded_to_claimant: { label: 'Awarded to claimant', tone: 'green' },
  kept_by_holder: { label: 'Kept by holder', tone: 'blue' },
  lapsed: { label: 'Lapsed', tone: 'slate' },
};

function workspace(name: string | undefined, id: string) {
  return (
    <span>
      <span className="font-medium text-slate-900">{name ?? 'Unknown workspace'}</span>{' '}
      <span className="font-mono text-xs text-slate-500">{id}</span>
    </span>
  );
}

function channelOf(claim: ChannelClaimDto): string {
  return claim.channelType === 'whatsapp'
    ? `Number ${claim.phoneNumberId ?? '?'} in WABA ${claim.wabaId ?? '?'}`
    : `Instagram account ${claim.accountId ?? '?'}`;
}

export default function ChannelClaimsPage() {
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status>('open');
  const [deciding, setDeciding] = useState<{
    claim: ChannelClaimDto;
    awardTo: 'claimant' | 'holder';
  } | null>(null);
  const [note, setNote] = useState('');
  const claims = useInfiniteQuery({
    queryKey: ['admin', 'channel-claims', status],
    queryFn: ({ pageParam, signal }) =>
      api.call('admin.channel-claims.list', {
        signal,
        query: { status, limit: 25, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: session.user.platformAdmin,
  });
  const resolve = useMutation({
    mutationFn: (input: { id: string; awardTo: 'claimant' | 'holder'; note: string }) =>
      api.call('admin.channel-claims.resolve', {
        params: { id: input.id },
        body: { awardTo: input.awardTo, ...(input.note.trim() ? { note: input.note } : {}) },
      }),
    onSuccess: () => {
      setDeciding(null);
      setNote('');
      void queryClient.invalidateQueries({ queryKey: ['admin', 'channel-claims'] });
    },
  });

  if (!session.user.platformAdmin) {
    return <EmptyState icon={<ShieldIcon />} title="Platform admins only" />;
  }
  const items = claims.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="min-h-full">
      <PageHeader
        title="Contested channels"
        description="Workspaces that proved to Meta they may use a number or account another workspace already holds. The holder keeps it until you decide."
        actions={
          <>
            <Segmented
              label="Claims"
              value={status}
              onChange={setStatus}
              options={[
                { value: 'open', label: 'Open' },
                { value: 'closed', label: 'Decided' },
              ]}
            />
            <Link
              className="text-sm font-medium text-brand-strong hover:underline"
              href="/app/admin/"
            >
              Workspaces
            </Link>
          </>
        }
      />
      <div className="mx-auto max-w-5xl p-4 md:p-6">
        {claims.isLoading ? (
          <LoadingState label="Loading claims…" />
        ) : claims.error ? (
          <ErrorState error={claims.error} onRetry={() => void claims.refetch()} what="Claims" />
        ) : !items.length ? (
          <EmptyState
            icon={<ShieldIcon />}
            title={status === 'open' ? 'No open claims' : 'Nothing decided yet'}
          >
            {status === 'open'
              ? 'A second workspace that proves an id someone else holds shows up here.'
              : null}
          </EmptyState>
        ) : (
          <ul className="space-y-4">
            {items.map((claim) => (
              <li key={claim.id}>
                <Card className="p-5">
                  <div className="flex flex-wrap items-start gap-3">
                    <ChannelIcon channel={claim.channelType} labelled />
                    <div className="min-w-0 flex-1">
                      <p className="font-medium text-slate-900">
                        {claim.displayName ?? channelOf(claim)}
                      </p>
                      <p className="text-xs text-slate-500">
                        {channelOf(claim)} · verified with{' '}
                        {claim.verifiedWith === 'waba_phone_numbers'
                          ? 'the WABA’s phone numbers'
                          : 'the token’s account (/me)'}{' '}
                        · {claim.attempts} attempt{claim.attempts === 1 ? '' : 's'} · last{' '}
                        {fullDate(claim.updatedAt)}
                      </p>
                    </div>
                    <Badge tone={statusBadge[claim.status].tone}>
                      {statusBadge[claim.status].label}
                    </Badge>
                  </div>
                  <dl className="mt-4 grid gap-2 text-sm sm:grid-cols-[10rem_1fr]">
                    <dt className="text-slate-500">Claimant</dt>
                    <dd>{workspace(claim.claimant.tenantName, claim.claimant.tenantId)}</dd>
                    {claim.contested.map((key) => (
                      <div key={`${key.kind}:${key.externalId}`} className="contents">
                        <dt className="text-slate-500">{kindLabel[key.kind]}</dt>
                        <dd>
                          <span className="font-mono text-xs">{key.externalId}</span> held by{' '}
                          {workspace(key.holderTenantName, key.holderTenantId)}
                        </dd>
                      </div>
                    ))}
                    {claim.resolution ? (
                      <>
                        <dt className="text-slate-500">Decision</dt>
                        <dd>
                          {claim.resolution.awardedTo === 'claimant'
                            ? 'Given to the claimant'
                            : 'Kept by the holder'}{' '}
                          on {fullDate(claim.resolution.at)}
                          {claim.resolution.note ? ` — ${claim.resolution.note}` : ''}
                        </dd>
                      </>
                    ) : null}
                  </dl>
                  {claim.status === 'open' ? (
                    <div className="mt-4 flex flex-wrap justify-end gap-2">
                      <Button size="sm" onClick={() => setDeciding({ claim, awardTo: 'holder' })}>
                        Keep with holder
                      </Button>
                      <Button
                        size="sm"
                        variant="danger"
                        onClick={() => setDeciding({ claim, awardTo: 'claimant' })}
                      >
                        Give to claimant
                      </Button>
                    </div>
                  ) : null}
                </Card>
              </li>
            ))}
          </ul>
        )}
        {claims.hasNextPage ? (
          <div className="mt-4 flex justify-center">
            <Button
              size="sm"
              busy={claims.isFetchingNextPage}
              onClick={() => void claims.fetchNextPage()}
            >
              Load more
            </Button>
          </div>
        ) : null}
      </div>
      <Dialog
        open={deciding !== null}
        onClose={() => {
          setDeciding(null);
          resolve.reset();
        }}
        title={
          deciding?.awardTo === 'claimant' ? 'Give it to the claimant?' : 'Keep it with the holder?'
        }
        footer={
          <>
            <Button onClick={() => setDeciding(null)}>Cancel</Button>
            <Button
              variant={deciding?.awardTo === 'claimant' ? 'danger' : 'primary'}
              busy={resolve.isPending}
              onClick={() =>
                deciding &&
                resolve.mutate({ id: deciding.claim.id, awardTo: deciding.awardTo, note })
              }
            >
              Decide
            </Button>
          </>
        }
      >
        <p className="mb-3 text-sm text-slate-600">
          {deciding?.awardTo === 'claimant'
            ? 'The claimant’s channel is connected with the token it proved. A contested number or account is disconnected from the holder (its conversations stay); a contested WABA route moves to the claimant.'
            : 'Nothing changes for the holder; the claim is closed. Both decisions are in the audit trail.'}
        </p>
        <Field label="Note (optional)" hint="Kept with the decision and in the audit trail.">
          {({ id, describedBy }) => (
            <Textarea
              id={id}
              aria-describedby={describedBy}
              maxLength={500}
              value={note}
              onChange={(e) => setNote(e.target.value)}
            />
          )}
        </Field>
        {resolve.error ? (
          <div className="mt-3">
            <InlineError error={resolve.error} />
          </div>
        ) : null}
      </Dialog>
    </div>
  );
}

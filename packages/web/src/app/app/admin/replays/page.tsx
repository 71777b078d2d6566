'use client';

import { createReplayRequestSchema, type ReplayDto } from '@switchboard/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { ShieldIcon } from '@/components/icons';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  PageHeader,
  Select,
} from '@/components/ui';
import { api, ApiError } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { useSignedIn } from '@/lib/session';

// Replays of archived webhooks: a platform admin re-runs one workspace's Meta deliveries of a time
// range through the message processor (nothing is stored twice), and watches the progress.

const statusBadge: Record<ReplayDto['status'], { label: string; tone: 'amber' | 'green' | 'red' }> =
  {
    running: { label: 'Running', tone: 'amber' },
    done: { label: 'Done', tone: 'green' },
    failed: { label: 'Failed', tone: 'red' },
  };

/** `datetime-local` value (local time) → ISO instant; empty or invalid → ''. */
function isoOf(local: string): string {
  const at = new Date(local);
  return local && !Number.isNaN(at.getTime()) ? at.toISOString() : '';
}

function localOf(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

export default function ReplaysPage() {
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const [tenantId, setTenantId] = useState('');
  const [from, setFrom] = useState(() => localOf(new Date(Date.now() - 86_400_000)));
  // Minutes only: the next minute, so what arrived this minute is inside the range.
  const [to, setTo] = useState(() => localOf(new Date(Date.now() + 60_000)));
  const tenants = useQuery({
    queryKey: ['admin', 'tenants'],
    queryFn: ({ signal }) => api.call('admin.tenants.list', { signal, query: { limit: 100 } }),
    enabled: session.user.platformAdmin,
  });
  const replays = useInfiniteQuery({
    queryKey: ['admin', 'replays'],
    queryFn: ({ pageParam, signal }) =>
      api.call('admin.replays.list', { signal, query: { limit: 25, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: session.user.platformAdmin,
    // Live progress: poll while any replay on the page is still running.
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((r) => r.status === 'running'))
        ? 1000
        : false,
  });
  const input = { tenantId, from: isoOf(from), to: isoOf(to) };
  const local = createReplayRequestSchema.safeParse(input);
  const start = useMutation({
    mutationFn: () =>
      api.call('admin.replays.create', { body: createReplayRequestSchema.parse(input) }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['admin', 'replays'] }),
  });
  const fields = start.error instanceof ApiError ? start.error.fields : {};

  if (!session.user.platformAdmin) {
    return <EmptyState icon={<ShieldIcon />} title="Platform admins only" />;
  }
  const names = new Map((tenants.data?.items ?? []).map((t) => [t.id, t.name]));
  const items = replays.data?.pages.flatMap((p) => p.items) ?? [];
  function submit(e: FormEvent) {
    e.preventDefault();
    if (local.success) start.mutate();
  }
  const rangeError =
    !local.success && tenantId
      ? local.error.issues.find((i) => i.path[0] === 'to' || i.path[0] === 'from')?.message
      : undefined;
  return (
    <div className="min-h-full">
      <PageHeader
        title="Replay webhooks"
        description="Run a workspace’s archived Meta deliveries of a time range through the inbox again, after a fix. Messages already stored are not stored twice; statuses only move forward."
        actions={
          <Link
            className="text-sm font-medium text-brand-strong hover:underline"
            href="/app/admin/"
          >
            Workspaces
          </Link>
        }
      />
      <div className="mx-auto grid max-w-5xl gap-6 p-4 md:p-6 lg:grid-cols-[1fr_22rem]">
        <Card>
          {replays.isLoading ? (
            <LoadingState label="Loading replays…" />
          ) : replays.error ? (
            <ErrorState
              error={replays.error}
              onRetry={() => void replays.refetch()}
              what="Replays"
            />
          ) : !items.length ? (
            <EmptyState icon={<ShieldIcon />} title="No replays yet" />
          ) : (
            <ul className="divide-y divide-slate-100" aria-label="Replays">
              {items.map((r) => (
                <li key={r.id} className="p-4" data-replay={r.id}>
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-medium text-slate-900">
                      {names.get(r.tenantId) ?? r.tenantId}
                    </span>
                    <Badge tone={statusBadge[r.status].tone}>{statusBadge[r.status].label}</Badge>
                  </div>
                  <p className="text-xs text-slate-500">
                    {fullDate(r.from)} → {fullDate(r.to)}
                  </p>
                  <p className="mt-1 text-sm text-slate-700" data-progress>
                    {r.chunksDone}/{r.chunks} chunks · {r.daysListed}/{r.days} days · {r.scanned}{' '}
                    scanned · {r.matched} matched · {r.enqueued} enqueued
                  </p>
                  {r.error ? <p className="text-sm text-red-700">{r.error}</p> : null}
                </li>
              ))}
            </ul>
          )}
          {replays.hasNextPage ? (
            <div className="p-4">
              <Button
                onClick={() => void replays.fetchNextPage()}
                busy={replays.isFetchingNextPage}
              >
                More
              </Button>
            </div>
          ) : null}
        </Card>
        <Card className="p-5">
          <form onSubmit={submit} className="space-y-4" aria-label="New replay">
            <Field label="Workspace" error={fields.tenantId}>
              {({ id }) => (
                <Select
                  id={id}
                  value={tenantId}
                  onChange={(e) => setTenantId(e.target.value)}
                  required
                >
                  <option value="">Choose a workspace</option>
                  {(tenants.data?.items ?? []).map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <Field label="From" error={fields.from}>
              {({ id }) => (
                <Input
                  id={id}
                  type="datetime-local"
                  value={from}
                  onChange={(e) => setFrom(e.target.value)}
                />
              )}
            </Field>
            <Field label="To" error={fields.to ?? rangeError}>
              {({ id }) => (
                <Input
                  id={id}
                  type="datetime-local"
                  value={to}
                  onChange={(e) => setTo(e.target.value)}
                />
              )}
            </Field>
            <InlineError error={start.error} />
            <Button
              type="submit"
              variant="primary"
              disabled={!local.success}
              busy={start.isPending}
            >
              Start replay
            </Button>
          </form>
        </Card>
      </div>
    </div>
  );
}

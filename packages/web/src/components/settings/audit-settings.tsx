'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { membersQuery } from '@/lib/queries';
import { useRole } from '@/lib/session';
import { ShieldIcon } from '../icons';
import { Button, Card, EmptyState, ErrorState, LoadingState } from '../ui';

/** `auth.signed_in` → "Signed in"; the last part of the action reads best. */
function describe(action: string): string {
  const words = action.split('.').slice(-1)[0]!.replace(/_/g, ' ');
  const subject = action.split('.')[0];
  const text = `${subject && !['auth'].includes(subject) ? `${subject.replace(/[-_]/g, ' ')} ` : ''}${words}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function AuditSettings() {
  const { atLeast } = useRole();
  const events = useInfiniteQuery({
    queryKey: ['audit'],
    queryFn: ({ pageParam, signal }) =>
      api.call('audit.list', {
        signal,
        query: { limit: 50, cursor: pageParam },
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: atLeast('admin'),
  });
  const members = useQuery(membersQuery());
  const emailOf = new Map((members.data?.items ?? []).map((m) => [m.id, m.email]));
  const who = (actor: { kind: string; id?: string; email?: string }) =>
    actor.email ??
    (actor.kind === 'user' && actor.id ? (emailOf.get(actor.id) ?? 'A former member') : null) ??
    (actor.kind === 'apiKey'
      ? `API key ${actor.id ?? ''}`.trim()
      : actor.kind === 'system'
        ? 'Switchboard'
        : 'Anonymous');
  if (!atLeast('admin')) return <EmptyState icon={<ShieldIcon />} title="Admins only" />;
  if (events.isLoading) return <LoadingState label="Loading the audit trail…" />;
  if (events.error)
    return (
      <ErrorState error={events.error} onRetry={() => void events.refetch()} what="Audit trail" />
    );
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  if (!items.length) return <EmptyState icon={<ShieldIcon />} title="Nothing recorded yet" />;
  return (
    <Card>
      {/* Scrolls sideways on narrow screens: focusable, so a keyboard can scroll it. */}
      <div className="overflow-x-auto" role="region" aria-label="Audit trail" tabIndex={0}>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Audit trail, newest first</caption>
          <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-5 py-2 font-medium">When</th>
              <th className="px-3 py-2 font-medium">Who</th>
              <th className="px-3 py-2 font-medium">What</th>
              <th className="px-3 py-2 font-medium">Target</th>
              <th className="px-5 py-2 font-medium">From</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((e) => (
              <tr key={e.id} className="align-top">
                <td className="whitespace-nowrap px-5 py-2.5 text-slate-500">{fullDate(e.at)}</td>
                <td className="px-3 py-2.5">{who(e.actor)}</td>
                <td className="px-3 py-2.5">
                  <span className="font-medium text-slate-900">{describe(e.action)}</span>
                  <span className="block font-mono text-xs text-slate-500">{e.action}</span>
                </td>
                <td className="px-3 py-2.5 text-slate-600">
                  {e.target ? `${e.target.type} ${e.target.id}` : '—'}
                </td>
                <td className="whitespace-nowrap px-5 py-2.5 text-slate-500">{e.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {events.hasNextPage ? (
        <div className="flex justify-center border-t border-slate-200 p-3">
          <Button
            size="sm"
            busy={events.isFetchingNextPage}
            onClick={() => void events.fetchNextPage()}
          >
            Load older events
          </Button>
        </div>
      ) : null}
    </Card>
  );
}

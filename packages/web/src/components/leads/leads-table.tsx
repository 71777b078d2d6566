'use client';

import type { LeadDto } from '@switchboard/contracts';
import { useInfiniteQuery } from '@tanstack/react-query';
import { fullDate, shortTime } from '@/lib/format';
import { leadsPage, type LeadFilters } from '@/lib/queries';
import type { PipelineStage } from '@/lib/api-types';
import { BoardIcon } from '../icons';
import { Button, cx, EmptyState, ErrorState, LoadingState } from '../ui';
import { leadTitle, stageTone, SyncBadge } from './lead-bits';

export function LeadsTable({
  filters,
  stages,
  owners,
  forms,
  onOpen,
}: {
  filters: LeadFilters;
  stages: PipelineStage[];
  owners: Map<string, string>;
  forms: Map<string, string>;
  onOpen: (id: string) => void;
}) {
  const leads = useInfiniteQuery({
    queryKey: ['leads', 'table', filters],
    queryFn: ({ pageParam }) => leadsPage(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 10_000,
  });
  if (leads.isLoading) return <LoadingState label="Loading leads…" />;
  if (leads.error && !leads.data)
    return <ErrorState error={leads.error} onRetry={() => void leads.refetch()} what="Leads" />;
  const items: LeadDto[] = leads.data?.pages.flatMap((p) => p.items) ?? [];
  if (!items.length) {
    return (
      <EmptyState icon={<BoardIcon />} title="No leads match">
        Leads arrive from your published forms, the API and CSV imports.
      </EmptyState>
    );
  }
  const stageOf = new Map(stages.map((s) => [s.id, s]));
  return (
    <div className="p-4 md:p-6">
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full min-w-[52rem] text-left text-sm">
          <caption className="sr-only">Leads, newest first</caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2.5 font-medium">
                Lead
              </th>
              <th scope="col" className="px-3 py-2.5 font-medium">
                Contact
              </th>
              <th scope="col" className="px-3 py-2.5 font-medium">
                Stage
              </th>
              <th scope="col" className="px-3 py-2.5 font-medium">
                Owner
              </th>
              <th scope="col" className="px-3 py-2.5 font-medium">
                Source
              </th>
              <th scope="col" className="px-3 py-2.5 font-medium">
                Created
              </th>
              <th scope="col" className="px-4 py-2.5 font-medium">
                CRM
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.map((lead) => {
              const stage = stageOf.get(lead.stage);
              return (
                <tr key={lead.id} className="hover:bg-slate-50">
                  <td className="px-4 py-2.5">
                    <button
                      type="button"
                      onClick={() => onOpen(lead.id)}
                      className="text-left font-medium text-slate-900 hover:text-brand-strong hover:underline"
                    >
                      {leadTitle(lead)}
                    </button>
                    {lead.company ? (
                      <span className="block text-xs text-slate-500">{lead.company}</span>
                    ) : null}
                  </td>
                  <td className="px-3 py-2.5 text-slate-600">
                    <span className="block">{lead.email}</span>
                    <span className="block text-xs">{lead.phone}</span>
                  </td>
                  <td className="px-3 py-2.5">
                    <span className="inline-flex items-center gap-1.5">
                      <span
                        className={cx('size-2 rounded-full', stageTone(stage?.kind ?? 'open'))}
                        aria-hidden="true"
                      />
                      {stage?.name ?? lead.stage}
                    </span>
                  </td>
                  <td className="px-3 py-2.5 text-slate-600">
                    {lead.ownerId ? (owners.get(lead.ownerId) ?? 'Someone') : '—'}
                  </td>
                  <td className="px-3 py-2.5 text-slate-600">
                    {lead.formId
                      ? (forms.get(lead.formId) ?? 'Form')
                      : lead.source === 'api'
                        ? 'API'
                        : lead.source === 'import'
                          ? 'Import'
                          : lead.source === 'conversation'
                            ? 'Conversation'
                            : 'Form'}
                  </td>
                  <td
                    className="whitespace-nowrap px-3 py-2.5 text-slate-600"
                    title={fullDate(lead.createdAt)}
                  >
                    {shortTime(lead.createdAt)}
                  </td>
                  <td className="px-4 py-2.5">
                    <SyncBadge status={lead.sync.status} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {leads.hasNextPage ? (
        <div className="mt-3 flex justify-center">
          <Button
            size="sm"
            busy={leads.isFetchingNextPage}
            onClick={() => void leads.fetchNextPage()}
          >
            Load more
          </Button>
        </div>
      ) : null}
    </div>
  );
}

'use client';

import type { LeadDto } from '@switchboard/contracts';
import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { useState, type DragEvent } from 'react';
import { api } from '@/lib/api-client';
import { relativeFromNow } from '@/lib/format';
import { stageLeadsQuery, type LeadFilters } from '@/lib/queries';
import type { PipelineStage } from '@/lib/api-types';
import { useRole } from '@/lib/session';
import { GripIcon } from '../icons';
import { Avatar, cx, ErrorState, Spinner } from '../ui';
import { leadTitle, stageTone, SyncBadge } from './lead-bits';

type Page = { items: LeadDto[]; nextCursor: string | null };

export function useMoveLead(
  filters: LeadFilters,
  onMoved?: (lead: LeadDto, stage: PipelineStage) => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (v: { lead: LeadDto; to: PipelineStage }) =>
      api.call('leads.update', { params: { id: v.lead.id }, body: { stage: v.to.id } }),
    onMutate: async ({ lead, to }) => {
      await queryClient.cancelQueries({ queryKey: ['leads'] });
      const from = stageLeadsQuery(lead.stage, filters).queryKey;
      const dest = stageLeadsQuery(to.id, filters).queryKey;
      const before = {
        from: queryClient.getQueryData<Page>(from),
        dest: queryClient.getQueryData<Page>(dest),
      };
      queryClient.setQueryData<Page>(
        from,
        (p) => p && { ...p, items: p.items.filter((l) => l.id !== lead.id) },
      );
      queryClient.setQueryData<Page>(
        dest,
        (p) => p && { ...p, items: [{ ...lead, stage: to.id }, ...p.items] },
      );
      return { before, from, dest };
    },
    onError: (_err, _v, ctx) => {
      if (!ctx) return;
      queryClient.setQueryData(ctx.from, ctx.before.from);
      queryClient.setQueryData(ctx.dest, ctx.before.dest);
    },
    onSuccess: (_res, v) => onMoved?.(v.lead, v.to),
    onSettled: (_res, _err, v) => {
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
      void queryClient.invalidateQueries({ queryKey: ['lead', v.lead.id] });
    },
  });
}

function LeadCard({
  lead,
  stages,
  onOpen,
  onMove,
  canEdit,
  ownerName,
}: {
  lead: LeadDto;
  stages: PipelineStage[];
  onOpen: (id: string) => void;
  onMove: (lead: LeadDto, to: PipelineStage) => void;
  canEdit: boolean;
  ownerName?: string;
}) {
  const title = leadTitle(lead);
  return (
    <li
      draggable={canEdit}
      onDragStart={(e) => {
        e.dataTransfer.setData('application/x-switchboard-lead', lead.id);
        e.dataTransfer.setData('text/plain', title);
        e.dataTransfer.effectAllowed = 'move';
      }}
      data-testid="lead-card"
      data-lead-id={lead.id}
      className="group rounded-xl border border-slate-200 bg-white p-3 shadow-sm transition-shadow hover:shadow-md"
    >
      <div className="flex items-start gap-2">
        {canEdit ? (
          <GripIcon
            size={16}
            className="mt-0.5 shrink-0 cursor-grab text-slate-300 group-hover:text-slate-500"
          />
        ) : null}
        <button
          type="button"
          onClick={() => onOpen(lead.id)}
          className="min-w-0 flex-1 text-left focus-visible:outline-2 focus-visible:outline-brand"
        >
          <span className="block truncate font-medium text-slate-900">{title}</span>
          <span className="block truncate text-xs text-slate-500">
            {[lead.company, lead.name ? (lead.email ?? lead.phone) : lead.phone]
              .filter(Boolean)
              .join(' · ') || 'No details'}
          </span>
        </button>
        {ownerName ? (
          <span title={`Owner: ${ownerName}`}>
            <Avatar name={ownerName} size={24} />
          </span>
        ) : null}
      </div>
      <div className="mt-2 flex items-center justify-between gap-2">
        <span className="text-xs text-slate-500">
          {lead.source === 'form' ? 'Form' : lead.source === 'api' ? 'API' : 'Import'} ·{' '}
          {relativeFromNow(lead.createdAt)}
        </span>
        <SyncBadge status={lead.sync.status} />
      </div>
      {canEdit ? (
        <label className="mt-2 block">
          <span className="sr-only">Move {title} to stage</span>
          <select
            value={lead.stage}
            onChange={(e) => {
              const to = stages.find((s) => s.id === e.target.value);
              if (to) onMove(lead, to);
            }}
            className="h-8 w-full rounded-md border border-slate-200 bg-slate-50 px-2 text-xs text-slate-700 focus:border-brand"
          >
            {stages.map((s) => (
              <option key={s.id} value={s.id}>
                {s.id === lead.stage ? `Stage: ${s.name}` : `Move to ${s.name}`}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </li>
  );
}

export function Board({
  stages,
  filters,
  onOpen,
  owners,
}: {
  stages: PipelineStage[];
  filters: LeadFilters;
  onOpen: (id: string) => void;
  owners: Map<string, string>;
}) {
  const { atLeast } = useRole();
  const canEdit = atLeast('agent');
  const [over, setOver] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const columns = useQueries({ queries: stages.map((s) => stageLeadsQuery(s.id, filters)) });
  const move = useMoveLead(filters, (lead, to) =>
    setAnnouncement(`Moved ${leadTitle(lead)} to ${to.name}.`),
  );
  const allLeads = columns.flatMap((c) => c.data?.items ?? []);

  function drop(e: DragEvent, stage: PipelineStage) {
    e.preventDefault();
    setOver(null);
    const id = e.dataTransfer.getData('application/x-switchboard-lead');
    const lead = allLeads.find((l) => l.id === id);
    if (lead && lead.stage !== stage.id) move.mutate({ lead, to: stage });
  }

  return (
    <>
      <p role="status" aria-live="polite" className="sr-only">
        {announcement}
      </p>
      {move.error ? (
        <p role="alert" className="mx-4 mt-3 rounded-lg bg-red-50 p-3 text-sm text-red-700 md:mx-6">
          Could not move the lead: {(move.error as Error).message}
        </p>
      ) : null}
      {/* The stages scroll sideways: focusable, so a keyboard can scroll them too. */}
      <div
        role="region"
        aria-label="Pipeline stages"
        tabIndex={0}
        className="flex min-h-0 flex-1 gap-3 overflow-x-auto p-4 focus-visible:outline-offset-[-2px] md:p-6"
      >
        {stages.map((stage, i) => {
          const col = columns[i]!;
          const items = col.data?.items ?? [];
          return (
            <section
              key={stage.id}
              aria-labelledby={`stage-${stage.id}`}
              data-testid="stage-column"
              data-stage={stage.id}
              onDragOver={(e) => {
                if (!canEdit) return;
                e.preventDefault();
                e.dataTransfer.dropEffect = 'move';
                setOver(stage.id);
              }}
              onDragLeave={(e) => {
                if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(null);
              }}
              onDrop={(e) => drop(e, stage)}
              className={cx(
                'flex w-72 shrink-0 flex-col rounded-2xl bg-slate-100/80 transition-colors',
                over === stage.id && 'bg-brand/10 ring-2 ring-brand/40',
              )}
            >
              <header className="flex items-center gap-2 px-3 pb-2 pt-3">
                <span
                  className={cx('size-2.5 rounded-full', stageTone(stage.kind))}
                  aria-hidden="true"
                />
                <h2 id={`stage-${stage.id}`} className="text-sm font-semibold text-slate-800">
                  {stage.name}
                </h2>
                <span className="rounded-full bg-white px-2 text-xs font-medium text-slate-600">
                  {col.data ? `${items.length}${col.data.nextCursor ? '+' : ''}` : '…'}
                </span>
                {col.isFetching && col.data ? <Spinner size={12} /> : null}
              </header>
              <div className="min-h-24 flex-1 overflow-y-auto px-2 pb-3">
                {col.isLoading ? (
                  <div className="flex justify-center p-4 text-slate-500">
                    <Spinner label="Loading…" />
                  </div>
                ) : col.error && !col.data ? (
                  <ErrorState error={col.error} onRetry={() => void col.refetch()} what="Leads" />
                ) : items.length === 0 ? (
                  <p className="rounded-xl border-2 border-dashed border-slate-300 p-4 text-center text-xs text-slate-600">
                    {canEdit ? 'Drop a lead here' : 'No leads'}
                  </p>
                ) : (
                  <ul className="space-y-2" aria-label={`${stage.name} leads`}>
                    {items.map((lead) => (
                      <LeadCard
                        key={lead.id}
                        lead={lead}
                        stages={stages}
                        onOpen={onOpen}
                        canEdit={canEdit}
                        ownerName={lead.ownerId ? owners.get(lead.ownerId) : undefined}
                        onMove={(l, to) => move.mutate({ lead: l, to })}
                      />
                    ))}
                  </ul>
                )}
              </div>
            </section>
          );
        })}
      </div>
    </>
  );
}

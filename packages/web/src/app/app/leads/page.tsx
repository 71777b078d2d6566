'use client';

import { useQuery } from '@tanstack/react-query';
import { Suspense, useMemo, useState } from 'react';
import { BoardIcon, DownloadIcon, SearchIcon, TableIcon } from '@/components/icons';
import { Board } from '@/components/leads/board';
import { LeadDrawer } from '@/components/leads/lead-drawer';
import { LeadsTable } from '@/components/leads/leads-table';
import {
  Button,
  ErrorState,
  InlineError,
  Input,
  LoadingState,
  NotAvailable,
  PageHeader,
  Segmented,
  Select,
} from '@/components/ui';
import { download } from '@/lib/api-client';
import { formsQuery, membersQuery, pipelineQuery, type LeadFilters } from '@/lib/queries';
import { useDebounced } from '@/lib/use-debounced';
import { useQueryParams } from '@/lib/use-query-param';

function Leads() {
  const [params, setParams] = useQueryParams();
  const view = params.get('view') === 'table' ? 'table' : 'board';
  const openLead = params.get('lead');
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = useDebounced(search.trim());
  const filters: LeadFilters = useMemo(
    () => ({
      q: q || undefined,
      ownerId: params.get('owner') ?? undefined,
      formId: params.get('form') ?? undefined,
      ...(view === 'table' && params.get('stage') ? { stage: params.get('stage')! } : {}),
    }),
    [q, params, view],
  );
  const pipeline = useQuery(pipelineQuery());
  const members = useQuery(membersQuery());
  const forms = useQuery(formsQuery());
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);
  const owners = useMemo(
    () => new Map((members.data?.items ?? []).map((m) => [m.id, m.email ?? m.id])),
    [members.data],
  );
  const formNames = useMemo(
    () => new Map((forms.data?.items ?? []).map((f) => [f.id, f.name])),
    [forms.data],
  );
  const stages = pipeline.data?.stages ?? [];

  async function exportCsv() {
    setExporting(true);
    setExportError(null);
    try {
      const { stage: _stage, ...rest } = filters;
      await download('leads.export', `leads-${new Date().toISOString().slice(0, 10)}.csv`, {
        query: {
          ...rest,
          ...(view === 'table' && filters.stage ? { stage: filters.stage } : {}),
        },
      });
    } catch (err) {
      setExportError(err);
    } finally {
      setExporting(false);
    }
  }

  return (
    <div className="flex h-full min-h-0 flex-col">
      <PageHeader
        title="Leads"
        description="Everyone who filled in a form or came in through the API, stage by stage."
        actions={
          <>
            <Segmented
              label="View"
              value={view}
              onChange={(v) => setParams({ view: v === 'table' ? 'table' : null })}
              options={[
                {
                  value: 'board',
                  label: (
                    <>
                      <BoardIcon size={14} /> Board
                    </>
                  ),
                },
                {
                  value: 'table',
                  label: (
                    <>
                      <TableIcon size={14} /> Table
                    </>
                  ),
                },
              ]}
            />
            <Button onClick={() => void exportCsv()} busy={exporting}>
              <DownloadIcon size={16} /> Export CSV
            </Button>
          </>
        }
      />
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-4 py-3 md:px-6">
        <label className="relative block w-full sm:w-64">
          <span className="sr-only">Search leads</span>
          <SearchIcon
            size={16}
            className="pointer-events-none absolute left-3 top-3 text-slate-400"
          />
          <Input
            type="search"
            placeholder="Search name, e-mail, phone"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
            }}
            onBlur={() => setParams({ q: search.trim() || null })}
            className="pl-9"
          />
        </label>
        <label>
          <span className="sr-only">Owner</span>
          <Select
            className="h-10 w-44"
            value={filters.ownerId ?? ''}
            onChange={(e) => setParams({ owner: e.target.value || null })}
          >
            <option value="">Any owner</option>
            {(members.data?.items ?? []).map((m) => (
              <option key={m.id} value={m.id}>
                {m.email ?? m.id}
              </option>
            ))}
          </Select>
        </label>
        <label>
          <span className="sr-only">Form</span>
          <Select
            className="h-10 w-44"
            value={filters.formId ?? ''}
            onChange={(e) => setParams({ form: e.target.value || null })}
          >
            <option value="">Any form</option>
            {(forms.data?.items ?? []).map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </Select>
        </label>
        {view === 'table' ? (
          <label>
            <span className="sr-only">Stage</span>
            <Select
              className="h-10 w-40"
              value={filters.stage ?? ''}
              onChange={(e) => setParams({ stage: e.target.value || null })}
            >
              <option value="">Any stage</option>
              {stages.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </Select>
          </label>
        ) : null}
        {exportError ? <InlineError error={exportError} /> : null}
      </div>
      <div className="flex min-h-0 flex-1 flex-col overflow-y-auto">
        {pipeline.isLoading ? (
          <LoadingState label="Loading the pipeline…" />
        ) : pipeline.error ? (
          <ErrorState
            error={pipeline.error}
            onRetry={() => void pipeline.refetch()}
            what="Pipeline"
          />
        ) : pipeline.data === null ? (
          <NotAvailable what="The lead pipeline" />
        ) : view === 'board' ? (
          <Board
            stages={stages}
            filters={filters}
            owners={owners}
            onOpen={(id) => setParams({ lead: id }, { push: true })}
          />
        ) : (
          <LeadsTable
            filters={filters}
            stages={stages}
            owners={owners}
            forms={formNames}
            onOpen={(id) => setParams({ lead: id }, { push: true })}
          />
        )}
      </div>
      {openLead ? (
        <LeadDrawer
          key={openLead}
          leadId={openLead}
          stages={stages}
          forms={formNames}
          onClose={() => setParams({ lead: null })}
        />
      ) : null}
    </div>
  );
}

export default function LeadsPage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <Leads />
    </Suspense>
  );
}

'use client';

import { useQuery } from '@tanstack/react-query';
import { Suspense, useState, type FormEvent } from 'react';
import { ChartIcon } from '@/components/icons';
import {
  Button,
  Card,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  NotAvailable,
  PageHeader,
} from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { isoDay, sourcesReportQuery, type SourcesReportDto } from '@/lib/consent-queries';
import { useQueryParams } from '@/lib/use-query-param';

// Reports → Sources: leads (landing-page submissions) and conversations (opened from an ad, a
// post or a story) by source, medium and campaign over whole UTC days. The range lives in the URL
// so a report can be shared; the last 30 days unless it says otherwise.

function defaultRange(now = new Date()): { from: string; to: string } {
  const from = new Date(now);
  from.setUTCDate(from.getUTCDate() - 29);
  return { from: isoDay(from), to: isoDay(now) };
}

function SourcesTable({ report }: { report: SourcesReportDto }) {
  if (report.rows.length === 0) {
    return (
      <EmptyState icon={<ChartIcon />} title="Nothing in this range">
        Leads from your forms and conversations opened from an ad or a story will be counted here.
      </EmptyState>
    );
  }
  return (
    <div className="overflow-x-auto" role="region" aria-label="Sources report" tabIndex={0}>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">
          Leads and conversations by source, {report.from} to {report.to}
        </caption>
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-5 py-2 font-medium">
              Source
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Medium
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Campaign
            </th>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Leads
            </th>
            <th scope="col" className="px-5 py-2 text-right font-medium">
              Conversations
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {report.rows.map((row) => (
            <tr key={`${row.source}\u0000${row.medium ?? ''}\u0000${row.campaign ?? ''}`}>
              <th scope="row" className="px-5 py-2 font-medium text-slate-900">
                {row.source}
              </th>
              <td className="px-3 py-2 text-slate-700">{row.medium ?? '—'}</td>
              <td className="px-3 py-2 text-slate-700">{row.campaign ?? '—'}</td>
              <td className="px-3 py-2 text-right tabular-nums text-slate-900">{row.leads}</td>
              <td className="px-5 py-2 text-right tabular-nums text-slate-900">
                {row.conversations}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot className="border-t border-slate-200 font-semibold text-slate-900">
          <tr>
            <th scope="row" colSpan={3} className="px-5 py-2">
              Total
            </th>
            <td className="px-3 py-2 text-right tabular-nums">{report.totals.leads}</td>
            <td className="px-5 py-2 text-right tabular-nums">{report.totals.conversations}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function Reports() {
  const [params, setParams] = useQueryParams();
  const fallback = defaultRange();
  const from = params.get('from') ?? fallback.from;
  const to = params.get('to') ?? fallback.to;
  const [draft, setDraft] = useState({ from, to });
  const report = useQuery(sourcesReportQuery(from, to));
  const badRange = report.error instanceof ApiError && report.error.status === 400;
  const fields = badRange ? (report.error as ApiError).fields : {};

  function submit(e: FormEvent) {
    e.preventDefault();
    setParams({ from: draft.from, to: draft.to });
  }

  return (
    <div className="min-h-full">
      <PageHeader
        title="Reports"
        description="Where your leads and conversations come from, by source, medium and campaign."
      />
      <div className="mx-auto max-w-5xl space-y-4 p-4 md:p-6">
        <form
          onSubmit={submit}
          noValidate
          aria-label="Report range"
          className="flex flex-wrap items-start gap-3"
        >
          <Field label="From" error={fields.from} className="w-44">
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                type="date"
                value={draft.from}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => setDraft({ ...draft, from: e.target.value })}
              />
            )}
          </Field>
          <Field label="To" error={fields.to} className="w-44">
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                type="date"
                value={draft.to}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => setDraft({ ...draft, to: e.target.value })}
              />
            )}
          </Field>
          <Button type="submit" variant="primary" className="mt-7">
            Show report
          </Button>
        </form>
        <Card>
          <h2 className="border-b border-slate-200 px-5 py-3 font-semibold text-slate-900">
            Sources
          </h2>
          {report.isLoading ? (
            <LoadingState label="Loading the report…" />
          ) : badRange ? (
            <div className="p-5">
              <InlineError error={Object.values(fields)[0] ?? (report.error as ApiError).message} />
            </div>
          ) : report.error ? (
            <ErrorState
              error={report.error}
              onRetry={() => void report.refetch()}
              what="The report"
            />
          ) : report.data === null ? (
            <NotAvailable what="The sources report" />
          ) : report.data ? (
            <SourcesTable report={report.data} />
          ) : null}
        </Card>
      </div>
    </div>
  );
}

export default function ReportsPage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <Reports />
    </Suspense>
  );
}

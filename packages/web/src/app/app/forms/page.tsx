'use client';

import { useQuery } from '@tanstack/react-query';
import { Suspense } from 'react';
import { FormBuilder, hostedUrl } from '@/components/forms/form-builder';
import { ExternalIcon, FormIcon, PlusIcon } from '@/components/icons';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  LoadingState,
  NotAvailable,
  PageHeader,
} from '@/components/ui';
import { fullDate } from '@/lib/format';
import { formsQuery } from '@/lib/queries';
import { useRole } from '@/lib/session';
import { useQueryParams } from '@/lib/use-query-param';

function FormsList({ onOpen }: { onOpen: (id: string) => void }) {
  const forms = useQuery(formsQuery());
  const { atLeast } = useRole();
  return (
    <div className="min-h-full">
      <PageHeader
        title="Forms"
        description="Lead forms for your landing pages: build, publish, embed or share the hosted link."
        actions={
          atLeast('admin') ? (
            <Button variant="primary" onClick={() => onOpen('new')}>
              <PlusIcon size={16} /> New form
            </Button>
          ) : null
        }
      />
      <div className="mx-auto max-w-5xl p-4 md:p-6">
        {forms.isLoading ? (
          <LoadingState label="Loading forms…" />
        ) : forms.error ? (
          <ErrorState error={forms.error} onRetry={() => void forms.refetch()} what="Forms" />
        ) : forms.data === null ? (
          <NotAvailable what="Forms" />
        ) : !forms.data?.items.filter((f) => f.status !== 'archived').length ? (
          <Card>
            <EmptyState
              icon={<FormIcon />}
              title="No forms yet"
              action={
                atLeast('admin') ? (
                  <Button variant="primary" onClick={() => onOpen('new')}>
                    Create your first form
                  </Button>
                ) : undefined
              }
            >
              A form on your website turns visitors into leads in your pipeline and contacts in your
              inbox.
            </EmptyState>
          </Card>
        ) : (
          <ul className="grid gap-3 sm:grid-cols-2">
            {forms.data.items
              .filter((f) => f.status !== 'archived')
              .map((f) => (
                <li key={f.id}>
                  <Card className="flex h-full flex-col gap-3 p-4">
                    <div className="flex items-start justify-between gap-2">
                      <button
                        type="button"
                        onClick={() => onOpen(f.id)}
                        className="text-left font-semibold text-slate-900 hover:text-brand-strong hover:underline"
                      >
                        {f.name}
                      </button>
                      <Badge tone={f.status === 'published' ? 'green' : 'slate'}>
                        {f.status === 'published' ? `Live v${f.publishedVersion}` : 'Draft'}
                      </Badge>
                    </div>
                    <p className="text-sm text-slate-500">
                      {f.fields.length} field{f.fields.length === 1 ? '' : 's'} · edited{' '}
                      {fullDate(f.updatedAt)}
                      {f.publishedVersion && f.version > f.publishedVersion
                        ? ' · unpublished changes'
                        : ''}
                    </p>
                    <div className="mt-auto flex gap-2">
                      <Button size="sm" onClick={() => onOpen(f.id)}>
                        Edit
                      </Button>
                      {f.publishedVersion ? (
                        <a
                          href={hostedUrl(f.id)}
                          target="_blank"
                          rel="noopener"
                          className="inline-flex h-8 items-center gap-1.5 rounded-lg px-3 text-sm font-medium text-slate-700 hover:bg-slate-100"
                        >
                          <ExternalIcon size={14} /> Hosted page
                        </a>
                      ) : null}
                    </div>
                  </Card>
                </li>
              ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function Forms() {
  const [params, setParams] = useQueryParams();
  const id = params.get('id');
  if (id) {
    return (
      <FormBuilder
        key={id}
        formId={id === 'new' ? null : id}
        onCreated={(newId) => setParams({ id: newId })}
        onBack={() => setParams({ id: null }, { push: true })}
      />
    );
  }
  return <FormsList onOpen={(formId) => setParams({ id: formId }, { push: true })} />;
}

export default function FormsPage() {
  return (
    <Suspense fallback={<LoadingState />}>
      <Forms />
    </Suspense>
  );
}

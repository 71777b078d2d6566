'use client';

import type { CreateCrmDestinationRequest } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { orNull } from '@/lib/queries';
import type { CrmTestResult } from '@/lib/api-types';
import { useRole } from '@/lib/session';
import { OneTimeSecret } from '../copy-button';
import { LinkIcon, PlusIcon } from '../icons';
import {
  Badge,
  Button,
  Card,
  Dialog,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  NotAvailable,
  Segmented,
} from '../ui';

function TestResult({ result }: { result: CrmTestResult | Error }) {
  if (result instanceof Error) {
    return (
      <p role="status" className="text-sm text-red-700">
        Test failed: {result.message}
      </p>
    );
  }
  return (
    <p
      role="status"
      className={result.delivered ? 'text-sm text-emerald-700' : 'text-sm text-red-700'}
    >
      {result.delivered
        ? `Test delivery accepted${result.status ? ` (HTTP ${result.status})` : ''}.`
        : `Test delivery failed${result.status ? ` (HTTP ${result.status})` : ''}: ${result.error ?? 'no details'}`}
    </p>
  );
}

export function CrmSettings() {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const canEdit = atLeast('admin');
  const destinations = useQuery({
    queryKey: ['crm-destinations'],
    queryFn: ({ signal }) => orNull(api.call('crm-destinations.list', { signal })),
    enabled: canEdit,
  });
  const [open, setOpen] = useState(false);
  const [type, setType] = useState<'webhook' | 'hubspot'>('webhook');
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  /** A new webhook's signing secret: the create answer is the only time it is shown. */
  const [secret, setSecret] = useState<string | null>(null);
  const [results, setResults] = useState<Record<string, CrmTestResult | Error>>({});

  const create = useMutation({
    mutationFn: (body: CreateCrmDestinationRequest) =>
      api.call('crm-destinations.create', { body }),
    onSuccess: (res) => {
      void queryClient.invalidateQueries({ queryKey: ['crm-destinations'] });
      if (res.secret) setSecret(res.secret);
      else close();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call('crm-destinations.delete', { params: { id } }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['crm-destinations'] }),
  });
  const test = useMutation({
    mutationFn: (id: string) => api.call('crm-destinations.test', { params: { id } }),
    onSuccess: (res, id) => setResults((r) => ({ ...r, [id]: res })),
    onError: (err, id) => setResults((r) => ({ ...r, [id]: err as Error })),
  });

  function close() {
    setOpen(false);
    setSecret(null);
    setUrl('');
    setToken('');
    setName('');
    create.reset();
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    const base = name.trim() ? { name: name.trim() } : {};
    create.mutate(
      type === 'webhook'
        ? { type, url: url.trim(), ...base }
        : { type, accessToken: token.trim(), ...base },
    );
  }
  const fields = create.error instanceof ApiError ? create.error.fields : {};

  if (!canEdit)
    return (
      <EmptyState icon={<LinkIcon />} title="Admins only">
        Ask a workspace admin to set up CRM sync.
      </EmptyState>
    );
  if (destinations.isLoading) return <LoadingState label="Loading CRM destinations…" />;
  if (destinations.error)
    return (
      <ErrorState
        error={destinations.error}
        onRetry={() => void destinations.refetch()}
        what="CRM destinations"
      />
    );
  if (destinations.data === null) return <NotAvailable what="CRM sync" />;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="max-w-xl text-sm text-slate-600">
          Every new or updated lead is pushed to these destinations, with retries. Webhooks are
          signed (Standard Webhooks) so your endpoint can verify them.
        </p>
        <Button variant="primary" onClick={() => setOpen(true)}>
          <PlusIcon size={16} /> Add destination
        </Button>
      </div>
      <Card>
        {!destinations.data?.items.length ? (
          <EmptyState icon={<LinkIcon />} title="No CRM connected">
            Add a webhook or HubSpot to sync leads automatically.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {destinations.data.items.map((d) => (
              <li key={d.id} className="space-y-2 px-5 py-4">
                <div className="flex flex-wrap items-center gap-3">
                  <Badge tone={d.type === 'hubspot' ? 'amber' : 'blue'}>
                    {d.type === 'hubspot' ? 'HubSpot' : 'Webhook'}
                  </Badge>
                  <div className="min-w-0 flex-1">
                    <p className="truncate font-medium text-slate-900">
                      {d.name ?? d.url ?? 'HubSpot'}
                    </p>
                    <p className="truncate text-xs text-slate-500">
                      {[
                        d.type === 'hubspot'
                          ? 'HubSpot contacts'
                          : d.name
                            ? d.url
                            : 'Signed JSON webhook',
                        d.createdAt ? `added ${fullDate(d.createdAt)}` : null,
                      ]
                        .filter(Boolean)
                        .join(' · ')}
                    </p>
                  </div>
                  {d.enabled ? <Badge tone="green">Active</Badge> : <Badge>Paused</Badge>}
                  <Button
                    size="sm"
                    onClick={() => test.mutate(d.id)}
                    busy={test.isPending && test.variables === d.id}
                  >
                    Send test
                  </Button>
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => {
                      if (window.confirm('Remove this destination? Leads stop syncing to it.'))
                        remove.mutate(d.id);
                    }}
                  >
                    Remove
                  </Button>
                </div>
                {results[d.id] ? <TestResult result={results[d.id]!} /> : null}
              </li>
            ))}
          </ul>
        )}
        {remove.error ? (
          <div className="p-4">
            <InlineError error={remove.error} />
          </div>
        ) : null}
      </Card>
      <Dialog
        open={open}
        onClose={close}
        title={secret ? 'Destination added' : 'Add a CRM destination'}
        footer={
          secret ? (
            <Button variant="primary" onClick={close}>
              Done
            </Button>
          ) : (
            <>
              <Button onClick={close}>Cancel</Button>
              <Button type="submit" form="new-crm" variant="primary" busy={create.isPending}>
                Add
              </Button>
            </>
          )
        }
      >
        {secret ? (
          <OneTimeSecret value={secret} what="webhook signing secret" />
        ) : (
          <form id="new-crm" onSubmit={submit} className="space-y-4" noValidate>
            <Segmented
              label="Destination type"
              value={type}
              onChange={setType}
              options={[
                { value: 'webhook', label: 'Webhook' },
                { value: 'hubspot', label: 'HubSpot' },
              ]}
            />
            {type === 'webhook' ? (
              <Field
                label="Endpoint URL"
                hint="HTTPS. We POST each lead as JSON."
                error={fields.url}
                required
              >
                {({ id, describedBy, invalid }) => (
                  <Input
                    id={id}
                    type="url"
                    inputMode="url"
                    placeholder="https://crm.example.com/hooks/leads"
                    value={url}
                    onChange={(e) => setUrl(e.target.value)}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                  />
                )}
              </Field>
            ) : (
              <Field
                label="HubSpot private app token"
                hint="Needs crm.objects.contacts.write. Stored encrypted."
                error={fields.accessToken}
                required
              >
                {({ id, describedBy, invalid }) => (
                  <Input
                    id={id}
                    type="password"
                    autoComplete="off"
                    value={token}
                    onChange={(e) => setToken(e.target.value)}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                  />
                )}
              </Field>
            )}
            <Field label="Name" hint="Optional.">
              {({ id }) => <Input id={id} value={name} onChange={(e) => setName(e.target.value)} />}
            </Field>
            {create.error && !fields.url && !fields.accessToken ? (
              <InlineError error={create.error} />
            ) : null}
          </form>
        )}
      </Dialog>
    </div>
  );
}

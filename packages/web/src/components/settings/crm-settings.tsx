'use client';

import type { CreateCrmDestinationRequest } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { orNull } from '@/lib/queries';
import type { CrmTestResult } from '@/lib/api-types';
import { useRole } from '@/lib/session';
import { LinkIcon } from '../icons';
import { Badge, Card, EmptyState, Field, InlineError, Input, Segmented } from '../ui';
import {
  CardError,
  ConfirmButton,
  EndpointUrlField,
  listGate,
  SecretRevealDialog,
  SendTestButton,
  SettingsIntro,
  TestResult,
} from './settings-parts';

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

  const gate = listGate(destinations, {
    canEdit,
    icon: <LinkIcon />,
    askAdmin: 'Ask a workspace admin to set up CRM sync.',
    loadingLabel: 'Loading CRM destinations…',
    what: 'CRM destinations',
  });
  if (gate) return gate;

  return (
    <div className="space-y-4">
      <SettingsIntro addLabel="Add destination" onAdd={() => setOpen(true)}>
        Every new or updated lead is pushed to these destinations, with retries. Webhooks are signed
        (Standard Webhooks) so your endpoint can verify them.
      </SettingsIntro>
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
                  <SendTestButton
                    onClick={() => test.mutate(d.id)}
                    busy={test.isPending && test.variables === d.id}
                  />
                  <ConfirmButton
                    question="Remove this destination? Leads stop syncing to it."
                    onConfirm={() => remove.mutate(d.id)}
                  >
                    Remove
                  </ConfirmButton>
                </div>
                {results[d.id] ? <TestResult result={results[d.id]!} what="Test delivery" /> : null}
              </li>
            ))}
          </ul>
        )}
        <CardError error={remove.error} />
      </Card>
      <SecretRevealDialog
        open={open}
        onClose={close}
        title="Add a CRM destination"
        createdTitle="Destination added"
        secret={secret}
        secretWhat="webhook signing secret"
        formId="new-crm"
        onSubmit={submit}
        submitLabel="Add"
        busy={create.isPending}
        noValidate
      >
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
          <EndpointUrlField
            hint="HTTPS. We POST each lead as JSON."
            placeholder="https://crm.example.com/hooks/leads"
            value={url}
            onChange={setUrl}
            error={fields.url}
          />
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
      </SecretRevealDialog>
    </div>
  );
}

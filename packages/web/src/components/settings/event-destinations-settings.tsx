'use client';

import { integrationEventTypes, type IntegrationEventType } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { fullDate, relativeFromNow } from '@/lib/format';
import {
  eventDestinationsQuery,
  type EventDestination,
  type EventDestinationTest,
} from '@/lib/integration-queries';
import { useRole } from '@/lib/session';
import { LinkIcon } from '../icons';
import { Badge, Button, Card, EmptyState, InlineError } from '../ui';
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

// Event webhooks for integrators: endpoints that receive the workspace's events (messages,
// statuses, assignments, closes, contact edits), signed per Standard Webhooks, with retries.

const eventLabels: Record<IntegrationEventType, { label: string; hint: string }> = {
  'message.received': { label: 'Message received', hint: 'A customer wrote.' },
  'message.status': { label: 'Message status', hint: 'Sent, delivered, read or failed.' },
  'conversation.assigned': { label: 'Conversation assigned', hint: 'Or unassigned.' },
  'conversation.closed': { label: 'Conversation closed', hint: 'An agent closed it.' },
  'contact.updated': { label: 'Contact updated', hint: 'Created or edited by an agent.' },
};

function LastDelivery({ d }: { d: EventDestination }) {
  const last = d.lastDelivery;
  if (!last) return <p className="text-xs text-slate-500">No deliveries yet.</p>;
  const when = relativeFromNow(last.at);
  const what = `${last.type}${last.status ? ` · HTTP ${last.status}` : ''}`;
  if (last.outcome === 'delivered') {
    return (
      <p className="text-xs text-emerald-700" title={fullDate(last.at)}>
        Last delivery {when}: {what}
      </p>
    );
  }
  return (
    <p className="text-xs text-red-700" title={fullDate(last.at)}>
      {last.outcome === 'failed' ? 'Gave up' : 'Retrying'} {when}: {what}
      {last.error ? ` (${last.error})` : ''}
    </p>
  );
}

function EventChoices({
  value,
  onChange,
  error,
}: {
  value: IntegrationEventType[];
  onChange: (events: IntegrationEventType[]) => void;
  error?: string;
}) {
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-700">Events</legend>
      {integrationEventTypes.map((type) => (
        <label key={type} className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            className="mt-0.5"
            checked={value.includes(type)}
            onChange={(e) =>
              onChange(e.target.checked ? [...value, type] : value.filter((t) => t !== type))
            }
          />
          <span>
            <span className="font-medium text-slate-900">{eventLabels[type].label}</span>{' '}
            <span className="text-slate-600">
              <code className="text-xs">{type}</code> — {eventLabels[type].hint}
            </span>
          </span>
        </label>
      ))}
      {error ? <p className="text-sm text-red-700">{error}</p> : null}
    </fieldset>
  );
}

export function EventDestinationsSettings() {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const canEdit = atLeast('admin');
  const destinations = useQuery(eventDestinationsQuery(canEdit));
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<IntegrationEventType[]>([...integrationEventTypes]);
  const [secret, setSecret] = useState<string | null>(null);
  const [results, setResults] = useState<Record<string, EventDestinationTest | Error>>({});
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: ['event-destinations'] });

  const create = useMutation({
    mutationFn: () =>
      api.call('event-destinations.create', { body: { url: url.trim(), events, enabled: true } }),
    onSuccess: (res) => {
      invalidate();
      setSecret(res.secret);
    },
  });
  const update = useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      api.call('event-destinations.update', { params: { id }, body: { enabled } }),
    onSettled: invalidate,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call('event-destinations.delete', { params: { id } }),
    onSettled: invalidate,
  });
  const test = useMutation({
    mutationFn: (id: string) => api.call('event-destinations.test', { params: { id } }),
    onSuccess: (res, id) => {
      setResults((r) => ({ ...r, [id]: res }));
      invalidate();
    },
    onError: (err, id) => setResults((r) => ({ ...r, [id]: err as Error })),
  });

  function close() {
    setOpen(false);
    setSecret(null);
    setUrl('');
    setEvents([...integrationEventTypes]);
    create.reset();
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  const fields = create.error instanceof ApiError ? create.error.fields : {};

  const gate = listGate(destinations, {
    canEdit,
    icon: <LinkIcon />,
    askAdmin: 'Ask a workspace admin to set up event webhooks.',
    loadingLabel: 'Loading event webhooks…',
    what: 'Event webhooks',
  });
  if (gate) return gate;

  return (
    <div className="space-y-4">
      <SettingsIntro addLabel="Add endpoint" onAdd={() => setOpen(true)}>
        Your systems hear about messages, statuses, assignments and contact edits as they happen.
        Each event is POSTed as JSON and signed per Standard Webhooks, so your endpoint can verify
        it; a failed delivery is retried for about an hour.
      </SettingsIntro>
      <Card>
        {!destinations.data?.items.length ? (
          <EmptyState icon={<LinkIcon />} title="No event webhooks">
            Add an endpoint to receive the workspace’s events.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Event webhooks">
            {destinations.data.items.map((d) => (
              <li key={d.id} className="space-y-2 px-5 py-4">
                <div className="flex flex-wrap items-center gap-3">
                  <div className="min-w-0 flex-1">
                    <p className="truncate font-medium text-slate-900">{d.url}</p>
                    <p className="truncate text-xs text-slate-500">
                      {d.events.map((e) => eventLabels[e].label).join(', ')} · added{' '}
                      {fullDate(d.createdAt)}
                    </p>
                    <LastDelivery d={d} />
                  </div>
                  {d.enabled ? <Badge tone="green">Active</Badge> : <Badge>Paused</Badge>}
                  <SendTestButton
                    onClick={() => test.mutate(d.id)}
                    busy={test.isPending && test.variables === d.id}
                  />
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => update.mutate({ id: d.id, enabled: !d.enabled })}
                    busy={update.isPending && update.variables?.id === d.id}
                  >
                    {d.enabled ? 'Pause' : 'Resume'}
                  </Button>
                  <ConfirmButton
                    question="Remove this endpoint? It stops receiving events."
                    onConfirm={() => remove.mutate(d.id)}
                  >
                    Remove
                  </ConfirmButton>
                </div>
                {results[d.id] ? <TestResult result={results[d.id]!} what="Test event" /> : null}
              </li>
            ))}
          </ul>
        )}
        <CardError error={remove.error ?? update.error} />
      </Card>
      <SecretRevealDialog
        open={open}
        onClose={close}
        title="Add an event webhook"
        createdTitle="Endpoint added"
        secret={secret}
        secretWhat="signing secret"
        formId="new-event-destination"
        onSubmit={submit}
        submitLabel="Add endpoint"
        busy={create.isPending}
        noValidate
      >
        <EndpointUrlField
          hint="HTTPS, on a public address. We POST each event as JSON."
          placeholder="https://example.com/hooks/switchboard"
          value={url}
          onChange={setUrl}
          error={fields.url}
        />
        <EventChoices value={events} onChange={setEvents} error={fields.events} />
        {create.error && !fields.url && !fields.events ? (
          <InlineError error={create.error} />
        ) : null}
      </SecretRevealDialog>
    </div>
  );
}

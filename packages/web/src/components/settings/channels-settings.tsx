'use client';

import type { ChannelDto, ChannelType, CreateChannelRequest } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { channelsQuery } from '@/lib/queries';
import { useRole } from '@/lib/session';
import { ChannelIcon, PlusIcon } from '../icons';
import { ChannelAutoAssignment } from './auto-assignment-settings';
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
} from '../ui';

type Draft = {
  type: ChannelType;
  wabaId: string;
  phoneNumberId: string;
  accountId: string;
  accessToken: string;
  displayName: string;
  /** Reconnecting keeps the ids and asks for a new token only. */
  reconnect?: boolean;
};

function ConnectDialog({ draft, onClose }: { draft: Draft; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [f, setForm] = useState<Draft>(draft);
  const connect = useMutation({
    mutationFn: (body: CreateChannelRequest) => api.call('channels.create', { body }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['channels'] });
      onClose();
    },
  });
  const set = (patch: Partial<Draft>) => setForm({ ...f, ...patch });
  const fields = connect.error instanceof ApiError ? connect.error.fields : {};

  function submit(e: FormEvent) {
    e.preventDefault();
    const common = {
      accessToken: f.accessToken.trim(),
      ...(f.displayName.trim() ? { displayName: f.displayName.trim() } : {}),
    };
    connect.mutate(
      f.type === 'whatsapp'
        ? {
            type: 'whatsapp',
            wabaId: f.wabaId.trim(),
            phoneNumberId: f.phoneNumberId.trim(),
            ...common,
          }
        : { type: 'instagram', accountId: f.accountId.trim(), ...common },
    );
  }

  const title = `${f.reconnect ? 'Reconnect' : 'Connect'} ${f.type === 'whatsapp' ? 'WhatsApp' : 'Instagram'}`;
  return (
    <Dialog
      open
      onClose={onClose}
      title={title}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form="connect-channel" variant="primary" busy={connect.isPending}>
            {f.reconnect ? 'Reconnect' : 'Connect'}
          </Button>
        </>
      }
    >
      <form id="connect-channel" onSubmit={submit} className="space-y-4" noValidate>
        <p className="text-sm text-slate-600">
          {f.type === 'whatsapp'
            ? 'From Meta Business Suite → WhatsApp Manager: the WhatsApp Business Account id, the phone number id, and a system-user access token with whatsapp_business_messaging.'
            : 'From Meta Business Suite: the Instagram professional account id and an access token with instagram_manage_messages.'}
        </p>
        {f.type === 'whatsapp' ? (
          <>
            <Field label="WhatsApp Business Account id" error={fields.wabaId} required>
              {({ id, describedBy, invalid }) => (
                <Input
                  id={id}
                  inputMode="numeric"
                  value={f.wabaId}
                  disabled={f.reconnect}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onChange={(e) => set({ wabaId: e.target.value })}
                />
              )}
            </Field>
            <Field label="Phone number id" error={fields.phoneNumberId} required>
              {({ id, describedBy, invalid }) => (
                <Input
                  id={id}
                  inputMode="numeric"
                  value={f.phoneNumberId}
                  disabled={f.reconnect}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  onChange={(e) => set({ phoneNumberId: e.target.value })}
                />
              )}
            </Field>
          </>
        ) : (
          <Field label="Instagram account id" error={fields.accountId} required>
            {({ id, describedBy, invalid }) => (
              <Input
                id={id}
                inputMode="numeric"
                value={f.accountId}
                disabled={f.reconnect}
                aria-describedby={describedBy}
                aria-invalid={invalid}
                onChange={(e) => set({ accountId: e.target.value })}
              />
            )}
          </Field>
        )}
        <Field
          label="Access token"
          hint="Stored encrypted; it is never shown again."
          error={fields.accessToken}
          required
        >
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              type="password"
              autoComplete="off"
              value={f.accessToken}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              onChange={(e) => set({ accessToken: e.target.value })}
            />
          )}
        </Field>
        <Field label="Name in the app" hint="Optional, e.g. “Support line”.">
          {({ id, describedBy }) => (
            <Input
              id={id}
              value={f.displayName}
              aria-describedby={describedBy}
              onChange={(e) => set({ displayName: e.target.value })}
            />
          )}
        </Field>
        {connect.error && !Object.keys(fields).length ? (
          <InlineError error={connect.error} />
        ) : null}
      </form>
    </Dialog>
  );
}

const empty = (type: Draft['type']): Draft => ({
  type,
  wabaId: '',
  phoneNumberId: '',
  accountId: '',
  accessToken: '',
  displayName: '',
});

export function ChannelsSettings() {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const canEdit = atLeast('admin');
  const channels = useQuery(channelsQuery());
  const [draft, setDraftState] = useState<Draft | null>(null);
  const [seq, setSeq] = useState(0);
  const setDraft = (next: Draft | null) => {
    setSeq((n) => n + 1);
    setDraftState(next);
  };
  const remove = useMutation({
    mutationFn: (id: string) => api.call('channels.delete', { params: { id } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['channels'] }),
  });

  function reconnect(ch: ChannelDto) {
    setDraft({
      ...empty(ch.type),
      wabaId: ch.wabaId ?? '',
      phoneNumberId: ch.phoneNumberId ?? '',
      accountId: ch.accountId ?? '',
      displayName: ch.displayName ?? '',
      reconnect: true,
    });
  }

  return (
    <div className="space-y-4">
      {canEdit ? (
        <div className="flex flex-wrap gap-2">
          <Button variant="primary" onClick={() => setDraft(empty('whatsapp'))}>
            <PlusIcon size={16} /> Connect WhatsApp
          </Button>
          <Button onClick={() => setDraft(empty('instagram'))}>
            <PlusIcon size={16} /> Connect Instagram
          </Button>
        </div>
      ) : null}
      <Card>
        {channels.isLoading ? (
          <LoadingState label="Loading channels…" />
        ) : channels.error ? (
          <ErrorState
            error={channels.error}
            onRetry={() => void channels.refetch()}
            what="Channels"
          />
        ) : !channels.data?.items.length ? (
          <EmptyState
            icon={<ChannelIcon channel="whatsapp" size={24} />}
            title="No channels connected"
          >
            Connect a WhatsApp number or an Instagram account to start receiving messages.
          </EmptyState>
        ) : (
          <ul className="divide-y divide-slate-100">
            {channels.data.items.map((ch) => (
              <li key={ch.id} className="flex flex-wrap items-center gap-4 px-5 py-4">
                <ChannelIcon channel={ch.type} size={32} labelled />
                <div className="min-w-0 flex-1">
                  <p className="font-medium text-slate-900">
                    {ch.displayName ??
                      (ch.type === 'whatsapp' ? 'WhatsApp number' : 'Instagram account')}
                  </p>
                  <p className="truncate text-xs text-slate-500">
                    {ch.type === 'whatsapp'
                      ? `Phone number id ${ch.phoneNumberId} · WABA ${ch.wabaId}`
                      : `Account ${ch.accountId}`}
                    {' · connected '}
                    {fullDate(ch.createdAt)}
                  </p>
                </div>
                {ch.status === 'active' ? (
                  <Badge tone="green">Connected</Badge>
                ) : (
                  <Badge tone="amber">Needs reconnecting</Badge>
                )}
                {canEdit ? (
                  <div className="flex gap-2">
                    <Button size="sm" onClick={() => reconnect(ch)}>
                      Reconnect
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => {
                        if (
                          window.confirm(
                            'Disconnect this channel? New messages to it will no longer arrive here.',
                          )
                        ) {
                          remove.mutate(ch.id);
                        }
                      }}
                    >
                      Disconnect
                    </Button>
                  </div>
                ) : null}
                <ChannelAutoAssignment channel={ch} canEdit={canEdit} />
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
      {draft ? <ConnectDialog key={seq} draft={draft} onClose={() => setDraft(null)} /> : null}
    </div>
  );
}

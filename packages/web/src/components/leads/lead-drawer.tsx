'use client';

import type { LeadDetailDto, PatchLeadRequest } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { api, ApiError } from '@/lib/api-client';
import { fullDate, relativeFromNow } from '@/lib/format';
import { leadNotesQuery, leadQuery, membersQuery } from '@/lib/queries';
import type { PipelineStage } from '@/lib/api-types';
import { useRole } from '@/lib/session';
import { CloseIcon, RefreshIcon, WhatsAppIcon } from '../icons';
import { Button, ErrorState, InlineError, Input, LoadingState, Select, Textarea } from '../ui';
import { StartConversationButton } from '../inbox/start-conversation-dialog';
import { LeadSource } from '../attribution/source-block';
import { leadTitle, SyncBadge } from './lead-bits';

function Section({
  title,
  children,
  action,
}: {
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <section className="border-t border-slate-200 px-5 py-4">
      <div className="mb-2 flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
        {action}
      </div>
      {children}
    </section>
  );
}

function display(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function CustomFields({
  lead,
  canEdit,
  onSave,
  saving,
}: {
  lead: LeadDetailDto;
  canEdit: boolean;
  onSave: (custom: Record<string, string | null>) => void;
  saving: boolean;
}) {
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [newKey, setNewKey] = useState('');
  const [newValue, setNewValue] = useState('');
  const entries = Object.entries(lead.custom);
  const dirty = Object.keys(draft).length > 0;
  return (
    <div className="space-y-2">
      {entries.length === 0 ? <p className="text-sm text-slate-500">No custom fields.</p> : null}
      <dl className="space-y-2">
        {entries.map(([key, value]) => (
          <div key={key} className="grid grid-cols-[8rem_1fr] items-center gap-2">
            <dt className="truncate text-xs font-medium text-slate-500" title={key}>
              {key.replace(/_/g, ' ')}
            </dt>
            <dd>
              {canEdit && (typeof value === 'string' || typeof value === 'number') ? (
                <Input
                  aria-label={key.replace(/_/g, ' ')}
                  className="h-8"
                  value={draft[key] ?? String(value)}
                  onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
                />
              ) : (
                <span className="text-sm text-slate-800">{display(value)}</span>
              )}
            </dd>
          </div>
        ))}
      </dl>
      {canEdit ? (
        <div className="flex flex-wrap items-end gap-2 pt-1">
          <Input
            aria-label="New field name"
            placeholder="new_field"
            className="h-8 w-32 font-mono text-xs"
            value={newKey}
            onChange={(e) => setNewKey(e.target.value.toLowerCase().replace(/[^a-z0-9_]/g, '_'))}
          />
          <Input
            aria-label="New field value"
            placeholder="Value"
            className="h-8 min-w-0 flex-1"
            value={newValue}
            onChange={(e) => setNewValue(e.target.value)}
          />
          <Button
            size="sm"
            busy={saving}
            disabled={!dirty && !(newKey && newValue)}
            onClick={() => {
              onSave({ ...draft, ...(newKey && newValue ? { [newKey]: newValue } : {}) });
              setDraft({});
              setNewKey('');
              setNewValue('');
            }}
          >
            Save fields
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function Notes({ leadId, canEdit }: { leadId: string; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const notes = useQuery(leadNotesQuery(leadId));
  const members = useQuery(membersQuery());
  const [body, setBody] = useState('');
  const add = useMutation({
    mutationFn: () =>
      api.call('leads.notes.create', { params: { id: leadId }, body: { body: body.trim() } }),
    onSuccess: () => {
      setBody('');
      void queryClient.invalidateQueries({ queryKey: leadNotesQuery(leadId).queryKey });
    },
  });
  const who = (id?: string) => members.data?.items.find((m) => m.id === id)?.email ?? 'Someone';
  function submit(e: FormEvent) {
    e.preventDefault();
    if (body.trim()) add.mutate();
  }
  return (
    <div className="space-y-3">
      {canEdit ? (
        <form onSubmit={submit} className="space-y-2">
          <label htmlFor={`note-${leadId}`} className="sr-only">
            Add a note
          </label>
          <Textarea
            id={`note-${leadId}`}
            rows={2}
            placeholder="Add a note for the team…"
            value={body}
            onChange={(e) => setBody(e.target.value)}
            maxLength={5000}
          />
          <div className="flex justify-end">
            <Button
              type="submit"
              size="sm"
              variant="primary"
              busy={add.isPending}
              disabled={!body.trim()}
            >
              Add note
            </Button>
          </div>
          <InlineError error={add.error} />
        </form>
      ) : null}
      {notes.isLoading ? (
        <LoadingState label="Loading notes…" />
      ) : notes.error ? (
        <ErrorState error={notes.error} onRetry={() => void notes.refetch()} what="Notes" />
      ) : !notes.data?.items.length ? (
        <p className="text-sm text-slate-500">No notes yet.</p>
      ) : (
        <ol className="space-y-2">
          {notes.data.items.map((n) => (
            <li key={n.id} className="rounded-lg bg-amber-50 p-3 text-sm ring-1 ring-amber-100">
              <p className="whitespace-pre-wrap text-slate-800">{n.body}</p>
              <p className="mt-1 text-xs text-slate-500">
                {n.author.kind === 'apiKey' ? 'API key' : who(n.author.id)} ·{' '}
                {relativeFromNow(n.createdAt)}
              </p>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

export function LeadDrawer({
  leadId,
  stages,
  forms,
  onClose,
}: {
  leadId: string;
  stages: PipelineStage[];
  forms: Map<string, string>;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const canEdit = atLeast('agent');
  const lead = useQuery(leadQuery(leadId));
  const members = useQuery(membersQuery());
  const dialog = useRef<HTMLDialogElement>(null);
  const [name, setName] = useState<string | null>(null);

  // A native modal <dialog>: focus moves in and stays in, Escape closes, the page behind is inert.
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
    return () => el?.close();
  }, []);

  const patch = useMutation({
    mutationFn: (body: PatchLeadRequest) =>
      api.call('leads.update', { params: { id: leadId }, body }),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['lead', leadId] });
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
    },
  });
  const resync = useMutation({
    mutationFn: () => api.call('leads.sync', { params: { id: leadId } }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['lead', leadId] }),
  });

  const l = lead.data;
  return (
    <dialog
      ref={dialog}
      aria-labelledby="lead-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog box itself, outside the panel) closes it.
        if (e.target === e.currentTarget) onClose();
      }}
      className="fixed inset-0 m-0 ml-auto h-dvh max-h-none w-full max-w-lg bg-transparent p-0 backdrop:bg-slate-900/30"
    >
      <div className="flex h-full w-full flex-col overflow-y-auto bg-white shadow-2xl">
        <div className="sticky top-0 z-10 flex items-start gap-3 border-b border-slate-200 bg-white px-5 py-4">
          <div className="min-w-0 flex-1">
            <h2 id="lead-title" className="truncate text-lg font-semibold text-slate-900">
              {l ? leadTitle(l) : 'Lead'}
            </h2>
            {l ? (
              <p className="text-xs text-slate-500">
                Created {fullDate(l.createdAt)} · {l.submissionCount} submission
                {l.submissionCount === 1 ? '' : 's'}
              </p>
            ) : null}
          </div>
          <button
            type="button"
            onClick={onClose}
            className="rounded-md p-1.5 text-slate-500 hover:bg-slate-100"
            aria-label="Close"
          >
            <CloseIcon />
          </button>
        </div>
        {lead.isLoading ? (
          <LoadingState label="Loading lead…" />
        ) : !l ? (
          <ErrorState error={lead.error} onRetry={() => void lead.refetch()} what="Lead" />
        ) : (
          <>
            <div className="grid gap-4 px-5 py-4 sm:grid-cols-2">
              <label className="block space-y-1">
                <span className="text-xs font-medium text-slate-500">Stage</span>
                <Select
                  value={l.stage}
                  disabled={!canEdit || patch.isPending}
                  onChange={(e) => patch.mutate({ stage: e.target.value })}
                >
                  {stages.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.name}
                    </option>
                  ))}
                </Select>
              </label>
              <label className="block space-y-1">
                <span className="text-xs font-medium text-slate-500">Owner</span>
                <Select
                  value={l.ownerId ?? ''}
                  disabled={!canEdit || patch.isPending}
                  onChange={(e) => patch.mutate({ ownerId: e.target.value || null })}
                >
                  <option value="">Nobody</option>
                  {(members.data?.items ?? []).map((m) => (
                    <option key={m.id} value={m.id}>
                      {m.email ?? m.id}
                    </option>
                  ))}
                </Select>
              </label>
              <label className="block space-y-1 sm:col-span-2">
                <span className="text-xs font-medium text-slate-500">Name</span>
                <div className="flex gap-2">
                  <Input
                    value={name ?? l.name ?? ''}
                    disabled={!canEdit}
                    onChange={(e) => setName(e.target.value)}
                  />
                  {name !== null && name.trim() && name !== l.name ? (
                    <Button
                      onClick={() =>
                        patch.mutate({ name: name.trim() }, { onSuccess: () => setName(null) })
                      }
                      busy={patch.isPending}
                    >
                      Save
                    </Button>
                  ) : null}
                </div>
              </label>
              <div className="space-y-1">
                <p className="text-xs font-medium text-slate-500">E-mail</p>
                <p className="break-all text-sm text-slate-900">{l.email ?? '—'}</p>
              </div>
              <div className="space-y-1">
                <p className="text-xs font-medium text-slate-500">Phone</p>
                <p className="text-sm text-slate-900">{l.phone ?? '—'}</p>
                {canEdit && l.phone ? (
                  <StartConversationButton
                    recipient={{ customerId: l.customerId, label: `${leadTitle(l)} · ${l.phone}` }}
                  >
                    <WhatsAppIcon size={14} /> Message on WhatsApp
                  </StartConversationButton>
                ) : null}
              </div>
              <div className="space-y-1">
                <p className="text-xs font-medium text-slate-500">Company</p>
                <p className="text-sm text-slate-900">{l.company ?? '—'}</p>
              </div>
              <div className="space-y-1">
                <p className="text-xs font-medium text-slate-500">Contact</p>
                <Link
                  className="text-sm font-medium text-brand-strong hover:underline"
                  href={`/app/contacts/?id=${encodeURIComponent(l.customerId)}`}
                >
                  Open contact
                </Link>
              </div>
            </div>
            {patch.error ? (
              <div className="px-5 pb-3">
                <InlineError error={patch.error} />
              </div>
            ) : null}
            <Section
              title="CRM sync"
              action={
                canEdit ? (
                  <Button size="sm" onClick={() => resync.mutate()} busy={resync.isPending}>
                    <RefreshIcon size={14} /> Re-sync
                  </Button>
                ) : null
              }
            >
              <div
                className="flex flex-wrap items-center gap-2 text-sm text-slate-600"
                aria-live="polite"
              >
                <SyncBadge status={l.sync.status} />
                <span>
                  {l.sync.status === 'synced' && l.sync.syncedAt
                    ? `Synced ${relativeFromNow(l.sync.syncedAt)}`
                    : l.sync.lastAttemptAt
                      ? `Last attempt ${relativeFromNow(l.sync.lastAttemptAt)} · ${l.sync.attempts} attempt${l.sync.attempts === 1 ? '' : 's'}`
                      : l.sync.status === 'not_configured'
                        ? 'Add a destination in Settings → CRM sync.'
                        : 'Waiting for the first attempt.'}
                </span>
              </div>
              {l.sync.lastError ? (
                <p className="mt-2 rounded-lg bg-red-50 p-2 text-xs text-red-700">
                  {l.sync.lastError}
                </p>
              ) : null}
              {resync.error ? <InlineError error={resync.error} /> : null}
            </Section>
            <LeadSource leadId={leadId} />
            <Section title="Custom fields">
              <CustomFields
                lead={l}
                canEdit={canEdit}
                saving={patch.isPending}
                onSave={(custom) => patch.mutate({ custom })}
              />
            </Section>
            {l.utm && Object.keys(l.utm).length ? (
              <Section title="Campaign">
                <dl className="grid grid-cols-[8rem_1fr] gap-x-2 gap-y-1 text-sm">
                  {Object.entries(l.utm).map(([k, v]) => (
                    <div key={k} className="contents">
                      <dt className="text-xs font-medium text-slate-500">{k}</dt>
                      <dd className="text-slate-800">{v}</dd>
                    </div>
                  ))}
                </dl>
              </Section>
            ) : null}
            <Section title="Submissions">
              {l.submissions.length === 0 ? (
                <p className="text-sm text-slate-500">No submissions recorded.</p>
              ) : (
                <ol className="space-y-3">
                  {l.submissions.map((s) => (
                    <li key={s.id} className="rounded-lg border border-slate-200 p-3">
                      <p className="mb-2 text-xs text-slate-500">
                        {s.formId
                          ? (forms.get(s.formId) ?? 'Form')
                          : s.source === 'api'
                            ? 'API'
                            : 'Import'}{' '}
                        · {fullDate(s.submittedAt)}
                      </p>
                      <dl className="grid grid-cols-[8rem_1fr] gap-x-2 gap-y-1 text-sm">
                        {Object.entries(s.fields).map(([k, v]) => (
                          <div key={k} className="contents">
                            <dt className="truncate text-xs font-medium text-slate-500">
                              {k.replace(/_/g, ' ')}
                            </dt>
                            <dd className="break-words text-slate-800">{display(v)}</dd>
                          </div>
                        ))}
                      </dl>
                    </li>
                  ))}
                </ol>
              )}
            </Section>
            <Section title="Notes">
              <Notes leadId={leadId} canEdit={canEdit} />
            </Section>
          </>
        )}
      </div>
    </dialog>
  );
}

export function apiFieldError(err: unknown, key: string): string | undefined {
  return err instanceof ApiError ? err.fields[key] : undefined;
}

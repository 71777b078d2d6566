'use client';

import {
  ipRangeSchema,
  type ApiKeyDto,
  type ApiKeyScope,
  type CreateApiKeyResponse,
} from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { scopeOptions } from '@/lib/access';
import { api, ApiError } from '@/lib/api-client';
import { fullDate, relativeFromNow } from '@/lib/format';
import { useRole } from '@/lib/session';
import { ShieldIcon } from '../icons';
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
  Textarea,
} from '../ui';
import { CardError, ConfirmButton, SecretRevealDialog, SettingsIntro } from './settings-parts';

/** One range per line (or comma-separated): what the contract's `allowedIps` takes. */
function rangesOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((r) => r.trim())
    .filter(Boolean);
}

/** The first entry the contract would refuse, in words, before anything is sent. */
function rangesProblem(text: string): string | undefined {
  const bad = rangesOf(text).find((r) => !ipRangeSchema.safeParse(r).success);
  return bad ? `“${bad}” is not an IP address or CIDR range.` : undefined;
}

function RangesField({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  return (
    <Field
      label="Allowed IP ranges"
      hint="Optional. One per line, e.g. 203.0.113.0/24 or 2001:db8::/32. Empty: usable from anywhere."
      error={error}
    >
      {({ id, describedBy, invalid }) => (
        <Textarea
          id={id}
          rows={3}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy}
          aria-invalid={invalid}
          className="font-mono text-xs"
          spellCheck={false}
        />
      )}
    </Field>
  );
}

export function ApiKeysSettings() {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: ({ signal }) => api.call('api-keys.list', { signal }),
    enabled: atLeast('admin'),
  });
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<ApiKeyScope[]>(['leads:write']);
  const [ranges, setRanges] = useState('');
  const [created, setCreated] = useState<CreateApiKeyResponse | null>(null);
  const [editing, setEditing] = useState<ApiKeyDto | null>(null);
  const [editRanges, setEditRanges] = useState('');
  const create = useMutation({
    mutationFn: () => {
      const allowedIps = rangesOf(ranges);
      return api.call('api-keys.create', {
        body: { name: name.trim(), scopes: chosen, ...(allowedIps.length ? { allowedIps } : {}) },
      });
    },
    onSuccess: (res) => {
      setCreated(res);
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const restrict = useMutation({
    mutationFn: (id: string) =>
      api.call('api-keys.update', { params: { id }, body: { allowedIps: rangesOf(editRanges) } }),
    onSuccess: () => {
      setEditing(null);
      void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.call('api-keys.revoke', { params: { id } }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });

  if (!atLeast('admin')) {
    return (
      <EmptyState icon={<ShieldIcon />} title="Admins only">
        Ask a workspace admin for an API key.
      </EmptyState>
    );
  }

  function close() {
    setOpen(false);
    setCreated(null);
    setName('');
    setRanges('');
    setChosen(['leads:write']);
    create.reset();
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (!rangesProblem(ranges)) create.mutate();
  }
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const editFields = restrict.error instanceof ApiError ? restrict.error.fields : {};
  const rangeError = (all: Record<string, string>) =>
    Object.entries(all).find(([path]) => path.startsWith('allowedIps'))?.[1];

  return (
    <div className="space-y-4">
      <SettingsIntro addLabel="New API key" onAdd={() => setOpen(true)}>
        Keys let your website and tools call the API as this workspace. Send them as{' '}
        <code className="rounded bg-slate-100 px-1">Authorization: Bearer sk_live_…</code>.
      </SettingsIntro>
      <Card>
        {keys.isLoading ? (
          <LoadingState label="Loading keys…" />
        ) : keys.error ? (
          <ErrorState error={keys.error} onRetry={() => void keys.refetch()} what="API keys" />
        ) : !keys.data?.items.length ? (
          <EmptyState icon={<ShieldIcon />} title="No API keys yet">
            Create one for your landing page or integration.
          </EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th className="px-5 py-2 font-medium">Name</th>
                  <th className="px-3 py-2 font-medium">Key</th>
                  <th className="px-3 py-2 font-medium">Scopes</th>
                  <th className="px-3 py-2 font-medium">Allowed from</th>
                  <th className="px-3 py-2 font-medium">Last used</th>
                  <th className="px-5 py-2" aria-label="Actions" />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {keys.data.items.map((k) => (
                  <tr key={k.id} className={k.revokedAt ? 'text-slate-500' : ''}>
                    <td className="px-5 py-3 font-medium">{k.name}</td>
                    <td className="px-3 py-3 font-mono text-xs">{k.prefix}…</td>
                    <td className="px-3 py-3">
                      <span className="flex flex-wrap gap-1">
                        {k.scopes.map((s) => (
                          <Badge key={s}>{s}</Badge>
                        ))}
                      </span>
                    </td>
                    <td className="px-3 py-3 font-mono text-xs text-slate-600">
                      {k.allowedIps?.length ? k.allowedIps.join(', ') : 'Anywhere'}
                    </td>
                    <td className="px-3 py-3 text-slate-500" title={fullDate(k.lastUsedAt)}>
                      {k.lastUsedAt ? relativeFromNow(k.lastUsedAt) : 'Never'}
                    </td>
                    <td className="px-5 py-3 text-right">
                      {k.revokedAt ? (
                        <Badge tone="red">Revoked</Badge>
                      ) : (
                        <span className="inline-flex gap-1">
                          <Button
                            size="sm"
                            variant="ghost"
                            aria-label={`Allowed IP ranges of ${k.name}`}
                            onClick={() => {
                              restrict.reset();
                              setEditRanges((k.allowedIps ?? []).join('\n'));
                              setEditing(k);
                            }}
                          >
                            IP ranges
                          </Button>
                          <ConfirmButton
                            question={`Revoke “${k.name}”? Anything using it stops working at once.`}
                            onConfirm={() => revoke.mutate(k.id)}
                          >
                            Revoke
                          </ConfirmButton>
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <CardError error={revoke.error} />
      </Card>
      <SecretRevealDialog
        open={open}
        onClose={close}
        title="New API key"
        createdTitle="Your new API key"
        secret={created?.key ?? null}
        secretWhat="API key"
        formId="new-key"
        onSubmit={submit}
        submitLabel="Create key"
        busy={create.isPending}
        disabled={!name.trim() || !chosen.length}
      >
        <Field
          label="Name"
          hint="What uses it, e.g. “Website contact form”."
          error={fields.name}
          required
        >
          {({ id, describedBy, invalid }) => (
            <Input
              id={id}
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              autoFocus
            />
          )}
        </Field>
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">Scopes</legend>
          <div className="mt-2 space-y-2">
            {scopeOptions.map((s) => (
              <label
                key={s.value}
                className="flex items-start gap-3 rounded-lg border border-slate-200 p-3 hover:bg-slate-50"
              >
                <input
                  type="checkbox"
                  className="mt-0.5 size-4 accent-[var(--sb-brand)]"
                  checked={chosen.includes(s.value)}
                  onChange={(e) =>
                    setChosen((prev) =>
                      e.target.checked ? [...prev, s.value] : prev.filter((v) => v !== s.value),
                    )
                  }
                />
                <span>
                  <span className="block text-sm font-medium text-slate-900">{s.label}</span>
                  <span className="block text-xs text-slate-500">{s.hint}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <RangesField
          value={ranges}
          onChange={setRanges}
          error={rangesProblem(ranges) ?? rangeError(fields)}
        />
        {create.error && !fields.name && !rangeError(fields) ? (
          <InlineError error={create.error} />
        ) : null}
      </SecretRevealDialog>
      <Dialog
        open={editing !== null}
        onClose={() => setEditing(null)}
        title={editing ? `Where “${editing.name}” may be used from` : ''}
        footer={
          <>
            <Button onClick={() => setEditing(null)}>Cancel</Button>
            <Button type="submit" form="key-ranges" variant="primary" busy={restrict.isPending}>
              Save
            </Button>
          </>
        }
      >
        <form
          id="key-ranges"
          onSubmit={(e) => {
            e.preventDefault();
            if (editing && !rangesProblem(editRanges)) restrict.mutate(editing.id);
          }}
          className="space-y-4"
        >
          <RangesField
            value={editRanges}
            onChange={setEditRanges}
            error={rangesProblem(editRanges) ?? rangeError(editFields)}
          />
          {restrict.error && !rangeError(editFields) ? (
            <InlineError error={restrict.error} />
          ) : null}
        </form>
      </Dialog>
    </div>
  );
}

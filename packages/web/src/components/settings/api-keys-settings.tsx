'use client';

import type { ApiKeyScope, CreateApiKeyResponse } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { scopeOptions } from '@/lib/access';
import { api, ApiError } from '@/lib/api-client';
import { fullDate, relativeFromNow } from '@/lib/format';
import { useRole } from '@/lib/session';
import { OneTimeSecret } from '../copy-button';
import { PlusIcon, ShieldIcon } from '../icons';
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
  const [created, setCreated] = useState<CreateApiKeyResponse | null>(null);
  const create = useMutation({
    mutationFn: () => api.call('api-keys.create', { body: { name: name.trim(), scopes: chosen } }),
    onSuccess: (res) => {
      setCreated(res);
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
    setChosen(['leads:write']);
    create.reset();
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  const fields = create.error instanceof ApiError ? create.error.fields : {};

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="max-w-xl text-sm text-slate-600">
          Keys let your website and tools call the API as this workspace. Send them as{' '}
          <code className="rounded bg-slate-100 px-1">Authorization: Bearer sk_live_…</code>.
        </p>
        <Button variant="primary" onClick={() => setOpen(true)}>
          <PlusIcon size={16} /> New API key
        </Button>
      </div>
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
                  <th className="px-3 py-2 font-medium">Last used</th>
                  <th className="px-5 py-2" aria-label="Actions" />
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {keys.data.items.map((k) => (
                  <tr key={k.id} className={k.revokedAt ? 'text-slate-400' : ''}>
                    <td className="px-5 py-3 font-medium">{k.name}</td>
                    <td className="px-3 py-3 font-mono text-xs">{k.prefix}…</td>
                    <td className="px-3 py-3">
                      <span className="flex flex-wrap gap-1">
                        {k.scopes.map((s) => (
                          <Badge key={s}>{s}</Badge>
                        ))}
                      </span>
                    </td>
                    <td className="px-3 py-3 text-slate-500" title={fullDate(k.lastUsedAt)}>
                      {k.lastUsedAt ? relativeFromNow(k.lastUsedAt) : 'Never'}
                    </td>
                    <td className="px-5 py-3 text-right">
                      {k.revokedAt ? (
                        <Badge tone="red">Revoked</Badge>
                      ) : (
                        <Button
                          size="sm"
                          variant="ghost"
                          onClick={() => {
                            if (
                              window.confirm(
                                `Revoke “${k.name}”? Anything using it stops working at once.`,
                              )
                            )
                              revoke.mutate(k.id);
                          }}
                        >
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {revoke.error ? (
          <div className="p-4">
            <InlineError error={revoke.error} />
          </div>
        ) : null}
      </Card>
      <Dialog
        open={open}
        onClose={close}
        title={created ? 'Your new API key' : 'New API key'}
        footer={
          created ? (
            <Button variant="primary" onClick={close}>
              Done
            </Button>
          ) : (
            <>
              <Button onClick={close}>Cancel</Button>
              <Button
                type="submit"
                form="new-key"
                variant="primary"
                busy={create.isPending}
                disabled={!name.trim() || !chosen.length}
              >
                Create key
              </Button>
            </>
          )
        }
      >
        {created ? (
          <OneTimeSecret value={created.key} what="API key" />
        ) : (
          <form id="new-key" onSubmit={submit} className="space-y-4">
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
            {create.error && !fields.name ? <InlineError error={create.error} /> : null}
          </form>
        )}
      </Dialog>
    </div>
  );
}

'use client';

import { createTenantRequestSchema } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { BuildingIcon } from '@/components/icons';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  PageHeader,
} from '@/components/ui';
import { api, ApiError, refreshSession } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { useSession, useSignedIn } from '@/lib/session';
import { SignupSetting } from './signup-setting';

/** Platform admins onboard workspaces: a name and its first owner. */
export default function AdminPage() {
  const session = useSignedIn();
  const { switchTenant } = useSession();
  const queryClient = useQueryClient();
  const router = useRouter();
  const tenants = useQuery({
    queryKey: ['admin', 'tenants'],
    queryFn: ({ signal }) => api.call('admin.tenants.list', { signal, query: { limit: 100 } }),
    enabled: session.user.platformAdmin,
  });
  const [name, setName] = useState('');
  const [ownerEmail, setOwnerEmail] = useState('');
  const [ownerPassword, setOwnerPassword] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api.call('admin.tenants.create', {
        body: createTenantRequestSchema.parse({ name, ownerEmail, ownerPassword }),
      }),
    onSuccess: async (tenant) => {
      const mine =
        tenant.owner.id === session.user.id &&
        ownerEmail.trim().toLowerCase() === session.user.email.toLowerCase();
      setName('');
      setOwnerEmail('');
      setOwnerPassword('');
      void queryClient.invalidateQueries({ queryKey: ['admin', 'tenants'] });
      if (mine) {
        // You own it: renew the session so it lists the new workspace, then open it.
        await refreshSession();
        await switchTenant(tenant.id);
        router.push('/app/inbox/');
      }
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const local = createTenantRequestSchema.safeParse({ name, ownerEmail, ownerPassword });

  if (!session.user.platformAdmin) {
    return <EmptyState icon={<BuildingIcon />} title="Platform admins only" />;
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    if (local.success) create.mutate();
  }
  return (
    <div className="min-h-full">
      <PageHeader
        title="Platform"
        description="Workspaces on this Switchboard installation."
        actions={
          <div className="flex gap-4">
            <Link
              className="text-sm font-medium text-brand-strong hover:underline"
              href="/app/admin/channel-claims/"
            >
              Contested channel claims
            </Link>
            <Link
              className="text-sm font-medium text-brand-strong hover:underline"
              href="/app/admin/replays/"
            >
              Replay webhooks
            </Link>
            <Link
              className="text-sm font-medium text-brand-strong hover:underline"
              href="/app/admin/mail/"
            >
              Sandbox mail
            </Link>
          </div>
        }
      />
      <div className="mx-auto grid max-w-5xl gap-6 p-4 md:p-6 lg:grid-cols-[1fr_22rem]">
        <Card>
          {tenants.isLoading ? (
            <LoadingState label="Loading workspaces…" />
          ) : tenants.error ? (
            <ErrorState
              error={tenants.error}
              onRetry={() => void tenants.refetch()}
              what="Workspaces"
            />
          ) : !tenants.data?.items.length ? (
            <EmptyState icon={<BuildingIcon />} title="No workspaces yet">
              Create the first one with its owner.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {tenants.data.items.map((t) => {
                const member = session.tenants.some((m) => m.tenantId === t.id);
                return (
                  <li key={t.id} className="flex items-center gap-3 px-5 py-3">
                    <BuildingIcon className="text-slate-400" />
                    <div className="min-w-0 flex-1">
                      <p className="truncate font-medium text-slate-900">{t.name}</p>
                      <p className="text-xs text-slate-500">Created {fullDate(t.createdAt)}</p>
                    </div>
                    <Badge tone={t.status === 'active' ? 'green' : 'red'}>{t.status}</Badge>
                    {member ? (
                      <Button size="sm" onClick={() => void switchTenant(t.id)}>
                        Open
                      </Button>
                    ) : null}
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
        <div className="space-y-6">
          <SignupSetting />
          <Card className="p-5">
            <h2 className="mb-3 font-semibold text-slate-900">New workspace</h2>
            <form onSubmit={submit} className="space-y-3" noValidate>
              <Field label="Name" error={fields.name}>
                {({ id }) => (
                  <Input id={id} value={name} onChange={(e) => setName(e.target.value)} />
                )}
              </Field>
              <Field label="Owner e-mail" error={fields.ownerEmail}>
                {({ id }) => (
                  <Input
                    id={id}
                    type="email"
                    value={ownerEmail}
                    onChange={(e) => setOwnerEmail(e.target.value)}
                  />
                )}
              </Field>
              <Field
                label="Owner password"
                hint="At least 10 characters, for a new account. An e-mail that already has an account is e-mailed an invitation instead (its password is kept); your own e-mail makes you the owner at once."
                error={fields.ownerPassword}
              >
                {({ id, describedBy }) => (
                  <Input
                    id={id}
                    type="password"
                    autoComplete="new-password"
                    aria-describedby={describedBy}
                    value={ownerPassword}
                    onChange={(e) => setOwnerPassword(e.target.value)}
                  />
                )}
              </Field>
              {create.error && !Object.keys(fields).length ? (
                <InlineError error={create.error} />
              ) : null}
              {create.data ? (
                <p role="status" className="text-sm text-emerald-700">
                  {create.data.owner.invitationSent
                    ? `Workspace created. ${create.data.owner.email} already has an account, so it was not attached: they were e-mailed an invitation to own the workspace, and become its owner when they accept it (with their own password; the one above was not used).`
                    : create.data.owner.existingAccount
                      ? 'Workspace created. You are its owner.'
                      : 'Workspace created. Its owner can sign in now.'}
                </p>
              ) : null}
              <Button
                type="submit"
                variant="primary"
                busy={create.isPending}
                disabled={!local.success}
                className="w-full"
              >
                Create workspace
              </Button>
            </form>
          </Card>
        </div>
      </div>
    </div>
  );
}

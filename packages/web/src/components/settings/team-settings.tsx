'use client';

import {
  roleSchema,
  type InvitationDto,
  type InviteUserResponse,
  type Role,
} from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { roleInfo, roleOptions } from '@/lib/access';
import { api, ApiError } from '@/lib/api-client';
import { fullDate } from '@/lib/format';
import { membersQuery } from '@/lib/queries';
import { useRole, useSignedIn } from '@/lib/session';
import { UsersIcon } from '../icons';
import {
  Avatar,
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  Field,
  InlineError,
  Input,
  LoadingState,
  Select,
} from '../ui';

export function TeamSettings() {
  const queryClient = useQueryClient();
  const session = useSignedIn();
  const { atLeast } = useRole();
  const canManage = atLeast('admin');
  const members = useQuery(membersQuery());
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [invited, setInvited] = useState<InviteUserResponse | null>(null);

  const invite = useMutation({
    mutationFn: () => api.call('users.invite', { body: { email: email.trim(), role } }),
    onSuccess: (res) => {
      setInvited(res);
      setEmail('');
      void queryClient.invalidateQueries({ queryKey: ['members'] });
      void queryClient.invalidateQueries({ queryKey: ['invitations'] });
    },
  });
  const update = useMutation({
    mutationFn: (v: { id: string; role: Role }) =>
      api.call('users.update', { params: { id: v.id }, body: { role: v.role } }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['members'] }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.call('users.remove', { params: { id } }),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['members'] }),
  });

  function onInvite(e: FormEvent) {
    e.preventDefault();
    setInvited(null);
    invite.mutate();
  }
  const fields = invite.error instanceof ApiError ? invite.error.fields : {};

  return (
    <div className="space-y-6">
      {canManage ? (
        <Card className="p-5">
          <h3 className="font-semibold text-slate-900">Invite a teammate</h3>
          <form onSubmit={onInvite} className="mt-3 flex flex-wrap items-end gap-3" noValidate>
            <Field label="E-mail" error={fields.email} className="min-w-60 flex-1">
              {({ id, describedBy, invalid }) => (
                <Input
                  id={id}
                  type="email"
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  required
                />
              )}
            </Field>
            <Field label="Role">
              {({ id }) => (
                <Select
                  id={id}
                  value={role}
                  onChange={(e) => setRole(roleSchema.parse(e.target.value))}
                  className="w-40"
                >
                  {roleOptions
                    .filter((r) => r.value !== 'owner' || atLeast('owner'))
                    .map((r) => (
                      <option key={r.value} value={r.value}>
                        {r.label}
                      </option>
                    ))}
                </Select>
              )}
            </Field>
            <Button
              type="submit"
              variant="primary"
              busy={invite.isPending}
              disabled={!email.trim()}
            >
              Send invite
            </Button>
          </form>
          <p className="mt-2 text-xs text-slate-500">{roleInfo[role].description}</p>
          {invite.error && !fields.email ? (
            <div className="mt-3">
              <InlineError error={invite.error} />
            </div>
          ) : null}
          {invited ? (
            <p role="status" className="mt-4 text-sm text-emerald-700">
              Invitation e-mailed to <strong>{invited.email}</strong>. They join from the link in
              that e-mail (valid until {fullDate(invited.expiresAt)}).
            </p>
          ) : null}
        </Card>
      ) : null}
      {canManage ? <PendingInvitations canInviteOwners={atLeast('owner')} /> : null}
      <Card>
        <h3 className="border-b border-slate-200 px-5 py-3 font-semibold text-slate-900">
          Members
        </h3>
        {members.isLoading ? (
          <LoadingState label="Loading the team…" />
        ) : members.error ? (
          <ErrorState error={members.error} onRetry={() => void members.refetch()} what="Team" />
        ) : !members.data?.items.length ? (
          <EmptyState icon={<UsersIcon />} title="No members" />
        ) : (
          <ul className="divide-y divide-slate-100">
            {members.data.items.map((m) => {
              const me = m.id === session.user.id;
              return (
                <li key={m.id} className="flex flex-wrap items-center gap-3 px-5 py-3">
                  <Avatar name={m.email ?? m.id} size={36} />
                  <div className="min-w-0 flex-1">
                    <p className="truncate font-medium text-slate-900">
                      {m.email ?? m.id} {me ? <span className="text-slate-500">(you)</span> : null}
                    </p>
                    {m.disabled ? <Badge tone="red">Disabled</Badge> : null}
                    {!m.disabled && m.role !== 'viewer' ? (
                      <Badge tone={m.available ? 'green' : 'slate'}>
                        {m.available ? 'Available' : 'Away'}
                      </Badge>
                    ) : null}
                  </div>
                  {canManage && !me ? (
                    <>
                      <label className="sr-only" htmlFor={`role-${m.id}`}>
                        Role of {m.email}
                      </label>
                      <Select
                        id={`role-${m.id}`}
                        value={m.role}
                        className="h-9 w-32"
                        disabled={update.isPending || (m.role === 'owner' && !atLeast('owner'))}
                        onChange={(e) =>
                          update.mutate({ id: m.id, role: roleSchema.parse(e.target.value) })
                        }
                      >
                        {roleOptions
                          .filter(
                            (r) => r.value !== 'owner' || atLeast('owner') || m.role === 'owner',
                          )
                          .map((r) => (
                            <option key={r.value} value={r.value}>
                              {r.label}
                            </option>
                          ))}
                      </Select>
                      <Button
                        size="sm"
                        variant="ghost"
                        onClick={() => {
                          if (
                            window.confirm(`Remove ${m.email ?? 'this member'} from the workspace?`)
                          )
                            remove.mutate(m.id);
                        }}
                      >
                        Remove
                      </Button>
                    </>
                  ) : (
                    <Badge>{roleInfo[m.role].label}</Badge>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {update.error || remove.error ? (
          <div className="p-4">
            <InlineError error={update.error ?? remove.error} />
          </div>
        ) : null}
      </Card>
    </div>
  );
}

const statusBadge: Record<
  InvitationDto['status'],
  { label: string; tone: 'amber' | 'slate' | 'red' | 'green' }
> = {
  pending: { label: 'Pending', tone: 'amber' },
  expired: { label: 'Expired', tone: 'slate' },
  revoked: { label: 'Revoked', tone: 'red' },
  accepted: { label: 'Accepted', tone: 'green' },
};

/** Invitations not accepted yet: mail a new link (the old one dies) or revoke. */
function PendingInvitations({ canInviteOwners }: { canInviteOwners: boolean }) {
  const queryClient = useQueryClient();
  const invitations = useQuery({
    queryKey: ['invitations'],
    queryFn: ({ signal }) => api.call('invitations.list', { signal }),
  });
  const [notice, setNotice] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['invitations'] });
  const resend = useMutation({
    mutationFn: (id: string) => api.call('invitations.resend', { params: { id } }),
    onSuccess: (inv) =>
      setNotice(`A new link was e-mailed to ${inv.email}; the old one no longer works.`),
    onSettled: refresh,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.call('invitations.revoke', { params: { id } }),
    onSuccess: () => setNotice('Invitation revoked: its link no longer works.'),
    onSettled: refresh,
  });
  const items = invitations.data?.items ?? [];
  if (!invitations.isLoading && !invitations.error && items.length === 0) return null;
  return (
    <Card>
      <h3 className="border-b border-slate-200 px-5 py-3 font-semibold text-slate-900">
        Invitations
      </h3>
      {invitations.isLoading ? (
        <LoadingState label="Loading invitations…" />
      ) : invitations.error ? (
        <ErrorState
          error={invitations.error}
          onRetry={() => void invitations.refetch()}
          what="Invitations"
        />
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Invitations">
          {items.map((inv) => {
            const badge = statusBadge[inv.status];
            const manageable = inv.role !== 'owner' || canInviteOwners;
            const open = inv.status === 'pending' || inv.status === 'expired';
            return (
              <li
                key={inv.id}
                className="flex flex-wrap items-center gap-3 px-5 py-3"
                data-testid="invitation"
              >
                <Avatar name={inv.email} size={36} />
                <div className="min-w-0 flex-1">
                  <p className="truncate font-medium text-slate-900">{inv.email}</p>
                  <p className="text-xs text-slate-500">
                    {roleInfo[inv.role].label} · sent {fullDate(inv.sentAt)}
                    {inv.status === 'pending' ? ` · valid until ${fullDate(inv.expiresAt)}` : ''}
                  </p>
                </div>
                <Badge tone={badge.tone}>{badge.label}</Badge>
                {open && manageable ? (
                  <>
                    <Button
                      size="sm"
                      onClick={() => resend.mutate(inv.id)}
                      busy={resend.isPending && resend.variables === inv.id}
                    >
                      Resend
                    </Button>
                    <Button
                      size="sm"
                      variant="ghost"
                      onClick={() => {
                        if (window.confirm(`Revoke the invitation of ${inv.email}?`))
                          revoke.mutate(inv.id);
                      }}
                    >
                      Revoke
                    </Button>
                  </>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
      {notice ? (
        <p role="status" className="px-5 py-3 text-sm text-emerald-700">
          {notice}
        </p>
      ) : null}
      {resend.error || revoke.error ? (
        <div className="p-4">
          <InlineError error={resend.error ?? revoke.error} />
        </div>
      ) : null}
    </Card>
  );
}

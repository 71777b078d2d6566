'use client';

import { roleSchema, type InviteUserResponse, type Role } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { roleInfo, roleOptions } from '@/lib/access';
import { api, ApiError } from '@/lib/api-client';
import { membersQuery } from '@/lib/queries';
import { useRole, useSignedIn } from '@/lib/session';
import { OneTimeSecret } from '../copy-button';
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
  const inviteLink = invited
    ? (invited.inviteUrl ??
      `${window.location.origin}/invite/#token=${encodeURIComponent(invited.inviteToken)}`)
    : '';
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
            <div className="mt-4">
              <p className="mb-2 text-sm text-slate-700">
                Invitation for <strong>{invited.email}</strong> created. Send them this link:
              </p>
              <OneTimeSecret value={inviteLink} what="invitation link" />
            </div>
          ) : null}
        </Card>
      ) : null}
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

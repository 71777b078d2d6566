'use client';

import type { ChannelDto } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { setAutoAssignment } from '@/lib/assignment-queries';
import { membersQuery } from '@/lib/queries';
import { memberName } from '@/lib/workspace-queries';
import { Badge, Button, Dialog, InlineError } from '../ui';

/** One channel's round robin: who takes turns, shown under the channel, edited in a dialog. */
export function ChannelAutoAssignment({
  channel,
  canEdit,
}: {
  channel: ChannelDto;
  canEdit: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const members = useQuery(membersQuery());
  const { enabled, memberIds } = channel.autoAssignment;
  const takers = (members.data?.items ?? []).filter((m) => m.role !== 'viewer');
  const named = memberIds.length ? takers.filter((m) => memberIds.includes(m.id)) : takers;
  const available = named.filter((m) => m.available && !m.disabled).length;
  const channelName =
    channel.displayName ?? (channel.type === 'whatsapp' ? 'WhatsApp number' : 'Instagram account');

  return (
    <div className="flex basis-full flex-wrap items-center gap-2 rounded-lg bg-slate-50 px-3 py-2 text-sm">
      <span className="font-medium text-slate-800">Auto-assignment</span>
      {enabled ? (
        <>
          <Badge tone="green">On</Badge>
          <span className="text-slate-600">
            Round robin among {memberIds.length ? `${named.length} chosen` : 'all'} members ·{' '}
            {available} available now
          </span>
        </>
      ) : (
        <>
          <Badge>Off</Badge>
          <span className="text-slate-600">New conversations wait in the inbox unassigned.</span>
        </>
      )}
      {canEdit ? (
        <Button
          size="sm"
          variant="ghost"
          className="ml-auto"
          aria-label={`${enabled ? 'Change' : 'Set up'} auto-assignment for ${channelName}`}
          onClick={() => setEditing(true)}
        >
          {enabled ? 'Change' : 'Set up'}
        </Button>
      ) : null}
      {editing ? (
        <AutoAssignmentDialog
          channel={channel}
          channelName={channelName}
          takers={takers}
          onClose={() => setEditing(false)}
        />
      ) : null}
    </div>
  );
}

function AutoAssignmentDialog({
  channel,
  channelName,
  takers,
  onClose,
}: {
  channel: ChannelDto;
  channelName: string;
  takers: { id: string; email?: string; available: boolean }[];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [enabled, setEnabled] = useState(channel.autoAssignment.enabled);
  const [chosen, setChosen] = useState<Set<string>>(new Set(channel.autoAssignment.memberIds));
  const save = useMutation({
    mutationFn: () => setAutoAssignment(channel.id, enabled, [...chosen]),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['channels'] });
      onClose();
    },
  });
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Auto-assignment · ${channelName}`}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" busy={save.isPending} onClick={() => save.mutate()}>
            Save
          </Button>
        </>
      }
    >
      <div className="space-y-4 text-sm">
        <label className="flex items-start gap-3">
          <input
            type="checkbox"
            className="mt-0.5 size-4 accent-brand"
            checked={enabled}
            onChange={(e) => setEnabled(e.target.checked)}
          />
          <span>
            <span className="block font-medium text-slate-900">
              Assign new conversations automatically
            </span>
            <span className="text-slate-600">
              Each conversation a customer opens goes to the next available member, taking turns.
              Members who set themselves away are skipped; with nobody available it waits
              unassigned.
            </span>
          </span>
        </label>
        <fieldset disabled={!enabled} className="space-y-2 disabled:opacity-60">
          <legend className="font-medium text-slate-900">Who takes turns</legend>
          <p className="text-slate-600">None ticked: every agent, admin and owner.</p>
          <ul className="space-y-1.5">
            {takers.map((m) => (
              <li key={m.id}>
                <label className="flex items-center gap-3 rounded-lg px-1 py-1 hover:bg-slate-50">
                  <input
                    type="checkbox"
                    className="size-4 shrink-0 accent-brand"
                    checked={chosen.has(m.id)}
                    onChange={() => toggle(m.id)}
                  />
                  <span className="min-w-0 flex-1">
                    <span className="block truncate text-slate-800">{memberName(m)}</span>
                    <span className="block truncate text-xs text-slate-600">{m.email}</span>
                  </span>
                  {!m.available ? <Badge>Away</Badge> : null}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        {save.error ? <InlineError error={save.error} /> : null}
      </div>
    </Dialog>
  );
}

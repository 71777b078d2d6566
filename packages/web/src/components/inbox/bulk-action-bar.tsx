'use client';

import type { BulkConversationsResponse } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  bulkConversations,
  bulkSummary,
  snoozePresets,
  type BulkRequest,
  type InboxView,
} from '@/lib/assignment-queries';
import { membersQuery } from '@/lib/queries';
import { useSignedIn } from '@/lib/session';
import { labelsQuery, memberName } from '@/lib/workspace-queries';
import { Button, Select } from '../ui';

/**
 * What to do with the picked conversations: assign, close or reopen, snooze, add a label. Each
 * select acts as soon as a choice is made and resets; the outcome is announced ("3 conversations
 * closed").
 */
export function BulkActionBar({
  ids,
  view,
  onDone,
  onClear,
  result,
}: {
  ids: string[];
  view: InboxView;
  onDone: (result: BulkConversationsResponse) => void;
  onClear: () => void;
  result: BulkConversationsResponse | null;
}) {
  const queryClient = useQueryClient();
  const session = useSignedIn();
  const members = useQuery(membersQuery());
  const labels = useQuery(labelsQuery());
  const act = useMutation({
    mutationFn: (request: Omit<BulkRequest, 'ids'>) => bulkConversations({ ...request, ids }),
    onSuccess: (res) => {
      for (const row of res.results) {
        if (row.conversation) queryClient.setQueryData(['conversation', row.id], row.conversation);
      }
      void queryClient.invalidateQueries({ queryKey: ['conversations'] });
      onDone(res);
    },
  });
  const count = ids.length;
  const busy = act.isPending;

  return (
    <div className="border-b border-slate-200 bg-slate-50 px-4 py-2">
      {count > 0 ? (
        <div role="toolbar" aria-label="Bulk actions" className="flex flex-wrap items-center gap-2">
          <span className="mr-1 text-sm font-medium text-slate-800">{count} selected</span>
          <Select
            aria-label="Assign selected to"
            className="h-8! w-36 text-sm"
            value=""
            disabled={busy}
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'none') act.mutate({ action: 'unassign' });
              else if (v) act.mutate({ action: 'assign', assigneeId: v });
            }}
          >
            <option value="">Assign…</option>
            {(members.data?.items ?? [])
              .filter((m) => m.role !== 'viewer')
              .map((m) => (
                <option key={m.id} value={m.id}>
                  {m.id === session.user.id ? 'Me' : memberName(m)}
                </option>
              ))}
            <option value="none">Nobody (unassign)</option>
          </Select>
          <Select
            aria-label="Snooze selected"
            className="h-8! w-32 text-sm"
            value=""
            disabled={busy}
            onChange={(e) => {
              const v = e.target.value;
              if (v === 'reply') act.mutate({ action: 'snooze', untilReply: true });
              else if (v) act.mutate({ action: 'snooze', until: v });
            }}
          >
            <option value="">Snooze…</option>
            {snoozePresets().map((p) => (
              <option key={p.id} value={p.until.toISOString()}>
                {p.label}
              </option>
            ))}
            <option value="reply">Until they reply</option>
          </Select>
          {labels.data?.items.length ? (
            <Select
              aria-label="Add label to selected"
              className="h-8! w-32 text-sm"
              value=""
              disabled={busy}
              onChange={(e) => {
                if (e.target.value) act.mutate({ action: 'label', labelId: e.target.value });
              }}
            >
              <option value="">Add label…</option>
              {labels.data.items.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </Select>
          ) : null}
          {view === 'closed' ? (
            <Button size="sm" onClick={() => act.mutate({ action: 'reopen' })} busy={busy}>
              Reopen
            </Button>
          ) : (
            <Button size="sm" onClick={() => act.mutate({ action: 'close' })} busy={busy}>
              Close
            </Button>
          )}
          {view === 'snoozed' ? (
            <Button size="sm" variant="ghost" onClick={() => act.mutate({ action: 'unsnooze' })}>
              Unsnooze
            </Button>
          ) : null}
          <Button size="sm" variant="ghost" onClick={onClear} disabled={busy}>
            Clear
          </Button>
        </div>
      ) : null}
      <p role="status" className="text-sm text-slate-700 empty:hidden">
        {act.error ? (act.error as Error).message : result ? bulkSummary(result) : ''}
      </p>
    </div>
  );
}

import type { BulkAction, BulkConversationsResponse } from '@switchboard/contracts';
import { queryOptions } from '@tanstack/react-query';
import { api } from './api-client';
import { conversationsQuery, orNull } from './queries';

// Who works what: the inbox's views (Open, Snoozed, Closed, by label), snoozing, bulk actions,
// my availability and the channels' auto-assignment. Keys share the `conversations` prefix with
// the base inbox queries, so whatever refreshes those refreshes these.

export type InboxView = 'open' | 'snoozed' | 'closed';

export type InboxViewFilters = {
  view: InboxView;
  channel?: 'whatsapp' | 'instagram';
  unread?: boolean;
  mine?: boolean;
  labelId?: string;
};

/** The inbox list: the base query's refresh (polling, live updates) with the view and label added. */
export const inboxListQuery = (filters: InboxViewFilters) => {
  const base = conversationsQuery({
    channel: filters.channel,
    status: filters.view === 'closed' ? 'closed' : 'open',
    unread: filters.unread,
    mine: filters.mine,
  });
  return queryOptions({
    ...base,
    queryKey: ['conversations', 'view', filters],
    queryFn: ({ signal }) =>
      api.call('conversations.list', {
        signal,
        query: {
          limit: 50,
          channel: filters.channel,
          status: filters.view,
          unread: filters.unread ? 'true' : undefined,
          assigned: filters.mine ? 'me' : undefined,
          label: filters.labelId,
        },
      }),
  });
};

export const availabilityQuery = () =>
  queryOptions({
    queryKey: ['availability'],
    queryFn: ({ signal }) => orNull(api.call('users.availability.get', { signal })),
    staleTime: 60_000,
  });

export const setAvailability = (available: boolean) =>
  api.call('users.availability.set', { body: { available } });

export type SnoozeChoice = { until?: string; untilReply?: boolean };

export const snoozeConversation = (id: string, choice: SnoozeChoice) =>
  api.call('conversations.snooze', { params: { id }, body: choice });

export const unsnoozeConversation = (id: string) =>
  api.call('conversations.unsnooze', { params: { id } });

export type BulkRequest = {
  ids: string[];
  action: BulkAction;
  assigneeId?: string;
  labelId?: string;
  until?: string;
  untilReply?: boolean;
};

export const bulkConversations = (request: BulkRequest) =>
  api.call('conversations.bulk', { body: request });

const pastTense: Record<BulkAction, string> = {
  assign: 'assigned',
  unassign: 'unassigned',
  close: 'closed',
  reopen: 'reopened',
  snooze: 'snoozed',
  unsnooze: 'woken up',
  label: 'labelled',
  unlabel: 'unlabelled',
};

/** "3 conversations closed", "1 conversation snoozed · 1 could not be changed". */
export function bulkSummary(result: BulkConversationsResponse): string {
  const n = result.succeeded;
  const done = `${n} conversation${n === 1 ? '' : 's'} ${pastTense[result.action]}`;
  return result.failed > 0 ? `${done} · ${result.failed} could not be changed` : done;
}

export const setAutoAssignment = (channelId: string, enabled: boolean, memberIds: string[]) =>
  api.call('channels.autoAssignment.set', {
    params: { id: channelId },
    body: { enabled, memberIds },
  });

// ---- snooze presets

/** The next time it is `hour`:00 local time, today if still ahead, else tomorrow. */
function nextAt(now: Date, hour: number, daysAhead = 0): Date {
  const at = new Date(now);
  at.setDate(at.getDate() + daysAhead);
  at.setHours(hour, 0, 0, 0);
  if (daysAhead === 0 && at <= now) at.setDate(at.getDate() + 1);
  return at;
}

export type SnoozePreset = { id: string; label: string; until: Date };

/** 1 hour, tonight 18:00 (when still ahead), tomorrow 09:00, next Monday 09:00. */
export function snoozePresets(now = new Date()): SnoozePreset[] {
  const presets: SnoozePreset[] = [
    { id: 'hour', label: 'In 1 hour', until: new Date(now.getTime() + 3600_000) },
  ];
  const tonight = nextAt(now, 18);
  if (tonight.getDate() === now.getDate()) {
    presets.push({ id: 'tonight', label: 'Tonight, 18:00', until: tonight });
  }
  presets.push({ id: 'tomorrow', label: 'Tomorrow, 09:00', until: nextAt(now, 9, 1) });
  const toMonday = (8 - now.getDay()) % 7 || 7;
  presets.push({ id: 'week', label: 'Next week (Mon 09:00)', until: nextAt(now, 9, toMonday) });
  return presets;
}

import type { BrandingDto, ConversationDto } from '@switchboard/contracts';
import { queryOptions } from '@tanstack/react-query';
import { api, ApiError } from './api-client';
import { pollUnlessLive } from './live-status';
import { hasPendingMedia } from './media';

// Query definitions shared by screens: one key per resource so a mutation can invalidate it.

/**
 * The fallback when the live socket is down (lib/live.tsx): the inbox polls every 2 s while the tab
 * is visible (TanStack pauses when hidden). While live, events keep these queries fresh.
 */
export const LIVE_INTERVAL_MS = 2_000;
const inboxPolling = pollUnlessLive(LIVE_INTERVAL_MS);
/** While an attachment in the thread is still `pending`. */
export const PENDING_MEDIA_INTERVAL_MS = 700;

/** A feature whose route is not deployed yet reads as "nothing", not as an error. */
export async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof ApiError && err.routeMissing) return null;
    throw err;
  }
}

export type InboxFilters = {
  channel?: 'whatsapp' | 'instagram';
  status?: 'open' | 'closed';
  unread?: boolean;
  mine?: boolean;
};

export const conversationsQuery = (filters: InboxFilters) =>
  queryOptions({
    queryKey: ['conversations', filters],
    queryFn: ({ signal }) =>
      api.call('conversations.list', {
        signal,
        query: {
          limit: 50,
          channel: filters.channel,
          status: filters.status,
          unread: filters.unread ? 'true' : undefined,
          assigned: filters.mine ? 'me' : undefined,
        },
      }),
    refetchInterval: inboxPolling,
  });

export const conversationQuery = (id: string) =>
  queryOptions({
    queryKey: ['conversation', id],
    queryFn: ({ signal }) => api.call('conversations.get', { params: { id }, signal }),
    refetchInterval: inboxPolling,
  });

export const messagesQuery = (conversationId: string) =>
  queryOptions({
    queryKey: ['messages', conversationId],
    queryFn: ({ signal }) =>
      api.call('conversations.messages', {
        params: { id: conversationId },
        signal,
        query: { limit: 100 },
      }),
    // An attachment still being fetched from Meta turns ready within a second or so: look again
    // sooner while one is pending.
    // While live, the fetcher's message.updated brings the attachment (lib/live.tsx refetches).
    refetchInterval: (q) =>
      hasPendingMedia(q.state.data?.items) ? PENDING_MEDIA_INTERVAL_MS : inboxPolling(),
  });

export const olderMessages = (conversationId: string, cursor: string) =>
  api.call('conversations.messages', {
    params: { id: conversationId },
    query: { limit: 100, cursor },
  });

export const inboxBadgeQuery = () =>
  queryOptions({
    queryKey: ['conversations', 'badge'],
    queryFn: async ({ signal }) => {
      const page = await api.call('conversations.list', {
        signal,
        query: { limit: 100, unread: 'true', status: 'open' },
      });
      return page.items.reduce((sum: number, c: ConversationDto) => sum + c.unreadCount, 0);
    },
    refetchInterval: pollUnlessLive(5_000),
  });

/**
 * Unread messages in open conversations assigned to me or to nobody: the tab title's count and
 * what browser notifications are about. Under `conversations`, so every inbox refresh updates it.
 */
export const attentionQuery = (userId: string) =>
  queryOptions({
    queryKey: ['conversations', 'attention', userId],
    queryFn: async ({ signal }) => {
      const page = await api.call('conversations.list', {
        signal,
        query: { limit: 100, unread: 'true', status: 'open' },
      });
      return page.items
        .filter((c: ConversationDto) => !c.assigneeId || c.assigneeId === userId)
        .reduce((sum: number, c: ConversationDto) => sum + c.unreadCount, 0);
    },
    refetchInterval: pollUnlessLive(5_000),
  });

export const channelsQuery = () =>
  queryOptions({
    queryKey: ['channels'],
    queryFn: ({ signal }) => api.call('channels.list', { signal }),
  });

export const brandingQuery = () =>
  queryOptions({
    queryKey: ['branding'],
    queryFn: ({ signal }): Promise<BrandingDto | null> =>
      orNull(api.call('branding.get', { signal })),
    staleTime: 60_000,
  });

export const membersQuery = () =>
  queryOptions({
    queryKey: ['members'],
    queryFn: ({ signal }) => api.call('users.list', { signal }),
    staleTime: 60_000,
  });

// ---- leads, pipeline and forms

export type LeadFilters = { q?: string; ownerId?: string; formId?: string; stage?: string };

export const pipelineQuery = () =>
  queryOptions({
    queryKey: ['pipeline'],
    queryFn: ({ signal }) => orNull(api.call('pipeline.get', { signal })),
    staleTime: 60_000,
  });

/** One board column; polled so leads from forms appear without a reload. */
export const stageLeadsQuery = (stage: string, filters: LeadFilters) =>
  queryOptions({
    queryKey: ['leads', 'stage', stage, filters],
    queryFn: ({ signal }) =>
      api.call('leads.list', {
        signal,
        query: {
          stage,
          limit: 100,
          q: filters.q,
          ownerId: filters.ownerId,
          formId: filters.formId,
        },
      }),
    refetchInterval: 5_000,
  });

export const leadsPage = (filters: LeadFilters, cursor?: string) =>
  api.call('leads.list', {
    query: { limit: 50, cursor, ...filters },
  });

export const leadQuery = (id: string) =>
  queryOptions({
    queryKey: ['lead', id],
    queryFn: ({ signal }) => api.call('leads.get', { params: { id }, signal }),
    refetchInterval: (q) =>
      q.state.data?.sync.status === 'pending' || q.state.data?.sync.status === 'retrying'
        ? 2_000
        : false,
  });

export const leadNotesQuery = (id: string) =>
  queryOptions({
    queryKey: ['lead', id, 'notes'],
    queryFn: ({ signal }) =>
      api.call('leads.notes.list', {
        params: { id },
        signal,
        query: { limit: 100 },
      }),
  });

export const formsQuery = () =>
  queryOptions({
    queryKey: ['forms'],
    queryFn: ({ signal }) => orNull(api.call('forms.list', { signal })),
  });

export const formQuery = (id: string) =>
  queryOptions({
    queryKey: ['form', id],
    queryFn: ({ signal }) => api.call('forms.get', { params: { id }, signal }),
  });

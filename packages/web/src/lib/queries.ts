import {
  channelSchema,
  conversationSchema,
  memberSchema,
  messageSchema,
  pageOf,
  type ConversationDto,
} from '@switchboard/contracts';
import { queryOptions } from '@tanstack/react-query';
import { api, ApiError } from './api-client';
import { brandingSchema, type Branding } from './schemas';

// Query definitions shared by screens: one key per resource so a mutation can invalidate it.

/** Live updates: the inbox polls every 2 s while the tab is visible (TanStack pauses when hidden). */
export const LIVE_INTERVAL_MS = 2_000;

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

const conversationPage = pageOf(conversationSchema);

export const conversationsQuery = (filters: InboxFilters) =>
  queryOptions({
    queryKey: ['conversations', filters],
    queryFn: ({ signal }) =>
      api.get('/conversations', {
        schema: conversationPage,
        signal,
        query: {
          limit: 50,
          channel: filters.channel,
          status: filters.status,
          unread: filters.unread ? 'true' : undefined,
          assigned: filters.mine ? 'me' : undefined,
        },
      }),
    refetchInterval: LIVE_INTERVAL_MS,
  });

export const conversationQuery = (id: string) =>
  queryOptions({
    queryKey: ['conversation', id],
    queryFn: ({ signal }) => api.get(`/conversations/${encodeURIComponent(id)}`, { schema: conversationSchema, signal }),
    refetchInterval: LIVE_INTERVAL_MS,
  });

const messagePage = pageOf(messageSchema);

export const messagesQuery = (conversationId: string) =>
  queryOptions({
    queryKey: ['messages', conversationId],
    queryFn: ({ signal }) =>
      api.get(`/conversations/${encodeURIComponent(conversationId)}/messages`, {
        schema: messagePage,
        signal,
        query: { limit: 100 },
      }),
    refetchInterval: LIVE_INTERVAL_MS,
  });

export const olderMessages = (conversationId: string, cursor: string) =>
  api.get(`/conversations/${encodeURIComponent(conversationId)}/messages`, {
    schema: messagePage,
    query: { limit: 100, cursor },
  });

export const inboxBadgeQuery = () =>
  queryOptions({
    queryKey: ['conversations', 'badge'],
    queryFn: async ({ signal }) => {
      const page = await api.get('/conversations', {
        schema: conversationPage,
        signal,
        query: { limit: 100, unread: 'true', status: 'open' },
      });
      return page.items.reduce((sum: number, c: ConversationDto) => sum + c.unreadCount, 0);
    },
    refetchInterval: 5_000,
  });

export const channelsQuery = () =>
  queryOptions({
    queryKey: ['channels'],
    queryFn: ({ signal }) => api.get('/channels', { schema: pageOf(channelSchema), signal }),
  });

export const brandingQuery = () =>
  queryOptions({
    queryKey: ['branding'],
    queryFn: ({ signal }): Promise<Branding | null> =>
      orNull(api.get('/branding', { schema: brandingSchema, signal })),
    staleTime: 60_000,
  });

export const membersQuery = () =>
  queryOptions({
    queryKey: ['members'],
    queryFn: ({ signal }) => api.get('/users', { schema: pageOf(memberSchema), signal }),
    staleTime: 60_000,
  });

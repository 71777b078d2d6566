import {
  channelSchema,
  conversationSchema,
  leadSchema,
  memberSchema,
  messageSchema,
  pageOf,
  type ConversationDto,
} from '@switchboard/contracts';
import { queryOptions } from '@tanstack/react-query';
import { api, ApiError } from './api-client';
import { endpoints } from './endpoints';
import {
  brandingSchema,
  formViewSchema,
  leadDetailSchema,
  leadNoteSchema,
  pipelineResponseSchema,
  type Branding,
} from './schemas';

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
    queryFn: ({ signal }) =>
      api.get(`/conversations/${encodeURIComponent(id)}`, { schema: conversationSchema, signal }),
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
      orNull(api.get(endpoints.branding, { schema: brandingSchema, signal })),
    staleTime: 60_000,
  });

export const membersQuery = () =>
  queryOptions({
    queryKey: ['members'],
    queryFn: ({ signal }) => api.get('/users', { schema: pageOf(memberSchema), signal }),
    staleTime: 60_000,
  });

// ---- leads, pipeline and forms

const leadPage = pageOf(leadSchema);

export type LeadFilters = { q?: string; ownerId?: string; formId?: string; stage?: string };

export const pipelineQuery = () =>
  queryOptions({
    queryKey: ['pipeline'],
    queryFn: ({ signal }) =>
      orNull(api.get(endpoints.pipeline, { schema: pipelineResponseSchema, signal })),
    staleTime: 60_000,
  });

/** One board column; polled so leads from forms appear without a reload. */
export const stageLeadsQuery = (stage: string, filters: LeadFilters) =>
  queryOptions({
    queryKey: ['leads', 'stage', stage, filters],
    queryFn: ({ signal }) =>
      api.get(endpoints.leads, {
        schema: leadPage,
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
  api.get(endpoints.leads, {
    schema: leadPage,
    query: { limit: 50, cursor, ...filters },
  });

export const leadQuery = (id: string) =>
  queryOptions({
    queryKey: ['lead', id],
    queryFn: ({ signal }) => api.get(endpoints.lead(id), { schema: leadDetailSchema, signal }),
    refetchInterval: (q) =>
      q.state.data?.sync.status === 'pending' || q.state.data?.sync.status === 'retrying'
        ? 2_000
        : false,
  });

export const leadNotesQuery = (id: string) =>
  queryOptions({
    queryKey: ['lead', id, 'notes'],
    queryFn: ({ signal }) =>
      api.get(endpoints.leadNotes(id), {
        schema: pageOf(leadNoteSchema),
        signal,
        query: { limit: 100 },
      }),
  });

export const formsQuery = () =>
  queryOptions({
    queryKey: ['forms'],
    queryFn: ({ signal }) =>
      orNull(api.get(endpoints.forms, { schema: pageOf(formViewSchema), signal })),
  });

export const formQuery = (id: string) =>
  queryOptions({
    queryKey: ['form', id],
    queryFn: ({ signal }) => api.get(endpoints.form(id), { schema: formViewSchema, signal }),
  });

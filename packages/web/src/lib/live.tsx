'use client';

import {
  liveEventSchema,
  type ConversationDto,
  type LiveEvent,
  type MessageDto,
} from '@switchboard/contracts';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore, type ReactNode } from 'react';
import { api, ApiError } from './api-client';
import {
  liveStatus,
  onLiveEvent,
  publishLiveEvent,
  setLiveStatus,
  subscribeLiveStatus,
  type LiveStatus,
} from './live-status';
import { useSession } from './session';

// Live updates: one WebSocket per signed-in tab. A ticket from `POST /live/tickets` opens it (its
// answer names the socket's URL: the sandbox's `/live`, or API Gateway's stage deployed); events
// then land in the TanStack Query cache where the REST answers would. While it is down the inbox
// polls (queries.ts: `pollUnlessLive`), and when it comes back the inbox is refetched, so nothing
// sent in between is missed. Reconnects back off from 0.5 s doubling to 15 s, with jitter.

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 15_000;
/** Below API Gateway's 10-minute idle timeout; the sandbox also pings from its side. */
const PING_EVERY_MS = 25_000;
/** Event ids seen lately (redeliveries carry the same id). */
const SEEN_LIMIT = 500;

type Page<T> = { items: T[]; nextCursor: string | null };

/**
 * The inbox's queries: what a reconnect (or a drop) refetches. The notes too: `note.created` and
 * `note.deleted` missed while down would otherwise leave the open thread's notes behind.
 */
const inboxKeys = [['conversations'], ['conversation'], ['messages'], ['notes']] as const;

function refetchInbox(queryClient: QueryClient): void {
  for (const queryKey of inboxKeys) void queryClient.invalidateQueries({ queryKey: [...queryKey] });
}

/** Events carry no signed URLs: keep the ones the cache has (attachments, avatars). */
function withKnownUrls(next: MessageDto, known: MessageDto | undefined): MessageDto {
  if (!known) return next;
  const keep = <M extends { url?: string }>(m: M | undefined, old: M | undefined) =>
    m && !m.url && old?.url ? { ...m, url: old.url } : m;
  return {
    ...next,
    media: keep(next.media, known.media),
    attachments: next.attachments?.map((m, i) => keep(m, known.attachments?.[i])!),
  } as MessageDto;
}

function needsSignedUrls(message: MessageDto): boolean {
  const all = [message.media, ...(message.attachments ?? [])];
  return all.some((m) => m && m.status === 'ready' && !m.url);
}

/** The index of the oldest bubble this tab put up for a send of the same kind, or -1. */
function oldestOptimistic(items: readonly MessageDto[], message: MessageDto): number {
  for (let i = items.length - 1; i >= 0; i--) {
    const m = items[i] as MessageDto & { optimistic?: boolean };
    if (m.optimistic && m.type === message.type) return i;
  }
  return -1;
}

function applyMessage(queryClient: QueryClient, conversationId: string, message: MessageDto) {
  let missingUrls = false;
  queryClient.setQueryData<Page<MessageDto>>(['messages', conversationId], (page) => {
    if (!page) return page;
    const known = page.items.find((m) => m.id === message.id);
    const next = withKnownUrls(message, known);
    missingUrls = needsSignedUrls(next);
    if (!known) {
      // This tab's own send is already shown, as an optimistic bubble, until its POST answers:
      // the event (often faster than that answer) takes its place instead of doubling it. Sends
      // are stored in order, so the oldest optimistic bubble of the kind is this one.
      const stand = message.direction === 'outbound' ? oldestOptimistic(page.items, message) : -1;
      if (stand >= 0) {
        return { ...page, items: page.items.map((m, i) => (i === stand ? next : m)) };
      }
      return { ...page, items: [next, ...page.items] };
    }
    return { ...page, items: page.items.map((m) => (m.id === message.id ? next : m)) };
  });
  // An attachment just became ready: its signed URL comes from the REST API.
  if (missingUrls) void queryClient.invalidateQueries({ queryKey: ['messages', conversationId] });
}

function applyConversation(queryClient: QueryClient, conversation: ConversationDto) {
  const merge = (old: ConversationDto | undefined): ConversationDto => ({
    ...conversation,
    customer: {
      ...conversation.customer,
      avatarUrl: conversation.customer.avatarUrl ?? old?.customer.avatarUrl,
    },
  });
  queryClient.setQueryData<ConversationDto>(['conversation', conversation.id], (old) =>
    old ? merge(old) : old,
  );
  // Shown at once where a list has it; the lists are then refetched, because what changed may
  // move it (newest first), add it to a list (a new conversation) or take it out of one (filters).
  queryClient.setQueriesData<Page<ConversationDto>>({ queryKey: ['conversations'] }, (page) =>
    page && Array.isArray(page.items)
      ? {
          ...page,
          items: page.items.map((c) => (c.id === conversation.id ? merge(c) : c)),
        }
      : page,
  );
  void queryClient.invalidateQueries({ queryKey: ['conversations'] });
}

/** Puts an event where the REST answer it stands for would be. */
export function applyLiveEvent(queryClient: QueryClient, event: LiveEvent): void {
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
      applyMessage(queryClient, event.data.conversationId, event.data.message);
      return;
    case 'conversation.updated':
      applyConversation(queryClient, event.data.conversation);
      return;
    case 'contact.updated':
    case 'contact.merged':
      // A name, handle or picture shows in the lists and the thread header: read them again
      // (with their signed avatar URLs, which events never carry).
      void queryClient.invalidateQueries({ queryKey: ['conversations'] });
      void queryClient.invalidateQueries({ queryKey: ['conversation'] });
      return;
    default:
      // Other features' events: their screens listen with `useLiveEvent`.
      return;
  }
}

type Connection = { stop(): void };

/** Opens the socket and keeps it open until stopped; reports through the live-status store. */
function connect(queryClient: QueryClient): Connection {
  let stopped = false;
  let socket: WebSocket | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let failures = 0;
  let everOpen = false;
  const seen = new Set<string>();

  const schedule = () => {
    if (stopped) return;
    const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures);
    failures++;
    // Jitter: a server restart must not bring every tab back in the same millisecond.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    retryTimer = setTimeout(() => void open(), delay);
  };

  const dropped = () => {
    if (pingTimer) clearInterval(pingTimer);
    socket = undefined;
    if (stopped) return;
    const wasLive = liveStatus() === 'live';
    setLiveStatus('paused');
    // Polling takes over now (queries re-read their interval after a fetch).
    if (wasLive) refetchInbox(queryClient);
    schedule();
  };

  const receive = (raw: unknown) => {
    if (typeof raw !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    const event = liveEventSchema.safeParse(parsed);
    if (!event.success) return;
    if (seen.has(event.data.id)) return;
    seen.add(event.data.id);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
    applyLiveEvent(queryClient, event.data);
    publishLiveEvent(event.data);
  };

  const open = async () => {
    if (stopped) return;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      setLiveStatus('paused');
      return schedule();
    }
    let ticket: { ticket: string; url: string };
    try {
      ticket = await api.call('live.tickets.create');
    } catch (err) {
      // Not offered here (an older server), or not allowed: polling it is, as before.
      if (err instanceof ApiError && (err.routeMissing || err.status === 403)) {
        setLiveStatus('off');
        return;
      }
      // Signed out (401): the session provider takes the app to the sign-in page.
      if (err instanceof ApiError && err.status === 401) return;
      setLiveStatus('paused');
      return schedule();
    }
    if (stopped) return;
    const ws = new WebSocket(`${ticket.url}?ticket=${encodeURIComponent(ticket.ticket)}`);
    socket = ws;
    ws.onopen = () => {
      const wasOpen = everOpen;
      everOpen = true;
      failures = 0;
      setLiveStatus('live');
      // Whatever happened while it was down (or before the first open) is read once more.
      if (wasOpen) refetchInbox(queryClient);
      pingTimer = setInterval(() => ws.send('{"type":"ping"}'), PING_EVERY_MS);
    };
    ws.onmessage = (message) => receive(message.data);
    ws.onclose = () => {
      if (socket === ws) dropped();
    };
  };

  const onOnline = () => {
    if (socket || stopped) return;
    if (retryTimer) clearTimeout(retryTimer);
    failures = 0;
    void open();
  };
  const onOffline = () => socket?.close();
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);

  setLiveStatus('connecting');
  void open();
  return {
    stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (pingTimer) clearInterval(pingTimer);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      socket?.close();
      setLiveStatus('off');
    },
  };
}

/** Keeps one live connection while a workspace is signed in; renders its children as they are. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const { state } = useSession();
  const tenantId = state.status === 'signed-in' ? state.session.tenantId : undefined;
  const userId = state.status === 'signed-in' ? state.session.user.id : undefined;

  useEffect(() => {
    if (!tenantId || !userId) return;
    const connection = connect(queryClient);
    return () => connection.stop();
  }, [queryClient, tenantId, userId]);

  return children;
}

export function useLiveStatus(): LiveStatus {
  return useSyncExternalStore(subscribeLiveStatus, liveStatus, () => 'off' as const);
}

/** Calls `listener` with every live event (a feature updating its own cache, notifications). */
export function useLiveEvent(listener: (event: LiveEvent) => void): void {
  useEffect(() => onLiveEvent(listener), [listener]);
}

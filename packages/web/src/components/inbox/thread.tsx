'use client';

import type {
  ConversationDto,
  MessageDto,
  OutboundInteractive,
  SendMessageRequest,
} from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Fragment,
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type DragEvent,
} from 'react';
import { api } from '@/lib/api-client';
import { dayLabel, displayName, formatPhone, replyWindow } from '@/lib/format';
import type { MessageView } from '@/lib/message-types';
import { conversationQuery, membersQuery, messagesQuery, olderMessages } from '@/lib/queries';
import { useRole, useSignedIn } from '@/lib/session';
import {
  cannedContext,
  cannedRepliesQuery,
  newClientId,
  notesQuery,
} from '@/lib/workspace-queries';
import { useLiveNotes } from '@/lib/workspace-live';
import { ChannelIcon, ChevronLeftIcon, ClockIcon, PaperclipIcon, UserIcon } from '../icons';
import { Avatar, Badge, Button, cx, ErrorState, InlineError, LoadingState, Select } from '../ui';
import { snoozeDescription, SnoozeMenu } from './snooze-menu';
import { CreateLeadButton } from './create-lead-button';
import {
  Composer,
  type ComposerHandle,
  type InteractiveKindChoice,
  type MediaSend,
} from './composer';
import { ConversationLabels } from './label-picker';
import { FailureNote, MessageBubble, reactionChoices, SystemLine } from './message-bubble';
import { NoteBubble, type NoteView } from './note-bubble';
import type { TemplateChoice } from './template-picker';

// The dialogs load when first opened: most replies never need them.
const TemplatePicker = lazy(() =>
  import('./template-picker').then((m) => ({ default: m.TemplatePicker })),
);
const InteractiveBuilder = lazy(() =>
  import('./interactive-builder').then((m) => ({ default: m.InteractiveBuilder })),
);

/** WhatsApp's indicator lasts 25 s (or until the reply); tell Meta again at most this often. */
const TYPING_EVERY_MS = 5_000;

/** Instagram shows every reaction as a heart. */
const instagramReactions = reactionChoices.filter((c) => c.emoji === '❤️');

type MessagePage = { items: MessageDto[]; nextCursor: string | null };
type NotePage = { items: NoteView[]; nextCursor: string | null };

/** The thread in time order: messages and private notes interleaved. */
type ThreadItem =
  { kind: 'message'; at: string; m: MessageView } | { kind: 'note'; at: string; note: NoteView };

function WindowBadge({ c }: { c: ConversationDto }) {
  const w = replyWindow(c.lastInboundAt);
  if (w.open) {
    const hours = Math.floor(w.hoursLeft ?? 0);
    return (
      <Badge tone="green" className="whitespace-nowrap">
        <ClockIcon size={12} />
        Reply window open · {hours >= 1
          ? `${hours}h`
          : `${Math.ceil((w.hoursLeft ?? 0) * 60)}m`}{' '}
        left
      </Badge>
    );
  }
  return (
    <Badge tone="amber" className="whitespace-nowrap">
      <ClockIcon size={12} /> Reply window closed
    </Badge>
  );
}

function ThreadHeader({ c, onBack }: { c: ConversationDto; onBack: () => void }) {
  const queryClient = useQueryClient();
  const session = useSignedIn();
  const { atLeast } = useRole();
  const members = useQuery({ ...membersQuery(), enabled: atLeast('agent') });
  const name = displayName(c.customer);
  const identity =
    c.channel === 'whatsapp'
      ? c.customer.phone
        ? formatPhone(c.customer.phone)
        : c.customer.identities.whatsapp && formatPhone(c.customer.identities.whatsapp)
      : c.customer.username && name !== `@${c.customer.username}`
        ? `@${c.customer.username}`
        : c.customer.identities.instagram && `IGSID ${c.customer.identities.instagram}`;
  const update = (next: ConversationDto) => {
    queryClient.setQueryData(conversationQuery(c.id).queryKey, next);
    void queryClient.invalidateQueries({ queryKey: ['conversations'] });
  };
  const assign = useMutation({
    mutationFn: (userId: string | null) =>
      api.call('conversations.assign', { params: { id: c.id }, body: { userId } }),
    onSuccess: update,
  });
  const setStatus = useMutation({
    mutationFn: (action: 'close' | 'reopen') =>
      api.call(action === 'close' ? 'conversations.close' : 'conversations.reopen', {
        params: { id: c.id },
      }),
    onSuccess: update,
  });
  const error = assign.error ?? setStatus.error;
  const snoozed = c.snooze ? snoozeDescription(c.snooze) : null;
  return (
    // The header is its own size container: beside the list and the contact panel it can be a
    // third of a laptop screen, so its layout follows its own width, not the viewport's.
    <header className="@container border-b border-slate-200 bg-white px-3 py-2 md:px-5">
      <div className="flex min-w-0 items-center gap-3">
        <button
          type="button"
          onClick={onBack}
          className="-ml-1 shrink-0 rounded-lg p-1.5 text-slate-600 hover:bg-slate-100 md:hidden"
          aria-label="Back to conversations"
        >
          <ChevronLeftIcon />
        </button>
        <Avatar name={name} size={38} src={c.customer.avatarUrl} />
        <div className="min-w-0 flex-1">
          <h2 className="flex min-w-0 items-center gap-1.5 font-semibold text-slate-900">
            <span className="truncate" title={name}>
              {name}
            </span>
            <span className="inline-flex shrink-0">
              <ChannelIcon channel={c.channel} size={16} labelled />
            </span>
          </h2>
          <p className="truncate text-xs text-slate-500" title={snoozed ?? undefined}>
            {identity}
            {c.status === 'closed' ? ' · Closed' : ''}
            {snoozed ? ' · Snoozed' : ''}
          </p>
          <div className="mt-0.5 @lg:hidden">
            <WindowBadge c={c} />
          </div>
        </div>
        <div className="hidden shrink-0 @lg:block">
          <WindowBadge c={c} />
        </div>
      </div>
      {atLeast('agent') ? (
        // Two groups that wrap as wholes: who has it, and what to do with it. When narrow, the
        // actions take their own line, right-aligned, instead of squeezing the assignee.
        <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1.5">
          <div className="flex min-w-0 flex-[1_1_14rem] items-center gap-1.5">
            <label className="flex min-w-0 items-center gap-2 text-xs text-slate-500">
              <span className="sr-only @xl:not-sr-only @xl:shrink-0">Assignee</span>
              <Select
                aria-label="Assignee"
                className="h-8 w-56 min-w-0 max-w-full text-sm"
                value={c.assigneeId ?? ''}
                disabled={assign.isPending}
                onChange={(e) => assign.mutate(e.target.value || null)}
              >
                <option value="">Unassigned</option>
                {(members.data?.items ?? []).map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id === session.user.id ? `Me (${m.email ?? m.id})` : (m.email ?? m.id)}
                  </option>
                ))}
                {c.assigneeId && !members.data?.items.some((m) => m.id === c.assigneeId) ? (
                  <option value={c.assigneeId}>Someone else</option>
                ) : null}
              </Select>
            </label>
            {c.assigneeId !== session.user.id ? (
              // An icon where space is short; the name stays "Assign to me" either way.
              <Button
                size="sm"
                variant="ghost"
                className="shrink-0 px-2 @lg:px-3"
                onClick={() => assign.mutate(session.user.id)}
                disabled={assign.isPending}
                aria-label="Assign to me"
                title="Assign to me"
              >
                <UserIcon size={16} className="@lg:hidden" />
                <span className="hidden @lg:inline">Assign to me</span>
              </Button>
            ) : null}
          </div>
          <div className="ml-auto flex min-w-0 flex-wrap items-center justify-end gap-1.5">
            <CreateLeadButton conversation={c} />
            <SnoozeMenu conversation={c} />
            {c.status === 'open' ? (
              <Button
                size="sm"
                onClick={() => setStatus.mutate('close')}
                busy={setStatus.isPending}
                aria-label="Close conversation"
              >
                <span className="@md:hidden">Close</span>
                <span className="hidden @md:inline">Close conversation</span>
              </Button>
            ) : (
              <Button
                size="sm"
                onClick={() => setStatus.mutate('reopen')}
                busy={setStatus.isPending}
              >
                Reopen
              </Button>
            )}
          </div>
        </div>
      ) : null}
      <ConversationLabels c={c} />
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {(error as Error).message}
        </p>
      ) : null}
    </header>
  );
}

function newKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

type SendVars = {
  body: SendMessageRequest;
  key: string;
  /** What the thread shows at once, before the server answers. */
  draft: Partial<MessageView>;
};

export function Thread({ conversationId, onBack }: { conversationId: string; onBack: () => void }) {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const conversation = useQuery(conversationQuery(conversationId));
  const latest = useQuery(messagesQuery(conversationId));
  const session = useSignedIn();
  const notes = useQuery(notesQuery(conversationId));
  useLiveNotes(conversationId);
  const members = useQuery(membersQuery());
  const cannedReplies = useQuery({ ...cannedRepliesQuery(), enabled: atLeast('agent') });
  const memberById = useMemo(
    () => new Map((members.data?.items ?? []).map((m) => [m.id, m])),
    [members.data],
  );
  const [older, setOlder] = useState<MessagePage | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [replyTo, setReplyTo] = useState<MessageView | null>(null);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const [builder, setBuilder] = useState<InteractiveKindChoice | null>(null);
  const [dragging, setDragging] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const log = useRef<HTMLDivElement>(null);
  const composer = useRef<ComposerHandle>(null);
  const stickToBottom = useRef(true);
  const lastTyping = useRef(0);
  const c = conversation.data;

  useEffect(() => {
    setOlder(null);
    setReplyTo(null);
    stickToBottom.current = true;
    lastTyping.current = 0;
  }, [conversationId]);

  // Opening a conversation reads it (and the server sends the customer a read receipt): once per
  // new unread message.
  const unread = c?.unreadCount ?? 0;
  useEffect(() => {
    if (!unread || !atLeast('agent')) return;
    api
      .call('conversations.read', { params: { id: conversationId } })
      .then((next) => {
        queryClient.setQueryData(conversationQuery(conversationId).queryKey, next);
        void queryClient.invalidateQueries({ queryKey: ['conversations'] });
      })
      .catch(() => undefined);
  }, [conversationId, unread, atLeast, queryClient]);

  // "Typing…" on the customer's side while the agent writes; best effort, never in the way.
  const onTyping = useCallback(() => {
    const now = Date.now();
    if (now - lastTyping.current < TYPING_EVERY_MS) return;
    lastTyping.current = now;
    api.call('conversations.typing', { params: { id: conversationId } }).catch(() => undefined);
  }, [conversationId]);

  // Oldest first for reading; the API pages newest first.
  const messages = useMemo(() => {
    const byId = new Map<string, MessageView>();
    for (const m of [...(older?.items ?? []), ...(latest.data?.items ?? [])]) byId.set(m.id, m);
    return [...byId.values()].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }, [older, latest.data]);

  const byId = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages]);

  const { visible, reactionsOf, agentReactionOf, byChannelId } = useMemo(() => {
    const byChannel = new Map<string, MessageView>();
    for (const m of messages) if (m.channelMessageId) byChannel.set(m.channelMessageId, m);
    // Reactions decorate the message they react to: the latest one from each side wins (the
    // customer's, and the agents'). A reaction names its target by Meta's id or by ours.
    const customer = new Map<string, string>();
    const agent = new Map<string, string>();
    const orphanReactions: MessageView[] = [];
    for (const m of messages) {
      if (m.type !== 'reaction' || !m.reaction) continue;
      const target = byChannel.get(m.reaction.messageId) ?? byId.get(m.reaction.messageId);
      if (!target) {
        if (m.reaction.emoji && m.direction === 'inbound') orphanReactions.push(m);
        continue;
      }
      const side = m.direction === 'outbound' ? agent : customer;
      if (m.reaction.action === 'unreact' || !m.reaction.emoji) side.delete(target.id);
      else side.set(target.id, m.reaction.emoji);
    }
    const reactions = new Map<string, string[]>();
    for (const id of new Set([...customer.keys(), ...agent.keys()])) {
      reactions.set(
        id,
        [customer.get(id), agent.get(id)].filter((e): e is string => Boolean(e)),
      );
    }
    return {
      visible: messages.filter((m) => m.type !== 'reaction' || orphanReactions.includes(m)),
      reactionsOf: reactions,
      agentReactionOf: agent,
      byChannelId: byChannel,
    };
  }, [messages, byId]);

  // Private notes sit between the messages by time; they only ever exist here, never at Meta.
  const timeline = useMemo<ThreadItem[]>(() => {
    const items: ThreadItem[] = visible.map((m) => ({ kind: 'message', at: m.timestamp, m }));
    for (const note of notes.data?.items ?? []) {
      items.push({ kind: 'note', at: note.createdAt, note });
    }
    return items.sort((a, b) => a.at.localeCompare(b.at));
  }, [visible, notes.data]);

  // Follow new messages when the reader is at the bottom; leave them be when they scrolled up.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [timeline.length, conversationId]);

  // Attachments change height as they load (a placeholder becomes a photo): stay at the bottom.
  const ready = Boolean(c);
  useEffect(() => {
    const el = scroller.current;
    const content = log.current;
    if (!el || !content || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (stickToBottom.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, [ready, conversationId]);

  const send = useMutation({
    mutationFn: async (vars: SendVars) =>
      api.call('messages.send', {
        body: vars.body,
        headers: { 'Idempotency-Key': vars.key },
      }),
    onMutate: async (vars) => {
      await queryClient.cancelQueries({ queryKey: ['messages', conversationId] });
      const optimistic: MessageView = {
        id: `local-${vars.key}`,
        conversationId,
        channel: c?.channel ?? 'whatsapp',
        direction: 'outbound',
        type: 'text',
        status: 'pending',
        timestamp: new Date().toISOString(),
        replyTo: vars.body.replyTo,
        optimistic: true,
        ...vars.draft,
      };
      queryClient.setQueryData<MessagePage>(['messages', conversationId], (page) =>
        page ? { ...page, items: [optimistic, ...page.items] } : page,
      );
      stickToBottom.current = true;
    },
    onError: (_err, vars) => {
      queryClient.setQueryData<MessagePage>(['messages', conversationId], (page) =>
        page ? { ...page, items: page.items.filter((m) => m.id !== `local-${vars.key}`) } : page,
      );
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['messages', conversationId] });
      void queryClient.invalidateQueries({ queryKey: ['conversations'] });
    },
  });

  const notesKey = notesQuery(conversationId).queryKey;
  const saveNote = useMutation({
    mutationFn: (vars: { text: string; mentions: string[]; clientId: string }) =>
      api.call('conversations.notes.create', { params: { id: conversationId }, body: vars }),
    // The clientId makes a retry safe: the server answers the first note instead of a second.
    retry: (count, err) => count < 2 && (err as { status?: number }).status === 0,
    onMutate: async (vars) => {
      await queryClient.cancelQueries({ queryKey: notesKey });
      const optimistic: NoteView = {
        id: `local-${vars.clientId}`,
        conversationId,
        text: vars.text,
        mentions: vars.mentions,
        authorId: session.user.id,
        createdAt: new Date().toISOString(),
        clientId: vars.clientId,
        pending: true,
      };
      queryClient.setQueryData<NotePage | null>(notesKey, (page) =>
        page ? { ...page, items: [optimistic, ...page.items] } : page,
      );
      stickToBottom.current = true;
    },
    onSuccess: (note, vars) => {
      queryClient.setQueryData<NotePage | null>(notesKey, (page) =>
        page
          ? {
              ...page,
              items: [
                note,
                ...page.items.filter((n) => n.id !== `local-${vars.clientId}` && n.id !== note.id),
              ],
            }
          : page,
      );
    },
    onError: (_err, vars) => {
      queryClient.setQueryData<NotePage | null>(notesKey, (page) =>
        page
          ? { ...page, items: page.items.filter((n) => n.id !== `local-${vars.clientId}`) }
          : page,
      );
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: notesKey }),
  });
  const deleteNote = useMutation({
    mutationFn: (note: NoteView) =>
      api.call('conversations.notes.delete', {
        params: { id: conversationId, noteId: note.id },
      }),
    onSuccess: (_r, note) => {
      queryClient.setQueryData<NotePage | null>(notesKey, (page) =>
        page ? { ...page, items: page.items.filter((n) => n.id !== note.id) } : page,
      );
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: notesKey }),
  });

  async function saveNoteText(text: string, mentions: string[]): Promise<boolean> {
    try {
      await saveNote.mutateAsync({ text, mentions, clientId: newClientId() });
      return true;
    } catch {
      return false;
    }
  }

  /** Sends, and says whether it went; the error shows in the composer (or the open dialog). */
  async function sendBody(
    body: Omit<SendMessageRequest, 'conversationId'>,
    draft: Partial<MessageView>,
    opts: { quoting?: boolean } = {},
  ): Promise<boolean> {
    const quoting = opts.quoting !== false && replyTo !== null;
    try {
      await send.mutateAsync({
        key: newKey(),
        body: { conversationId, ...body, ...(quoting ? { replyTo: replyTo.id } : {}) },
        draft,
      });
      if (quoting) setReplyTo(null);
      return true;
    } catch {
      return false;
    }
  }

  const sendText = (text: string) => sendBody({ text }, { text });

  const sendMedia = ({ upload, caption, filename }: MediaSend) =>
    sendBody(
      { media: { type: upload.type, id: upload.id, caption, filename } },
      {
        type: upload.type,
        media: {
          id: upload.id,
          url: upload.url,
          mimeType: upload.mimeType,
          size: upload.size,
          filename: filename ?? upload.filename,
          caption,
          status: 'ready',
        },
      },
    );

  async function sendInteractive(interactive: OutboundInteractive) {
    if (
      await sendBody({ interactive }, { type: 'interactive', outboundInteractive: interactive })
    ) {
      setBuilder(null);
    }
  }

  function react(target: MessageView, emoji: string) {
    void sendBody(
      { reaction: { messageId: target.id, emoji } },
      {
        type: 'reaction',
        reaction: {
          messageId: target.channelMessageId ?? target.id,
          emoji: emoji || undefined,
          action: emoji ? 'react' : 'unreact',
        },
      },
      { quoting: false },
    );
  }

  async function sendTemplate(choice: TemplateChoice) {
    const header = choice.preview.header;
    const sent = await sendBody(
      {
        template: {
          name: choice.name,
          language: choice.language,
          parameters: choice.parameters,
          header: choice.header,
          buttons: choice.buttons,
        },
      },
      {
        type: 'template',
        text: choice.preview.body,
        template: {
          name: choice.name,
          language: choice.language,
          parameters: choice.parameters,
          header: header
            ? { type: header.type, text: header.type === 'text' ? header.text : undefined }
            : undefined,
          buttons: choice.buttons?.map((b) => ({
            index: b.index,
            subType: b.subType,
            value: b.subType === 'url' ? b.text : b.payload,
          })),
        },
        media:
          header && header.type !== 'text' && header.media
            ? {
                id: header.media.id,
                url: header.media.url,
                mimeType: header.media.mimeType,
                size: header.media.size,
                filename: header.media.filename,
                status: 'ready',
              }
            : undefined,
      },
      { quoting: false },
    );
    if (sent) setTemplatesOpen(false);
  }

  async function loadOlder() {
    const cursor = older ? older.nextCursor : latest.data?.nextCursor;
    if (!cursor) return;
    setLoadingOlder(true);
    stickToBottom.current = false;
    try {
      const page = await olderMessages(conversationId, cursor);
      setOlder((prev) => ({
        items: [...(prev?.items ?? []), ...page.items],
        nextCursor: page.nextCursor,
      }));
    } finally {
      setLoadingOlder(false);
    }
  }

  if (conversation.isLoading) return <LoadingState label="Loading conversation…" />;
  if (!c) {
    return (
      <ErrorState
        error={conversation.error}
        onRetry={() => void conversation.refetch()}
        what="Conversation"
      />
    );
  }
  const replyState = replyWindow(c.lastInboundAt);
  const canReply = replyState.open && atLeast('agent');
  const moreCursor = older ? older.nextCursor : latest.data?.nextCursor;
  const choices = c.channel === 'instagram' ? instagramReactions : reactionChoices;
  const dialogOpen = templatesOpen || builder !== null;
  let lastDay = '';

  // Files dropped anywhere on the thread go to the composer.
  const hasFiles = (e: DragEvent) => [...e.dataTransfer.types].includes('Files');
  const dropProps = canReply
    ? {
        onDragEnter: (e: DragEvent<HTMLDivElement>) => {
          if (!hasFiles(e)) return;
          e.preventDefault();
          setDragging(true);
        },
        onDragOver: (e: DragEvent<HTMLDivElement>) => {
          if (!hasFiles(e)) return;
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        },
        onDragLeave: (e: DragEvent<HTMLDivElement>) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        },
        onDrop: (e: DragEvent<HTMLDivElement>) => {
          if (!hasFiles(e)) return;
          e.preventDefault();
          setDragging(false);
          composer.current?.attach([...e.dataTransfer.files]);
        },
      }
    : {};

  return (
    <div className="relative flex h-full min-h-0 flex-col" {...dropProps}>
      <ThreadHeader c={c} onBack={onBack} />
      <div
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
        }}
        className="min-h-0 flex-1 overflow-y-auto bg-slate-100/70 py-3"
      >
        {moreCursor ? (
          <div className="flex justify-center pb-2">
            <Button size="sm" variant="ghost" busy={loadingOlder} onClick={() => void loadOlder()}>
              Load earlier messages
            </Button>
          </div>
        ) : null}
        {latest.isLoading ? <LoadingState label="Loading messages…" /> : null}
        {latest.error && !latest.data ? (
          <ErrorState error={latest.error} onRetry={() => void latest.refetch()} what="Messages" />
        ) : null}
        <div
          ref={log}
          role="log"
          aria-live="polite"
          aria-label={`Messages with ${displayName(c.customer)}`}
          className="space-y-1.5"
        >
          {timeline.map((item) => {
            const day = dayLabel(item.at);
            const separator = day !== lastDay;
            lastDay = day;
            if (item.kind === 'note') {
              const { note } = item;
              return (
                <Fragment key={`note-${note.id}`}>
                  {separator ? <SystemLine>{day}</SystemLine> : null}
                  <NoteBubble
                    note={note}
                    members={memberById}
                    currentUserId={session.user.id}
                    canDelete={note.authorId === session.user.id || atLeast('admin')}
                    onDelete={(n) => deleteNote.mutate(n)}
                    deleting={deleteNote.isPending && deleteNote.variables?.id === note.id}
                  />
                </Fragment>
              );
            }
            const { m } = item;
            const quotedId = m.context?.messageId ?? m.replyTo;
            const quoted = quotedId
              ? (byChannelId.get(quotedId) ?? byId.get(quotedId) ?? null)
              : null;
            const reactable =
              canReply && m.direction === 'inbound' && !m.deletedAt && Boolean(m.channelMessageId);
            return (
              <Fragment key={m.id}>
                {separator ? <SystemLine>{day}</SystemLine> : null}
                {m.type === 'reaction' ? (
                  <SystemLine>Reacted {m.reaction?.emoji} to a message</SystemLine>
                ) : (
                  <div className={cx(reactionsOf.has(m.id) && 'pb-3')}>
                    <MessageBubble
                      m={m}
                      quoted={quoted}
                      reactions={reactionsOf.get(m.id)}
                      onReply={canReply && !m.deletedAt ? setReplyTo : undefined}
                      reactionOptions={reactable ? choices : undefined}
                      myReaction={agentReactionOf.get(m.id)}
                      onReact={react}
                    />
                    <FailureNote m={m} />
                  </div>
                )}
              </Fragment>
            );
          })}
        </div>
        {deleteNote.error ? (
          <div className="px-3 pt-2 md:px-6">
            <InlineError error={deleteNote.error} />
          </div>
        ) : null}
        {!latest.isLoading && timeline.length === 0 && latest.data ? (
          <p className="p-6 text-center text-sm text-slate-600">
            No messages in this conversation yet.
          </p>
        ) : null}
      </div>
      <Composer
        ref={composer}
        channel={c.channel}
        windowOpen={replyState.open}
        disabled={!atLeast('agent')}
        disabledReason="Viewers can read conversations but not reply."
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onSend={sendText}
        onSendMedia={sendMedia}
        onTemplate={() => setTemplatesOpen(true)}
        onInteractive={setBuilder}
        onTyping={onTyping}
        error={dialogOpen ? null : send.error}
        cannedReplies={cannedReplies.data?.items}
        cannedContext={cannedContext(c.customer, session.user.email)}
        notes={
          notes.data === null
            ? undefined
            : {
                members: members.data?.items,
                currentUserId: session.user.id,
                onSave: saveNoteText,
                error: saveNote.error,
              }
        }
      />
      {dragging ? (
        <div
          aria-hidden="true"
          className="pointer-events-none absolute inset-0 z-30 flex items-center justify-center border-2 border-dashed border-brand bg-white/85 text-base font-medium text-brand-strong"
        >
          <span className="flex items-center gap-2">
            <PaperclipIcon /> Drop the file to attach it
          </span>
        </div>
      ) : null}
      {templatesOpen && c.channel === 'whatsapp' ? (
        <Suspense fallback={null}>
          <TemplatePicker
            channelId={c.channelId}
            open
            onClose={() => setTemplatesOpen(false)}
            onSend={(choice) => void sendTemplate(choice)}
            sending={send.isPending}
            error={send.error}
          />
        </Suspense>
      ) : null}
      {builder ? (
        <Suspense fallback={null}>
          <InteractiveBuilder
            channel={c.channel}
            initialKind={builder}
            onClose={() => setBuilder(null)}
            onSend={(interactive) => void sendInteractive(interactive)}
            sending={send.isPending}
            error={send.error}
          />
        </Suspense>
      ) : null}
    </div>
  );
}

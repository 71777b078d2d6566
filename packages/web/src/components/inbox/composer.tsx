'use client';

import {
  renderCannedReply,
  type CannedReplyContext,
  type CannedReplyDto,
  type ChannelType,
  type MediaKind,
  type MemberDto,
  type UploadedMedia,
} from '@switchboard/contracts';
import {
  useEffect,
  useId,
  useImperativeHandle,
  useRef,
  useState,
  type ClipboardEvent,
  type FormEvent,
  type KeyboardEvent,
  type Ref,
} from 'react';
import { acceptAttribute, checkAttachment, humanSize, takesCaption } from '@/lib/media';
import { summarize, type MessageView } from '@/lib/message-types';
import { isAbort, uploadMedia } from '@/lib/upload';
import {
  ButtonsIcon,
  CloseIcon,
  FileIcon,
  ImageIcon,
  ListIcon,
  LockIcon,
  MicIcon,
  PaperclipIcon,
  PlusIcon,
  RefreshIcon,
  SendIcon,
  TemplateIcon,
  VideoIcon,
} from '../icons';
import { Button, cx, InlineError, Segmented } from '../ui';
import { CannedReplyPicker, useCannedMatches } from './canned-reply-picker';
import { NoteComposer } from './note-composer';
import {
  replaceToken,
  suggestionInputProps,
  tokenAtCaret,
  useSuggestions,
} from './suggestion-list';

/** What the thread can do with the composer: attach a file dropped on the thread. */
export type ComposerHandle = { attach(files: readonly File[]): void };

/** An uploaded file ready for `messages.send`, and what goes with it. */
export type MediaSend = { upload: UploadedMedia; caption?: string; filename?: string };

export type InteractiveKindChoice = 'buttons' | 'list';

type Draft = {
  seq: number;
  file: File;
  kind: MediaKind;
  /** An object URL of the file, for images and stickers. */
  preview?: string;
  state: 'uploading' | 'uploaded' | 'failed';
  /** 0 to 1. */
  progress: number;
  uploaded?: UploadedMedia;
  error?: unknown;
  abort: AbortController;
};

const kindIcons: Record<MediaKind, typeof ImageIcon> = {
  image: ImageIcon,
  sticker: ImageIcon,
  video: VideoIcon,
  audio: MicIcon,
  document: FileIcon,
};

const kindNames: Record<MediaKind, string> = {
  image: 'Photo',
  sticker: 'Sticker',
  video: 'Video',
  audio: 'Audio',
  document: 'Document',
};

/** The composer's "more" menu: reply buttons and lists, keyboard-operable. */
function MoreMenu({
  channel,
  onPick,
}: {
  channel: ChannelType;
  onPick: (kind: InteractiveKindChoice) => void;
}) {
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const items: { kind: InteractiveKindChoice; label: string; icon: typeof ListIcon }[] = [
    {
      kind: 'buttons',
      label: channel === 'instagram' ? 'Quick replies' : 'Reply buttons',
      icon: ButtonsIcon,
    },
    ...(channel === 'whatsapp'
      ? [{ kind: 'list' as const, label: 'List of options', icon: ListIcon }]
      : []),
  ];
  useEffect(() => {
    if (!open) return;
    wrapper.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const away = (e: PointerEvent) => {
      if (!wrapper.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);
  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    if (!open) return;
    const entries = [
      ...(wrapper.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []),
    ];
    const at = entries.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(false);
      trigger.current?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (at + (e.key === 'ArrowDown' ? 1 : -1) + entries.length) % entries.length;
      entries[next]?.focus();
    } else if (e.key === 'Tab') {
      setOpen(false);
    }
  }
  return (
    <div ref={wrapper} className="relative" onKeyDown={onKeyDown}>
      <button
        ref={trigger}
        type="button"
        onClick={() => setOpen((o) => !o)}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label="More ways to reply"
        title="Buttons and lists"
        className="mb-0.5 rounded-lg p-2 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
      >
        <PlusIcon />
      </button>
      {open ? (
        <div
          role="menu"
          aria-label="More ways to reply"
          className="absolute bottom-full left-0 z-20 mb-1 w-52 rounded-xl border border-slate-200 bg-white p-1 shadow-lg"
        >
          {items.map(({ kind, label, icon: Icon }) => (
            <button
              key={kind}
              type="button"
              role="menuitem"
              onClick={() => {
                setOpen(false);
                onPick(kind);
              }}
              className="flex w-full items-center gap-2 rounded-lg px-3 py-2 text-left text-sm text-slate-800 hover:bg-slate-100 focus:bg-slate-100"
            >
              <Icon size={16} /> {label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

type ReplyComposerProps = {
  ref?: Ref<ComposerHandle>;
  windowOpen: boolean;
  replyTo: MessageView | null;
  onCancelReply: () => void;
  onSend: (text: string) => Promise<boolean>;
  onSendMedia: (media: MediaSend) => Promise<boolean>;
  onTemplate: () => void;
  onInteractive: (kind: InteractiveKindChoice) => void;
  /** The agent is writing (called on every keystroke; the thread spaces out the calls). */
  onTyping?: () => void;
  error: unknown;
  channel: ChannelType;
  /** The workspace's canned replies, offered after `/`; rendered with `cannedContext`. */
  cannedReplies?: CannedReplyDto[];
  cannedContext: CannedReplyContext;
};

/** What a private note needs from the thread. */
export type NoteSupport = {
  members: MemberDto[] | undefined;
  currentUserId: string;
  onSave: (text: string, mentions: string[]) => Promise<boolean>;
  error: unknown;
};

/**
 * The composer: a reply to the customer, or (switch) a private note for the team. Viewers may
 * do neither. Without `notes` (the server has no notes) it is the reply box alone.
 */
export function Composer({
  disabled,
  disabledReason,
  notes,
  ...reply
}: ReplyComposerProps & {
  disabled?: boolean;
  disabledReason?: string;
  notes?: NoteSupport;
}) {
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  if (disabled) {
    return (
      <div className="border-t border-slate-200 bg-white p-4 text-center text-sm text-slate-600">
        {disabledReason}
      </div>
    );
  }
  const noting = mode === 'note' && notes;
  return (
    <div className={cx('border-t', noting ? 'border-amber-300' : 'border-slate-200')}>
      {notes ? (
        <div
          className={cx('flex items-center gap-2 px-3 pt-2', noting ? 'bg-amber-50' : 'bg-white')}
        >
          <Segmented
            label="Write"
            value={mode}
            onChange={setMode}
            options={[
              { value: 'reply', label: 'Reply' },
              {
                value: 'note',
                label: (
                  <>
                    <LockIcon size={13} /> Private note
                  </>
                ),
              },
            ]}
          />
        </div>
      ) : null}
      {noting ? (
        <NoteComposer
          members={notes.members}
          currentUserId={notes.currentUserId}
          onSave={notes.onSave}
          error={notes.error}
        />
      ) : (
        <ReplyComposer {...reply} />
      )}
    </div>
  );
}

function ReplyComposer({
  ref,
  windowOpen,
  replyTo,
  onCancelReply,
  onSend,
  onSendMedia,
  onTemplate,
  onInteractive,
  onTyping,
  error,
  channel,
  cannedReplies,
  cannedContext,
}: ReplyComposerProps) {
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [caption, setCaption] = useState('');
  const [sending, setSending] = useState(false);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const ref_ = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const seq = useRef(0);
  const draftRef = useRef<Draft | null>(null);
  draftRef.current = draft;

  const canAttach = windowOpen;

  // `/` at the start of a word offers the canned replies; taking one inserts it rendered.
  const cannedListId = useId();
  const slash = draft ? null : tokenAtCaret(text, caret, '/');
  const cannedMatches = useCannedMatches(cannedReplies, slash?.query ?? null);
  const canned = useSuggestions(cannedMatches, slash ? `${slash.start}` : null, insertCanned);

  function insertCanned(reply: CannedReplyDto) {
    if (!slash) return;
    const next = replaceToken(text, slash, renderCannedReply(reply.content, cannedContext));
    setText(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => ref_.current?.setSelectionRange(next.caret, next.caret));
  }

  function discard(d: Draft | null) {
    if (!d) return;
    d.abort.abort();
    if (d.preview) URL.revokeObjectURL(d.preview);
  }

  function startUpload(file: File, kind: MediaKind, preview?: string) {
    const abort = new AbortController();
    const mine = ++seq.current;
    const update = (patch: Partial<Draft>) =>
      setDraft((d) => (d && d.seq === mine ? { ...d, ...patch } : d));
    setDraft({ seq: mine, file, kind, preview, state: 'uploading', progress: 0, abort });
    uploadMedia(file, {
      filename: file.name || undefined,
      signal: abort.signal,
      onProgress: (p) => update({ progress: p.total ? Math.min(1, p.loaded / p.total) : 0 }),
    }).then(
      (uploaded) => update({ state: 'uploaded', progress: 1, uploaded, kind: uploaded.type }),
      (err: unknown) => {
        if (!isAbort(err)) update({ state: 'failed', error: err });
      },
    );
  }

  function attach(files: readonly File[]) {
    const file = files[0];
    if (!file || !canAttach) return;
    const check = checkAttachment(file);
    discard(draftRef.current);
    setDraft(null);
    if (!check.ok) {
      setRefusal(check.message);
      return;
    }
    setRefusal(
      files.length > 1
        ? `One file at a time: “${file.name}” is attached, send the others next.`
        : null,
    );
    const preview =
      check.kind === 'image' || check.kind === 'sticker' ? URL.createObjectURL(file) : undefined;
    startUpload(file, check.kind, preview);
    ref_.current?.focus();
  }

  useImperativeHandle(ref, () => ({ attach }));

  // Nothing keeps uploading, or holds an object URL, once the composer is gone.
  useEffect(() => () => discard(draftRef.current), []);

  useEffect(() => {
    if (replyTo) ref_.current?.focus();
  }, [replyTo]);

  const value = draft ? caption : text;
  // Grow with the text up to a few lines.
  useEffect(() => {
    const el = ref_.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [value]);

  function removeDraft() {
    discard(draft);
    setDraft(null);
    setCaption('');
    ref_.current?.focus();
  }

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (sending) return;
    if (draft) {
      if (draft.state !== 'uploaded' || !draft.uploaded) return;
      setSending(true);
      const kind = draft.uploaded.type;
      const ok = await onSendMedia({
        upload: draft.uploaded,
        caption: takesCaption(kind) ? caption.trim() || undefined : undefined,
        filename: kind === 'document' ? draft.uploaded.filename || draft.file.name : undefined,
      });
      if (ok) {
        if (draft.preview) URL.revokeObjectURL(draft.preview);
        setDraft(null);
        setCaption('');
        setRefusal(null);
      }
      setSending(false);
      ref_.current?.focus();
      return;
    }
    const trimmed = text.trim();
    if (!trimmed) return;
    setRefusal(null);
    setSending(true);
    setText('');
    const ok = await onSend(trimmed);
    // Give the words back when the send failed, so nothing typed is lost.
    if (!ok) setText(trimmed);
    setSending(false);
    ref_.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (canned.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const files = [...event.clipboardData.files];
    if (files.length === 0) return;
    event.preventDefault();
    attach(files);
  }

  if (!windowOpen) {
    return (
      <div className="space-y-3 bg-amber-50/60 p-4">
        <p className="text-sm text-amber-900">
          <strong className="font-semibold">The 24-hour reply window is closed.</strong>{' '}
          {channel === 'whatsapp'
            ? 'WhatsApp only allows approved templates until the customer writes again.'
            : 'Instagram only accepts replies within 24 hours of the customer’s last message.'}
        </p>
        <InlineError error={error} />
        {channel === 'whatsapp' ? (
          <Button variant="primary" onClick={onTemplate}>
            <TemplateIcon size={16} /> Send a template
          </Button>
        ) : null}
      </div>
    );
  }

  const captionable = draft ? takesCaption(draft.kind) : true;
  const percent = draft ? Math.round(draft.progress * 100) : 0;
  const KindIcon = draft ? kindIcons[draft.kind] : FileIcon;
  const canSend = draft ? draft.state === 'uploaded' : Boolean(text.trim());

  return (
    <form onSubmit={submit} className="bg-white p-3">
      {replyTo ? (
        <div
          className="mb-2 flex items-start gap-2 rounded-lg border-l-4 border-brand bg-slate-50 px-3 py-2 text-sm"
          data-testid="replying-to"
        >
          <div className="min-w-0 flex-1">
            <p className="text-xs font-medium text-brand-strong">
              Replying to {replyTo.direction === 'outbound' ? 'yourself' : 'customer'}
            </p>
            <p className="truncate text-slate-600">{summarize(replyTo)}</p>
          </div>
          <button
            type="button"
            onClick={onCancelReply}
            className="rounded p-0.5 text-slate-600 hover:bg-slate-200"
            aria-label="Cancel reply"
          >
            <CloseIcon size={16} />
          </button>
        </div>
      ) : null}
      {draft ? (
        <div
          className="mb-2 flex items-start gap-3 rounded-xl border border-slate-200 bg-slate-50 p-2.5"
          data-testid="attachment-draft"
          data-state={draft.state}
          role="group"
          aria-label="Attachment"
        >
          {draft.preview ? (
            <img src={draft.preview} alt="" className="size-14 shrink-0 rounded-lg object-cover" />
          ) : (
            <span className="flex size-14 shrink-0 items-center justify-center rounded-lg bg-white text-slate-600">
              <KindIcon />
            </span>
          )}
          <div className="min-w-0 flex-1">
            <p className="truncate text-sm font-medium text-slate-900" title={draft.file.name}>
              {draft.file.name || kindNames[draft.kind]}
            </p>
            <p className="text-xs text-slate-600">
              {kindNames[draft.kind]} · {humanSize(draft.file.size)}
              {draft.state === 'uploaded' ? ' · Ready to send' : ''}
            </p>
            {draft.state === 'uploading' ? (
              <div className="mt-1.5 flex items-center gap-2">
                <div
                  role="progressbar"
                  aria-label="Upload progress"
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={percent}
                  className="h-1.5 flex-1 overflow-hidden rounded-full bg-slate-200"
                >
                  <div
                    className="h-full rounded-full bg-brand transition-[width]"
                    style={{ width: `${percent}%` }}
                  />
                </div>
                <span className="text-xs tabular-nums text-slate-600">Uploading {percent}%</span>
              </div>
            ) : null}
            {draft.state === 'failed' ? (
              <div className="mt-1.5 space-y-1.5">
                <InlineError error={draft.error} />
                <Button
                  size="sm"
                  onClick={() => startUpload(draft.file, draft.kind, draft.preview)}
                >
                  <RefreshIcon size={14} /> Try the upload again
                </Button>
              </div>
            ) : null}
          </div>
          <button
            type="button"
            onClick={removeDraft}
            className="rounded p-1 text-slate-600 hover:bg-slate-200"
            aria-label={draft.state === 'uploading' ? 'Cancel upload' : 'Remove attachment'}
            title={draft.state === 'uploading' ? 'Cancel upload' : 'Remove'}
          >
            <CloseIcon size={16} />
          </button>
        </div>
      ) : null}
      {refusal ? (
        <div className="mb-2">
          <InlineError error={refusal} />
        </div>
      ) : null}
      {error ? (
        <div className="mb-2">
          <InlineError error={error} />
        </div>
      ) : null}
      <div className="relative flex items-end gap-1">
        <CannedReplyPicker id={cannedListId} state={canned} onPick={insertCanned} />
        {channel === 'whatsapp' ? (
          <button
            type="button"
            onClick={onTemplate}
            className="mb-0.5 rounded-lg p-2 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
            aria-label="Send a template"
            title="Send a template"
          >
            <TemplateIcon />
          </button>
        ) : null}
        <button
          type="button"
          onClick={() => fileInput.current?.click()}
          className="mb-0.5 rounded-lg p-2 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
          aria-label="Attach a file"
          title="Attach a photo, video, audio or document (or drop or paste one)"
        >
          <PaperclipIcon />
        </button>
        <input
          ref={fileInput}
          type="file"
          className="hidden"
          accept={acceptAttribute}
          aria-hidden="true"
          tabIndex={-1}
          data-testid="file-input"
          onChange={(e) => {
            const files = [...(e.currentTarget.files ?? [])];
            e.currentTarget.value = '';
            attach(files);
          }}
        />
        <MoreMenu channel={channel} onPick={onInteractive} />
        {captionable ? (
          <label htmlFor="composer" className="sr-only">
            {draft ? 'Caption' : 'Message'}
          </label>
        ) : null}
        {captionable ? (
          <textarea
            id="composer"
            ref={ref_}
            rows={1}
            value={value}
            onChange={(e) => {
              if (draft) setCaption(e.target.value);
              else setText(e.target.value);
              setCaret(e.target.selectionStart);
              if (e.target.value.trim()) onTyping?.();
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            placeholder={
              draft
                ? 'Add a caption (optional)…'
                : cannedReplies?.length
                  ? 'Write a reply… type / for a canned reply'
                  : 'Write a reply…'
            }
            aria-describedby="composer-hint"
            {...(draft ? {} : suggestionInputProps(cannedListId, canned))}
            maxLength={draft ? 1024 : 4096}
            className="ml-1 max-h-40 min-h-10 flex-1 resize-none rounded-xl border border-slate-300 bg-white px-3 py-2 text-[15px] shadow-sm placeholder:text-slate-500 focus:border-brand focus:outline-2 focus:outline-brand/30"
          />
        ) : (
          <p className="ml-1 flex min-h-10 flex-1 items-center rounded-xl border border-dashed border-slate-300 px-3 text-sm text-slate-600">
            {draft?.kind === 'sticker' ? 'Stickers' : 'Audio'} are sent without a caption.
          </p>
        )}
        <Button
          type="submit"
          variant="primary"
          className="ml-1 h-10 w-10 shrink-0 rounded-full p-0"
          disabled={!canSend}
          busy={sending}
          aria-label={draft ? 'Send attachment' : 'Send'}
        >
          {sending ? null : <SendIcon size={18} />}
        </Button>
      </div>
      <p
        id="composer-hint"
        className={cx('mt-1 hidden pl-24 text-xs text-slate-500 md:block', draft && 'md:hidden')}
      >
        Enter to send · Shift+Enter for a new line · / for a canned reply · drop or paste a file
      </p>
    </form>
  );
}

'use client';

import type { ChannelType } from '@switchboard/contracts';
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { summarize, type MessageView } from '@/lib/message-types';
import { CloseIcon, SendIcon, TemplateIcon } from '../icons';
import { Button, InlineError } from '../ui';

export function Composer({
  windowOpen,
  disabled,
  disabledReason,
  replyTo,
  onCancelReply,
  onSend,
  onTemplate,
  error,
  channel,
}: {
  windowOpen: boolean;
  disabled?: boolean;
  disabledReason?: string;
  replyTo: MessageView | null;
  onCancelReply: () => void;
  onSend: (text: string) => Promise<boolean>;
  onTemplate: () => void;
  error: unknown;
  channel: ChannelType;
}) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (replyTo) ref.current?.focus();
  }, [replyTo]);

  // Grow with the text up to a few lines.
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const value = text.trim();
    if (!value || sending) return;
    setSending(true);
    setText('');
    const ok = await onSend(value);
    // Give the words back when the send failed, so nothing typed is lost.
    if (!ok) setText(value);
    setSending(false);
    ref.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  if (disabled) {
    return (
      <div className="border-t border-slate-200 bg-white p-4 text-center text-sm text-slate-500">
        {disabledReason}
      </div>
    );
  }

  if (!windowOpen) {
    return (
      <div className="space-y-3 border-t border-slate-200 bg-amber-50/60 p-4">
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

  return (
    <form onSubmit={submit} className="border-t border-slate-200 bg-white p-3">
      {replyTo ? (
        <div className="mb-2 flex items-start gap-2 rounded-lg border-l-4 border-brand bg-slate-50 px-3 py-2 text-sm">
          <div className="min-w-0 flex-1">
            <p className="text-xs font-medium text-brand-strong">
              Replying to {replyTo.direction === 'outbound' ? 'yourself' : 'customer'}
            </p>
            <p className="truncate text-slate-600">{summarize(replyTo)}</p>
          </div>
          <button
            type="button"
            onClick={onCancelReply}
            className="rounded p-0.5 text-slate-500 hover:bg-slate-200"
            aria-label="Cancel reply"
          >
            <CloseIcon size={16} />
          </button>
        </div>
      ) : null}
      {error ? (
        <div className="mb-2">
          <InlineError error={error} />
        </div>
      ) : null}
      <div className="flex items-end gap-2">
        {channel === 'whatsapp' ? (
          <button
            type="button"
            onClick={onTemplate}
            className="mb-0.5 rounded-lg p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
            aria-label="Send a template"
            title="Send a template"
          >
            <TemplateIcon />
          </button>
        ) : null}
        <label htmlFor="composer" className="sr-only">
          Message
        </label>
        <textarea
          id="composer"
          ref={ref}
          rows={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Write a reply…"
          aria-describedby="composer-hint"
          maxLength={4096}
          className="max-h-40 min-h-10 flex-1 resize-none rounded-xl border border-slate-300 bg-white px-3 py-2 text-[15px] shadow-sm placeholder:text-slate-400 focus:border-brand focus:outline-2 focus:outline-brand/30"
        />
        <Button
          type="submit"
          variant="primary"
          className="h-10 w-10 shrink-0 rounded-full p-0"
          disabled={!text.trim()}
          busy={sending}
          aria-label="Send"
        >
          {sending ? null : <SendIcon size={18} />}
        </Button>
      </div>
      <p id="composer-hint" className="mt-1 hidden pl-12 text-xs text-slate-400 md:block">
        Enter to send · Shift+Enter for a new line
      </p>
    </form>
  );
}

'use client';

import type { OutboundInteractive, StoredMessageStatus } from '@switchboard/contracts';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { clockTime, fullDate } from '@/lib/format';
import { attachmentsOf } from '@/lib/media';
import { isSafeLink, summarize, type MessageView } from '@/lib/message-types';
import {
  AlertIcon,
  CartIcon,
  CheckIcon,
  ClockIcon,
  ContactCardIcon,
  DoubleCheckIcon,
  ListIcon,
  PinIcon,
  ReplyIcon,
  SmileIcon,
  TemplateIcon,
} from '../icons';
import { cx } from '../ui';
import { MessageMedia } from './media';

const statusLabel: Record<StoredMessageStatus, string> = {
  received: 'Received',
  pending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  failed: 'Not delivered',
};

/** WhatsApp-style ticks: clock, one tick, two ticks, two blue ticks, or a red mark. */
export function StatusTicks({ status }: { status: StoredMessageStatus }) {
  const label = statusLabel[status];
  const common = { size: 15, 'aria-label': label } as const;
  return (
    <span className="inline-flex" data-status={status} title={label}>
      {status === 'pending' ? (
        <ClockIcon {...common} className="text-slate-500" />
      ) : status === 'sent' ? (
        <CheckIcon {...common} className="text-slate-500" />
      ) : status === 'delivered' ? (
        <DoubleCheckIcon {...common} className="text-slate-500" />
      ) : status === 'read' ? (
        <DoubleCheckIcon {...common} className="text-sky-600" />
      ) : status === 'failed' ? (
        <AlertIcon {...common} className="text-red-600" />
      ) : null}
    </span>
  );
}

type ContactCard = {
  name?: { formatted_name?: string; first_name?: string; last_name?: string };
  phones?: { phone?: string; wa_id?: string }[];
  emails?: { email?: string }[];
  org?: { company?: string };
};

function Body({ m }: { m: MessageView }) {
  if (m.deletedAt) {
    return <p className="italic opacity-70">This message was deleted</p>;
  }
  switch (m.type) {
    case 'image':
    case 'sticker':
    case 'video':
    case 'audio':
    case 'document':
      return (
        <div className="space-y-1.5">
          <MessageMedia m={m} />
          {m.text && m.text !== m.media?.caption ? (
            <p className="whitespace-pre-wrap break-words">{m.text}</p>
          ) : null}
        </div>
      );
    case 'location': {
      const loc = m.location;
      const map = loc
        ? `https://www.openstreetmap.org/?mlat=${loc.latitude}&mlon=${loc.longitude}#map=17/${loc.latitude}/${loc.longitude}`
        : undefined;
      return (
        <a
          href={map}
          target="_blank"
          rel="noopener noreferrer"
          className="flex min-w-52 items-start gap-3 rounded-lg border border-black/5 bg-black/[0.04] p-3 hover:bg-black/[0.07]"
        >
          <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-white/70 text-rose-600">
            <PinIcon />
          </span>
          <span className="min-w-0">
            <span className="block font-medium underline-offset-2 hover:underline">
              {loc?.name ?? 'Shared location'}
            </span>
            {loc?.address ? <span className="block text-xs opacity-70">{loc.address}</span> : null}
            <span className="block text-xs opacity-70">Open map</span>
          </span>
        </a>
      );
    }
    case 'contacts': {
      const cards = (m.contacts ?? []) as ContactCard[];
      return (
        <ul className="space-y-2">
          {cards.map((card, i) => (
            <li
              key={i}
              className="flex items-start gap-3 rounded-lg border border-black/5 bg-black/[0.04] p-3"
            >
              <ContactCardIcon className="mt-0.5 shrink-0 opacity-70" />
              <span className="min-w-0 text-sm">
                <span className="block font-medium">
                  {card.name?.formatted_name ??
                    [card.name?.first_name, card.name?.last_name].filter(Boolean).join(' ') ??
                    'Contact'}
                </span>
                {card.org?.company ? (
                  <span className="block text-xs opacity-70">{card.org.company}</span>
                ) : null}
                {card.phones?.map((p, j) => (
                  <span key={j} className="block text-xs">
                    {p.phone ?? p.wa_id}
                  </span>
                ))}
                {card.emails?.map((e, j) => (
                  <span key={`e${j}`} className="block text-xs">
                    {e.email}
                  </span>
                ))}
              </span>
            </li>
          ))}
        </ul>
      );
    }
    case 'order': {
      const items = (m.order?.items ?? []) as {
        product_retailer_id?: string;
        quantity?: number;
        item_price?: number;
        currency?: string;
      }[];
      const total = items.reduce((sum, it) => sum + (it.item_price ?? 0) * (it.quantity ?? 1), 0);
      const currency = items[0]?.currency;
      return (
        <div className="min-w-52 space-y-2">
          <p className="flex items-center gap-2 font-medium">
            <CartIcon size={16} /> Order · {items.length} item{items.length === 1 ? '' : 's'}
          </p>
          <ul className="space-y-0.5 text-sm">
            {items.map((it, i) => (
              <li key={i} className="flex justify-between gap-4">
                <span>
                  {it.quantity ?? 1} × {it.product_retailer_id}
                </span>
                <span className="tabular-nums opacity-80">{it.item_price?.toFixed(2)}</span>
              </li>
            ))}
          </ul>
          {currency ? (
            <p className="border-t border-black/10 pt-1 text-right text-sm font-medium tabular-nums">
              {new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(total)}
            </p>
          ) : null}
          {m.order?.text ? <p className="whitespace-pre-wrap">{m.order.text}</p> : null}
        </div>
      );
    }
    case 'interactive':
    case 'button':
    case 'postback':
      if (m.outboundInteractive) return <SentInteractive i={m.outboundInteractive} />;
      return (
        <p className="flex items-center gap-2">
          <span className="rounded-md bg-black/5 px-2 py-0.5 text-xs font-medium uppercase tracking-wide opacity-70">
            Tapped
          </span>
          <span>{m.interactive?.title ?? m.text ?? m.interactive?.payload}</span>
        </p>
      );
    case 'story_mention':
      return (
        <div className="space-y-1.5">
          <p className="text-xs font-medium text-slate-600">Mentioned you in their story</p>
          {attachmentsOf(m).length ? (
            <MessageMedia m={m} />
          ) : (
            <p className="italic opacity-70">The story is no longer available.</p>
          )}
        </div>
      );
    case 'template': {
      const header = m.template?.header;
      return (
        <div className="space-y-1.5">
          <p className="flex items-center gap-1.5 text-xs font-medium text-slate-600">
            <TemplateIcon size={14} /> Template {m.template?.name}
          </p>
          {m.media ? (
            <MessageMedia
              m={m}
              fallbackKind={header && header.type !== 'text' ? header.type : undefined}
            />
          ) : header?.type === 'text' && header.text ? (
            <p className="font-semibold">{header.text}</p>
          ) : null}
          {m.text ? <p className="whitespace-pre-wrap break-words">{m.text}</p> : null}
        </div>
      );
    }
    case 'unsupported':
      return (
        <p className="italic opacity-70">
          This message type is not supported here{m.originalType ? ` (${m.originalType})` : ''}.
          Open WhatsApp or Instagram to see it.
        </p>
      );
    default:
      if (attachmentsOf(m).length) {
        return (
          <div className="space-y-2">
            <MessageMedia m={m} />
            {m.text ? <p className="whitespace-pre-wrap break-words">{m.text}</p> : null}
          </div>
        );
      }
      return <p className="whitespace-pre-wrap break-words">{m.text ?? summarize(m)}</p>;
  }
}

/** Reply buttons or a list the agent sent, as the customer sees them. */
export function SentInteractive({ i }: { i: OutboundInteractive }) {
  return (
    <div className="min-w-52 space-y-1">
      {i.header ? <p className="font-semibold">{i.header}</p> : null}
      <p className="whitespace-pre-wrap break-words">{i.body}</p>
      {i.footer ? <p className="text-xs text-slate-600">{i.footer}</p> : null}
      {i.type === 'buttons' ? (
        <ul className="flex flex-col gap-1 pt-1" aria-label="Reply buttons">
          {i.buttons.map((b) => (
            <li
              key={b.id}
              className="rounded-lg border border-brand/30 bg-white px-3 py-1.5 text-center text-sm font-medium text-brand-strong"
            >
              {b.title}
            </li>
          ))}
        </ul>
      ) : (
        <div className="pt-1">
          <p className="flex items-center justify-center gap-1.5 rounded-lg border border-brand/30 bg-white px-3 py-1.5 text-sm font-medium text-brand-strong">
            <ListIcon size={15} /> {i.button}
          </p>
          <ul className="mt-1 space-y-0.5 text-xs text-slate-600" aria-label="List options">
            {i.sections.flatMap((section, si) =>
              section.rows.map((row) => (
                <li key={`${si}:${row.id}`}>
                  {section.title ? `${section.title} · ` : ''}
                  {row.title}
                  {row.description ? ` (${row.description})` : ''}
                </li>
              )),
            )}
          </ul>
        </div>
      )}
    </div>
  );
}

/** The reactions an agent can send: a handful of common ones (Instagram shows any as a heart). */
export const reactionChoices = [
  { emoji: '👍', name: 'thumbs up' },
  { emoji: '❤️', name: 'heart' },
  { emoji: '😂', name: 'laughing' },
  { emoji: '😮', name: 'surprised' },
  { emoji: '😢', name: 'sad' },
  { emoji: '🙏', name: 'thank you' },
] as const;

function ReactionPicker({
  choices,
  current,
  onPick,
}: {
  choices: readonly { emoji: string; name: string }[];
  current?: string;
  onPick: (emoji: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!wrapper.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);
  return (
    <div
      ref={wrapper}
      className="relative"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          trigger.current?.focus();
        }
      }}
    >
      <button
        ref={trigger}
        type="button"
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        aria-label="React to this message"
        title="React"
        className={cx(
          'rounded-full p-1.5 text-slate-500 hover:bg-slate-200 hover:text-slate-800 focus:opacity-100 group-focus-within:opacity-100 group-hover:opacity-100',
          open ? 'opacity-100' : 'opacity-0',
        )}
      >
        <SmileIcon size={16} />
      </button>
      {open ? (
        <div
          role="group"
          aria-label="Pick a reaction"
          className="absolute bottom-full left-0 z-10 mb-1 flex gap-0.5 rounded-full border border-slate-200 bg-white p-1 shadow-lg"
        >
          {choices.map((choice, i) => (
            <button
              key={choice.emoji}
              type="button"
              autoFocus={i === 0}
              aria-pressed={current === choice.emoji}
              aria-label={
                current === choice.emoji
                  ? `Remove your ${choice.name} reaction`
                  : `React with ${choice.name}`
              }
              title={choice.name}
              onClick={() => {
                onPick(current === choice.emoji ? '' : choice.emoji);
                setOpen(false);
                trigger.current?.focus();
              }}
              className="rounded-full px-1.5 py-0.5 text-xl leading-7 hover:bg-slate-100 aria-pressed:bg-brand/15"
            >
              {choice.emoji}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

export function SystemLine({ children }: { children: ReactNode }) {
  return (
    <div className="my-2 flex justify-center">
      <span className="rounded-full bg-slate-200/70 px-3 py-1 text-center text-xs text-slate-600">
        {children}
      </span>
    </div>
  );
}

export function MessageBubble({
  m,
  quoted,
  reactions,
  onReply,
  reactionOptions,
  myReaction,
  onReact,
}: {
  m: MessageView;
  /** The message this one replies to, when it is loaded. */
  quoted?: MessageView | null;
  reactions?: string[];
  onReply?: (m: MessageView) => void;
  /** The emojis the agent may react with (the channel decides); none: no picker. */
  reactionOptions?: readonly { emoji: string; name: string }[];
  /** The agent's own reaction to this message, if any. */
  myReaction?: string;
  onReact?: (m: MessageView, emoji: string) => void;
}) {
  if (m.type === 'system') {
    return <SystemLine>{m.system?.body ?? m.text ?? 'Account change'}</SystemLine>;
  }
  const outbound = m.direction === 'outbound';
  const replyId = m.context?.messageId ?? m.replyTo;
  return (
    <div
      className={cx('group flex px-3 py-0.5 md:px-6', outbound ? 'justify-end' : 'justify-start')}
      data-message-id={m.id}
      data-testid="message"
    >
      <div
        className={cx(
          'flex max-w-[85%] items-end gap-1 md:max-w-[70%]',
          outbound && 'flex-row-reverse',
        )}
      >
        <div
          className={cx(
            'relative rounded-2xl px-3 py-2 text-[15px] leading-snug shadow-sm',
            outbound
              ? 'rounded-br-md border border-brand/20 bg-brand/10 text-slate-900'
              : 'rounded-bl-md border border-slate-200 bg-white text-slate-900',
            m.optimistic && 'opacity-80',
          )}
        >
          {m.context?.forwarded ? (
            <p className="mb-1 text-xs italic opacity-70">
              {m.context.frequentlyForwarded ? 'Forwarded many times' : 'Forwarded'}
            </p>
          ) : null}
          {replyId || m.context?.storyId ? (
            <blockquote
              className={cx(
                'mb-1.5 border-l-4 py-1 pl-2 text-sm',
                outbound ? 'border-brand/50 bg-white/60' : 'border-brand/60 bg-slate-50',
                'rounded-r-md',
              )}
            >
              {m.context?.storyId ? (
                <span className="block">
                  Replied to your story
                  {isSafeLink(m.context.storyUrl) ? (
                    <>
                      {' · '}
                      <a
                        href={m.context.storyUrl}
                        target="_blank"
                        rel="noopener noreferrer"
                        className="underline"
                      >
                        open
                      </a>
                    </>
                  ) : null}
                </span>
              ) : (
                <span className="line-clamp-2 opacity-80">
                  {quoted ? summarize(quoted) : 'Reply to an earlier message'}
                </span>
              )}
            </blockquote>
          ) : null}
          <Body m={m} />
          <div
            className={cx(
              'mt-1 flex items-center justify-end gap-1 text-[11px]',
              outbound ? 'opacity-80' : 'text-slate-500',
            )}
          >
            <time dateTime={m.timestamp} title={fullDate(m.timestamp)}>
              {clockTime(m.timestamp)}
            </time>
            {outbound ? <StatusTicks status={m.status} /> : null}
          </div>
          {reactions?.length ? (
            <span
              className={cx(
                'absolute -bottom-3 rounded-full border border-slate-200 bg-white px-1.5 text-sm shadow-sm',
                outbound ? 'left-2' : 'right-2',
              )}
              aria-label={`Reactions: ${reactions.join(' ')}`}
            >
              {reactions.join('')}
            </span>
          ) : null}
        </div>
        {!m.optimistic && (onReply || (onReact && reactionOptions?.length)) ? (
          <div
            className={cx('flex items-center gap-0.5', outbound && 'flex-row-reverse')}
            data-testid="message-actions"
          >
            {onReply ? (
              <button
                type="button"
                onClick={() => onReply(m)}
                className="rounded-full p-1.5 text-slate-500 opacity-0 hover:bg-slate-200 hover:text-slate-800 focus:opacity-100 group-focus-within:opacity-100 group-hover:opacity-100"
                aria-label="Reply to this message"
                title="Reply"
              >
                <ReplyIcon size={16} />
              </button>
            ) : null}
            {onReact && reactionOptions?.length ? (
              <ReactionPicker
                choices={reactionOptions}
                current={myReaction}
                onPick={(emoji) => onReact(m, emoji)}
              />
            ) : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function FailureNote({ m }: { m: MessageView }) {
  const failure =
    m.failure?.message ?? m.errors?.[0]?.details ?? m.errors?.[0]?.message ?? m.errors?.[0]?.title;
  if (m.status !== 'failed') return null;
  return (
    <p className="flex justify-end px-3 pb-1 text-xs text-red-700 md:px-6">
      <span className="flex items-center gap-1">
        <AlertIcon size={13} /> Not delivered{failure ? `: ${failure}` : ''}
      </span>
    </p>
  );
}

'use client';

import type { StoredMessageStatus } from '@switchboard/contracts';
import type { ReactNode } from 'react';
import { clockTime, fullDate } from '@/lib/format';
import {
  isLoadableUrl,
  isSafeLink,
  summarize,
  type Media,
  type MessageView,
} from '@/lib/message-types';
import {
  AlertIcon,
  CartIcon,
  CheckIcon,
  ClockIcon,
  ContactCardIcon,
  DoubleCheckIcon,
  ExternalIcon,
  FileIcon,
  ImageIcon,
  MicIcon,
  PinIcon,
  ReplyIcon,
  TemplateIcon,
  VideoIcon,
} from '../icons';
import { cx } from '../ui';

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

function MediaCard({
  media,
  kind,
  icon,
  label,
}: {
  media?: Media;
  kind: string;
  icon: ReactNode;
  label: string;
}) {
  const url = media?.url;
  const showInline = (kind === 'image' || kind === 'sticker') && isLoadableUrl(url);
  return (
    <div className="space-y-1.5">
      {showInline ? (
        <img
          src={url}
          alt={media?.caption ?? label}
          className={cx('max-h-64 rounded-lg object-cover', kind === 'sticker' && 'size-32')}
        />
      ) : (
        <div className="flex min-w-52 items-center gap-3 rounded-lg border border-black/5 bg-black/[0.04] p-3">
          <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-white/70 text-slate-600">
            {icon}
          </span>
          <span className="min-w-0 flex-1">
            <span className="block truncate text-sm font-medium">{media?.filename ?? label}</span>
            <span className="block truncate text-xs opacity-70">
              {[media?.mimeType?.split(';')[0], media?.id ? `media ${media.id}` : null]
                .filter(Boolean)
                .join(' · ') || 'Preview not available'}
            </span>
          </span>
          {isSafeLink(url) ? (
            <a
              href={url}
              target="_blank"
              rel="noopener noreferrer"
              className="shrink-0 rounded-md p-1.5 hover:bg-black/5"
              aria-label={`Open ${label.toLowerCase()} in a new tab`}
            >
              <ExternalIcon size={16} />
            </a>
          ) : null}
        </div>
      )}
      {media?.caption ? <p className="whitespace-pre-wrap break-words">{media.caption}</p> : null}
    </div>
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
      return (
        <MediaCard
          media={m.media ?? m.attachments?.[0]}
          kind="image"
          icon={<ImageIcon />}
          label="Photo"
        />
      );
    case 'sticker':
      return <MediaCard media={m.media} kind="sticker" icon={<ImageIcon />} label="Sticker" />;
    case 'video':
      return (
        <MediaCard
          media={m.media ?? m.attachments?.[0]}
          kind="video"
          icon={<VideoIcon />}
          label="Video"
        />
      );
    case 'audio':
      return (
        <MediaCard
          media={m.media ?? m.attachments?.[0]}
          kind="audio"
          icon={<MicIcon />}
          label={m.media?.voice ? 'Voice message' : 'Audio'}
        />
      );
    case 'document':
      return <MediaCard media={m.media} kind="document" icon={<FileIcon />} label="Document" />;
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
        <MediaCard
          media={m.media ?? m.attachments?.[0]}
          kind="story"
          icon={<ImageIcon />}
          label="Mentioned you in their story"
        />
      );
    case 'template':
      return (
        <div className="space-y-1">
          <p className="flex items-center gap-1.5 text-xs font-medium opacity-70">
            <TemplateIcon size={14} /> Template {m.template?.name}
          </p>
          {m.text ? <p className="whitespace-pre-wrap break-words">{m.text}</p> : null}
        </div>
      );
    case 'unsupported':
      return (
        <p className="italic opacity-70">
          This message type is not supported here{m.originalType ? ` (${m.originalType})` : ''}.
          Open WhatsApp or Instagram to see it.
        </p>
      );
    default:
      if (m.attachments?.length) {
        return (
          <div className="space-y-2">
            {m.attachments.map((a, i) => (
              <MediaCard key={i} media={a} kind="image" icon={<ImageIcon />} label="Attachment" />
            ))}
            {m.text ? <p className="whitespace-pre-wrap break-words">{m.text}</p> : null}
          </div>
        );
      }
      return <p className="whitespace-pre-wrap break-words">{m.text ?? summarize(m)}</p>;
  }
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
}: {
  m: MessageView;
  /** The message this one replies to, when it is loaded. */
  quoted?: MessageView | null;
  reactions?: string[];
  onReply?: (m: MessageView) => void;
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
        {onReply && !m.optimistic ? (
          <button
            type="button"
            onClick={() => onReply(m)}
            className="rounded-full p-1.5 text-slate-400 opacity-0 hover:bg-slate-200 hover:text-slate-700 focus:opacity-100 group-hover:opacity-100"
            aria-label="Reply to this message"
          >
            <ReplyIcon size={16} />
          </button>
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

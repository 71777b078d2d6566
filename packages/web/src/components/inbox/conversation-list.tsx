'use client';

import type { ConversationDto } from '@switchboard/contracts';
import { displayName, shortTime } from '@/lib/format';
import { ChannelIcon, ClockIcon, InboxIcon } from '../icons';
import { snoozeDescription } from './snooze-menu';
import { Avatar, cx, EmptyState, ErrorState, LoadingState } from '../ui';

/** Rows picked for a bulk action (absent: the list has no checkboxes). */
export type RowPicking = { picked: ReadonlySet<string>; toggle: (id: string) => void };

export function ConversationRow({
  c,
  selected,
  onSelect,
  picking,
}: {
  c: ConversationDto;
  selected: boolean;
  onSelect: (id: string) => void;
  picking?: RowPicking;
}) {
  const name = displayName(c.customer);
  // Instagram: "@username" beside the name (WhatsApp rows show the name or the number alone).
  const handle =
    c.channel === 'instagram' && c.customer.username && name !== `@${c.customer.username}`
      ? `@${c.customer.username}`
      : undefined;
  const unread = c.unreadCount > 0;
  const picked = picking?.picked.has(c.id) ?? false;
  return (
    <li className={cx('flex items-stretch border-b border-slate-100', picked && 'bg-brand/5')}>
      {picking ? (
        <label className="flex shrink-0 cursor-pointer items-center pl-3">
          <input
            type="checkbox"
            className="size-4 rounded border-slate-400 accent-brand"
            checked={picked}
            onChange={() => picking.toggle(c.id)}
            aria-label={`Select ${name}`}
          />
        </label>
      ) : null}
      <button
        type="button"
        onClick={() => onSelect(c.id)}
        aria-current={selected ? 'true' : undefined}
        data-testid="conversation-row"
        className={cx(
          'flex w-full min-w-0 items-center gap-3 px-4 py-3 text-left transition-colors',
          'focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-brand',
          selected ? 'bg-brand/10' : 'hover:bg-slate-50',
        )}
      >
        <span className="relative">
          <Avatar name={name} size={44} src={c.customer.avatarUrl} />
          <span className="absolute -bottom-0.5 -right-0.5 rounded-full bg-white p-px">
            <ChannelIcon channel={c.channel} size={16} labelled />
          </span>
        </span>
        <span className="min-w-0 flex-1">
          <span className="flex items-baseline justify-between gap-2">
            <span className="flex min-w-0 items-baseline gap-1.5">
              <span
                className={cx(
                  'truncate text-[15px]',
                  unread ? 'font-semibold text-slate-900' : 'font-medium text-slate-800',
                )}
              >
                {name}
              </span>
              {handle ? (
                <span className="shrink truncate text-xs text-slate-500">{handle}</span>
              ) : null}
            </span>
            <time
              dateTime={c.lastMessageAt}
              className={cx(
                'shrink-0 text-xs',
                unread ? 'font-semibold text-brand-strong' : 'text-slate-500',
              )}
            >
              {shortTime(c.lastMessageAt)}
            </time>
          </span>
          <span className="mt-0.5 flex items-center justify-between gap-2">
            <span className={cx('truncate text-sm', unread ? 'text-slate-800' : 'text-slate-500')}>
              {c.lastMessageDirection === 'outbound' ? (
                <span className="text-slate-500">You: </span>
              ) : null}
              {c.lastMessagePreview || 'No messages yet'}
            </span>
            {unread ? (
              <span
                className="min-w-5 shrink-0 rounded-full bg-brand px-1.5 text-center text-xs font-semibold leading-5 text-brand-ink"
                aria-label={`${c.unreadCount} unread`}
              >
                {c.unreadCount}
              </span>
            ) : c.snooze ? (
              <span
                className="inline-flex shrink-0 items-center gap-1 text-xs text-indigo-800"
                title={snoozeDescription(c.snooze)}
              >
                <ClockIcon size={12} /> Snoozed
              </span>
            ) : c.status === 'closed' ? (
              <span className="shrink-0 text-xs text-slate-600">Closed</span>
            ) : null}
          </span>
        </span>
      </button>
    </li>
  );
}

export function ConversationList({
  items,
  isLoading,
  error,
  onRetry,
  selectedId,
  onSelect,
  filtered,
  picking,
  empty,
}: {
  items: ConversationDto[] | undefined;
  isLoading: boolean;
  error: unknown;
  onRetry: () => void;
  selectedId: string | null;
  onSelect: (id: string) => void;
  filtered: boolean;
  picking?: RowPicking;
  /** What an empty list says instead of the default (a view such as Snoozed). */
  empty?: { title: string; body: string };
}) {
  if (isLoading) return <LoadingState label="Loading conversations…" />;
  if (error && !items) return <ErrorState error={error} onRetry={onRetry} what="Conversations" />;
  if (!items?.length) {
    if (empty) {
      return (
        <EmptyState icon={<InboxIcon />} title={empty.title}>
          {empty.body}
        </EmptyState>
      );
    }
    return (
      <EmptyState
        icon={<InboxIcon />}
        title={filtered ? 'No conversations match' : 'No conversations yet'}
      >
        {filtered
          ? 'Try another filter.'
          : 'When a customer writes to your WhatsApp number or Instagram account, the conversation shows up here.'}
      </EmptyState>
    );
  }
  return (
    <ul aria-label="Conversations">
      {items.map((c) => (
        <ConversationRow
          key={c.id}
          c={c}
          selected={c.id === selectedId}
          onSelect={onSelect}
          picking={picking}
        />
      ))}
    </ul>
  );
}

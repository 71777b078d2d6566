'use client';

import type { LiveEvent } from '@switchboard/contracts';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { useLiveEvent, useLiveStatus } from '@/lib/live';
import { attentionQuery } from '@/lib/queries';
import { useSignedIn } from '@/lib/session';
import { cx } from './ui';

// What the live connection means for the person at the screen: a banner while live updates are
// paused (the inbox polls meanwhile), the unread count in the tab title for conversations
// assigned to them or to nobody, and browser notifications for new messages there. Notifications
// are asked for only when the person presses the button (never on load), and can be muted; the
// choice is kept per user in this browser (localStorage), not on the server.

const mutedKey = (userId: string) => `switchboard.notifications.muted.${userId}`;
const titlePrefix = /^\(\d+\+?\) /;

type Permission = NotificationPermission | 'unsupported';

function permissionNow(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

const mutedListeners = new Set<() => void>();
function useMuted(userId: string): [boolean, (muted: boolean) => void] {
  const muted = useSyncExternalStore(
    (l) => {
      mutedListeners.add(l);
      return () => mutedListeners.delete(l);
    },
    () => localStorage.getItem(mutedKey(userId)) === '1',
    () => false,
  );
  const set = useCallback(
    (next: boolean) => {
      if (next) localStorage.setItem(mutedKey(userId), '1');
      else localStorage.removeItem(mutedKey(userId));
      for (const l of mutedListeners) l();
    },
    [userId],
  );
  return [muted, set];
}

/** "(3) Inbox · Switchboard": the count of unread messages waiting for me, kept as titles change. */
function useUnreadTitle(count: number) {
  useEffect(() => {
    const apply = () => {
      const base = document.title.replace(titlePrefix, '');
      const next = count > 0 ? `(${count > 99 ? '99+' : count}) ${base}` : base;
      if (document.title !== next) document.title = next;
    };
    apply();
    // Pages set their own titles as one navigates: put the count back in front.
    const head = document.querySelector('head');
    const observer = new MutationObserver(apply);
    if (head) observer.observe(head, { subtree: true, childList: true, characterData: true });
    return () => {
      observer.disconnect();
      document.title = document.title.replace(titlePrefix, '');
    };
  }, [count]);
}

function BellIcon({ off }: { off: boolean }) {
  return (
    <svg
      width={18}
      height={18}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      {off ? <path d="M3 3l18 18" /> : null}
    </svg>
  );
}

function NotificationsButton({ userId, compact }: { userId: string; compact?: boolean }) {
  const [permission, setPermission] = useState<Permission>('unsupported');
  const [muted, setMuted] = useMuted(userId);
  useEffect(() => setPermission(permissionNow()), []);
  if (permission === 'unsupported') return null;

  const label =
    permission === 'default'
      ? 'Turn on notifications'
      : permission === 'denied'
        ? 'Notifications are blocked in this browser'
        : muted
          ? 'Notifications muted'
          : 'Notifications on';
  const onClick = async () => {
    if (permission === 'default') {
      // Only ever from this press: browsers (rightly) ignore prompts nobody asked for.
      setPermission(await Notification.requestPermission());
      setMuted(false);
      return;
    }
    if (permission === 'granted') setMuted(!muted);
  };
  const off = permission !== 'granted' || muted;
  return (
    <button
      type="button"
      onClick={() => void onClick()}
      disabled={permission === 'denied'}
      aria-pressed={permission === 'granted' ? !muted : undefined}
      aria-label={label}
      title={permission === 'granted' ? `${label} (press to ${muted ? 'unmute' : 'mute'})` : label}
      className={cx(
        'flex items-center gap-2 rounded-md text-slate-600 hover:bg-slate-100 hover:text-slate-900 disabled:cursor-not-allowed disabled:opacity-60',
        compact ? 'p-2' : 'w-full px-1 py-1 text-xs',
      )}
    >
      <BellIcon off={off} />
      {compact ? null : <span className="truncate">{label}</span>}
    </button>
  );
}

/** A new customer message for me (or nobody) while I look elsewhere: a browser notification. */
function useMessageNotifications(userId: string) {
  const [muted] = useMuted(userId);
  const notify = useCallback(
    (event: LiveEvent) => {
      if (muted || permissionNow() !== 'granted') return;
      if (event.type !== 'conversation.updated' || event.data.change !== 'message') return;
      const c = event.data.conversation;
      if (c.lastMessageDirection !== 'inbound' || c.status !== 'open') return;
      if (c.assigneeId && c.assigneeId !== userId) return;
      const watching =
        document.visibilityState === 'visible' &&
        document.hasFocus() &&
        new URLSearchParams(location.search).get('c') === c.id;
      if (watching) return;
      const who = c.customer.name ?? c.customer.username ?? c.customer.phone ?? 'A customer';
      const n = new Notification(who, { body: c.lastMessagePreview ?? 'New message', tag: c.id });
      n.onclick = () => {
        window.focus();
        location.assign(`/app/inbox/?c=${encodeURIComponent(c.id)}`);
      };
    },
    [muted, userId],
  );
  useLiveEvent(notify);
}

/** The banner while live updates are paused; rendered above the page content. */
export function LiveStatusBanner() {
  const status = useLiveStatus();
  if (status !== 'paused') return null;
  return (
    <div
      role="status"
      className="flex items-center gap-2 border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900"
    >
      <span className="h-2 w-2 shrink-0 rounded-full bg-amber-500" aria-hidden="true" />
      <span>
        <strong className="font-semibold">Live updates paused.</strong> Reconnecting; meanwhile the
        inbox refreshes every few seconds.
      </span>
    </div>
  );
}

/**
 * The live indicator of the shell: connection state (a dot with its name for screen readers),
 * the notifications button, and the tab title's unread count.
 */
export function LiveIndicator({ compact }: { compact?: boolean }) {
  const session = useSignedIn();
  const userId = session.user.id;
  const status = useLiveStatus();
  const attention = useQuery({ ...attentionQuery(userId), enabled: Boolean(session.tenantId) });
  useUnreadTitle(attention.data ?? 0);
  useMessageNotifications(userId);
  const state =
    status === 'live'
      ? { text: 'Live', dot: 'bg-emerald-500' }
      : status === 'paused'
        ? { text: 'Live updates paused', dot: 'bg-amber-500' }
        : { text: 'Connecting…', dot: 'bg-slate-300' };
  return (
    <div className={cx('flex items-center gap-1', compact ? '' : 'justify-between px-1')}>
      {compact ? null : (
        <span className="flex items-center gap-2 text-xs text-slate-600">
          <span className={cx('h-2 w-2 rounded-full', state.dot)} aria-hidden="true" />
          <span data-testid="live-state">
            {status === 'off' ? 'Updates by refresh' : state.text}
          </span>
        </span>
      )}
      <NotificationsButton userId={userId} compact />
    </div>
  );
}

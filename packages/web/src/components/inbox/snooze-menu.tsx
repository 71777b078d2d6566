'use client';

import type { ConversationDto } from '@switchboard/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import {
  snoozeConversation,
  snoozePresets,
  unsnoozeConversation,
  type SnoozeChoice,
} from '@/lib/assignment-queries';
import { ClockIcon } from '../icons';
import { Button, cx, Input } from '../ui';

/** "Tue 09:00", or "12 Mar 09:00" further than a week away. */
export function snoozeTimeLabel(iso: string, now = new Date()): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (at.toDateString() === now.toDateString()) return `today ${time}`;
  const days = (at.getTime() - now.getTime()) / 86_400_000;
  const day =
    days < 7
      ? at.toLocaleDateString(undefined, { weekday: 'short' })
      : at.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return `${day} ${time}`;
}

/** What a snoozed conversation says about when it comes back. */
export function snoozeDescription(snooze: NonNullable<ConversationDto['snooze']>): string {
  return snooze.until
    ? `Snoozed until ${snoozeTimeLabel(snooze.until)} or a reply`
    : 'Snoozed until they reply';
}

/** A `datetime-local` value (local time, minutes) for a date. */
function localInputValue(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/**
 * Snooze the conversation: 1 hour, tonight, tomorrow morning, next week, a chosen time, or until
 * the customer replies (any reply wakes a snoozed conversation). A snoozed one offers to wake it.
 */
export function SnoozeMenu({ conversation }: { conversation: ConversationDto }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [custom, setCustom] = useState('');
  const menuId = useId();
  const wrapper = useRef<HTMLSpanElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const firstChoice = useRef<HTMLButtonElement>(null);

  const done = (next: ConversationDto) => {
    queryClient.setQueryData(['conversation', next.id], next);
    void queryClient.invalidateQueries({ queryKey: ['conversations'] });
    setOpen(false);
  };
  const snooze = useMutation({
    mutationFn: (choice: SnoozeChoice) => snoozeConversation(conversation.id, choice),
    onSuccess: done,
  });
  const wake = useMutation({
    mutationFn: () => unsnoozeConversation(conversation.id),
    onSuccess: done,
  });

  useEffect(() => {
    if (!open) return;
    firstChoice.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        trigger.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      if (!wrapper.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  if (conversation.snooze) {
    return (
      <span className="inline-flex items-center gap-2 align-middle">
        {/* The thread header is a size container: the words show only where there is room. */}
        <span className="hidden items-center gap-1 text-xs text-indigo-800 @2xl:inline-flex">
          <ClockIcon size={12} /> {snoozeDescription(conversation.snooze)}
        </span>
        <Button
          size="sm"
          variant="ghost"
          onClick={() => wake.mutate()}
          busy={wake.isPending}
          title={snoozeDescription(conversation.snooze)}
        >
          Unsnooze
        </Button>
      </span>
    );
  }

  const now = new Date();
  const customAt = custom ? new Date(custom) : undefined;
  const customValid = customAt && customAt.getTime() > now.getTime();
  const error = snooze.error ?? wake.error;

  return (
    // Inline, so it sits beside the header's close button wherever it is mounted.
    <span ref={wrapper} className="relative inline-flex align-middle">
      <Button
        ref={trigger}
        size="sm"
        variant="ghost"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((v) => !v)}
      >
        <ClockIcon size={14} /> Snooze
      </Button>
      {open ? (
        <div
          id={menuId}
          role="group"
          aria-label="Snooze until"
          className="absolute right-0 top-full z-20 mt-1 w-64 rounded-xl border border-slate-200 bg-white p-1.5 shadow-lg"
        >
          <ul className="space-y-0.5">
            {snoozePresets(now).map((preset, i) => (
              <li key={preset.id}>
                <button
                  ref={i === 0 ? firstChoice : undefined}
                  type="button"
                  disabled={snooze.isPending}
                  onClick={() => snooze.mutate({ until: preset.until.toISOString() })}
                  className={cx(
                    'flex w-full items-center justify-between rounded-lg px-2.5 py-1.5 text-left text-sm text-slate-800 hover:bg-slate-100',
                    'focus-visible:outline-2 focus-visible:outline-brand',
                  )}
                >
                  <span>{preset.label}</span>
                  <span className="text-xs text-slate-500">
                    {snoozeTimeLabel(preset.until.toISOString(), now)}
                  </span>
                </button>
              </li>
            ))}
            <li>
              <button
                type="button"
                disabled={snooze.isPending}
                onClick={() => snooze.mutate({ untilReply: true })}
                className="flex w-full rounded-lg px-2.5 py-1.5 text-left text-sm text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand"
              >
                Until they reply
              </button>
            </li>
          </ul>
          <form
            className="mt-1.5 border-t border-slate-100 px-1 pt-2"
            onSubmit={(e) => {
              e.preventDefault();
              if (customAt && customValid) snooze.mutate({ until: customAt.toISOString() });
            }}
          >
            <label className="block text-xs font-medium text-slate-600" htmlFor={`${menuId}-at`}>
              Pick a date and time
            </label>
            <div className="mt-1 flex gap-1.5">
              <Input
                id={`${menuId}-at`}
                type="datetime-local"
                className="h-8 min-w-0 flex-1 text-sm"
                min={localInputValue(now)}
                value={custom}
                onChange={(e) => setCustom(e.target.value)}
              />
              <Button size="sm" type="submit" disabled={!customValid} busy={snooze.isPending}>
                Set
              </Button>
            </div>
          </form>
          {error ? (
            <p role="alert" className="px-2 pt-1.5 text-xs text-red-700">
              {(error as Error).message}
            </p>
          ) : null}
        </div>
      ) : null}
    </span>
  );
}

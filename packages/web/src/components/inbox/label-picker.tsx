'use client';

import type { ConversationDto, LabelDto } from '@switchboard/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '@/lib/api-client';
import { conversationQuery } from '@/lib/queries';
import { useRole } from '@/lib/session';
import { labelsQuery } from '@/lib/workspace-queries';
import { CheckIcon, PlusIcon, TagIcon } from '../icons';
import { cx, InlineError } from '../ui';
import { LabelChip, LabelDot } from './label-chip';

// The labels on a conversation, in its header: chips (agents can remove them) and an "Add label"
// popover with a filter box, whose list is keyboard operable (↑/↓, Enter toggles, Escape closes).

/** The conversation's labels that still exist (a deleted label's id may linger on it). */
export function labelsOf(c: ConversationDto, all: LabelDto[] | undefined): LabelDto[] {
  const byId = new Map((all ?? []).map((l) => [l.id, l]));
  return (c.labelIds ?? []).map((id) => byId.get(id)).filter((l): l is LabelDto => Boolean(l));
}

function LabelPopover({
  labels,
  onIds,
  onToggle,
  onClose,
}: {
  labels: LabelDto[];
  onIds: ReadonlySet<string>;
  onToggle: (label: LabelDto) => void;
  onClose: () => void;
}) {
  const [filter, setFilter] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return labels.filter((l) => l.name.toLowerCase().includes(q));
  }, [labels, filter]);
  const at = Math.min(active, Math.max(0, shown.length - 1));
  useEffect(() => input.current?.focus(), []);

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (shown.length)
        setActive((at + (e.key === 'ArrowDown' ? 1 : -1) + shown.length) % shown.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (shown[at]) onToggle(shown[at]);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onClose();
    }
  }

  return (
    <div className="absolute left-0 top-full z-30 mt-1 w-64 rounded-xl border border-slate-200 bg-white p-2 shadow-lg">
      <label htmlFor={`${listId}-filter`} className="sr-only">
        Find a label
      </label>
      <input
        ref={input}
        id={`${listId}-filter`}
        value={filter}
        onChange={(e) => {
          setFilter(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        placeholder="Find a label…"
        autoComplete="off"
        aria-autocomplete="list"
        aria-controls={listId}
        aria-activedescendant={shown[at] ? `${listId}-${at}` : undefined}
        className="h-8 w-full rounded-lg border border-slate-300 px-2 text-sm placeholder:text-slate-500 focus:border-brand focus:outline-2 focus:outline-brand/30"
      />
      {shown.length === 0 ? (
        <p className="px-2 py-3 text-sm text-slate-600">
          {labels.length === 0
            ? 'No labels yet. An admin creates them in Settings → Labels.'
            : 'No label matches.'}
        </p>
      ) : (
        <ul
          id={listId}
          role="listbox"
          aria-label="Labels"
          aria-multiselectable="true"
          className="mt-1 max-h-60 overflow-y-auto"
        >
          {shown.map((label, i) => {
            const on = onIds.has(label.id);
            return (
              <li
                key={label.id}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={on}
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => setActive(i)}
                onClick={() => onToggle(label)}
                className={cx(
                  'flex cursor-pointer items-center gap-2 rounded-lg px-2 py-1.5 text-sm text-slate-800',
                  i === at && 'bg-slate-100',
                )}
              >
                <LabelDot color={label.color} />
                <span className="min-w-0 flex-1 truncate">{label.name}</span>
                {on ? <CheckIcon size={14} className="text-brand-strong" /> : null}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

export function ConversationLabels({ c }: { c: ConversationDto }) {
  const queryClient = useQueryClient();
  const { atLeast } = useRole();
  const canEdit = atLeast('agent');
  const all = useQuery(labelsQuery());
  const [open, setOpen] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);
  const trigger = useRef<HTMLButtonElement>(null);
  const labels = all.data?.items;
  const current = labelsOf(c, labels);
  const onIds = useMemo(() => new Set(current.map((l) => l.id)), [current]);

  const change = useMutation({
    mutationFn: ({ label, add }: { label: LabelDto; add: boolean }) =>
      api.call(add ? 'conversations.labels.add' : 'conversations.labels.remove', {
        params: { id: c.id, labelId: label.id },
      }),
    onSuccess: (next) => {
      queryClient.setQueryData(conversationQuery(c.id).queryKey, next);
      void queryClient.invalidateQueries({ queryKey: ['conversations'] });
    },
  });

  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => {
      if (!wrapper.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', away);
    return () => document.removeEventListener('pointerdown', away);
  }, [open]);

  // The feature is not on this server: show nothing rather than an error.
  if (all.data === null) return null;
  if (!canEdit && current.length === 0) return null;

  return (
    <div className="mt-2 flex flex-wrap items-center gap-1.5" aria-label="Labels" role="group">
      {current.map((label) => (
        <LabelChip
          key={label.id}
          label={label}
          onRemove={canEdit ? () => change.mutate({ label, add: false }) : undefined}
          removing={change.isPending && change.variables?.label.id === label.id}
        />
      ))}
      {canEdit ? (
        <div ref={wrapper} className="relative">
          <button
            ref={trigger}
            type="button"
            onClick={() => setOpen((o) => !o)}
            aria-expanded={open}
            className="inline-flex h-6 items-center gap-1 rounded-full border border-dashed border-slate-400 px-2 text-xs font-medium text-slate-700 hover:border-slate-500 hover:bg-slate-50"
          >
            {current.length ? <PlusIcon size={12} /> : <TagIcon size={12} />}
            Add label
          </button>
          {open ? (
            <LabelPopover
              labels={labels ?? []}
              onIds={onIds}
              onToggle={(label) => change.mutate({ label, add: !onIds.has(label.id) })}
              onClose={() => {
                setOpen(false);
                trigger.current?.focus();
              }}
            />
          ) : null}
        </div>
      ) : null}
      {change.error ? <InlineError error={change.error} /> : null}
    </div>
  );
}

'use client';

import type { CannedReplyDto } from '@switchboard/contracts';
import { useMemo } from 'react';
import { SuggestionList, type SuggestionState } from './suggestion-list';

// The canned replies offered after `/` in the reply box: short codes that start with what was
// typed first, then those that contain it, then replies whose text contains it.

const MAX_SHOWN = 8;

export function useCannedMatches(
  replies: CannedReplyDto[] | undefined,
  query: string | null,
): CannedReplyDto[] {
  return useMemo(() => {
    if (query === null || !replies?.length) return [];
    const q = query.toLowerCase();
    const starts = replies.filter((r) => r.shortCode.startsWith(q));
    const contains = replies.filter((r) => !r.shortCode.startsWith(q) && r.shortCode.includes(q));
    const inText = q
      ? replies.filter((r) => !r.shortCode.includes(q) && r.content.toLowerCase().includes(q))
      : [];
    return [...starts, ...contains, ...inText].slice(0, MAX_SHOWN);
  }, [replies, query]);
}

export function CannedReplyPicker({
  id,
  state,
  onPick,
}: {
  id: string;
  state: SuggestionState<CannedReplyDto>;
  onPick: (reply: CannedReplyDto) => void;
}) {
  return (
    <SuggestionList
      id={id}
      label="Canned replies"
      state={state}
      onPick={onPick}
      keyOf={(r) => r.id}
      render={(r) => (
        <span className="flex min-w-0 items-baseline gap-2">
          <span className="shrink-0 font-mono text-xs font-semibold text-brand-strong">
            /{r.shortCode}
          </span>
          <span className="truncate text-slate-700">{r.content}</span>
        </span>
      )}
    />
  );
}

'use client';

import type { MemberDto } from '@switchboard/contracts';
import { useMemo } from 'react';
import { memberHandle, memberName } from '@/lib/workspace-queries';
import { Avatar } from '../ui';
import { SuggestionList, type SuggestionState } from './suggestion-list';

// Teammates offered after `@` in a private note: active members whose name or e-mail matches.

const MAX_SHOWN = 8;

export function useMentionMatches(
  members: MemberDto[] | undefined,
  query: string | null,
): MemberDto[] {
  return useMemo(() => {
    if (query === null || !members?.length) return [];
    const q = query.toLowerCase();
    return members
      .filter((m) => !m.disabled)
      .filter(
        (m) =>
          memberHandle(m).toLowerCase().startsWith(q) ||
          memberName(m).toLowerCase().includes(q) ||
          (m.email ?? '').toLowerCase().includes(q),
      )
      .slice(0, MAX_SHOWN);
  }, [members, query]);
}

export function MentionPicker({
  id,
  state,
  onPick,
  currentUserId,
}: {
  id: string;
  state: SuggestionState<MemberDto>;
  onPick: (member: MemberDto) => void;
  currentUserId: string;
}) {
  return (
    <SuggestionList
      id={id}
      label="Mention a teammate"
      state={state}
      onPick={onPick}
      keyOf={(m) => m.id}
      render={(m) => (
        <span className="flex min-w-0 items-center gap-2">
          <Avatar name={memberName(m)} size={24} />
          <span className="min-w-0">
            <span className="block truncate font-medium text-slate-900">
              {memberName(m)}
              {m.id === currentUserId ? ' (you)' : ''}
            </span>
            <span className="block truncate text-xs text-slate-600">
              @{memberHandle(m)} · {m.role}
            </span>
          </span>
        </span>
      )}
    />
  );
}

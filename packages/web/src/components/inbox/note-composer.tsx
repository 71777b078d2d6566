'use client';

import type { MemberDto } from '@switchboard/contracts';
import { noteTextMax } from '@switchboard/contracts';
import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { memberHandle } from '@/lib/workspace-queries';
import { LockIcon } from '../icons';
import { Button, InlineError } from '../ui';
import { MentionPicker, useMentionMatches } from './mention-picker';
import {
  replaceToken,
  suggestionInputProps,
  tokenAtCaret,
  useSuggestions,
} from './suggestion-list';

// Writing a private note: only the team sees it. `@` opens the teammate picker; the note carries
// the ids of the members whose `@handle` is still in the text when it is saved.

/** The members whose `@handle` the text still holds. */
export function mentionsIn(text: string, picked: ReadonlyMap<string, string>): string[] {
  const ids = new Set<string>();
  for (const [handle, id] of picked) {
    const escaped = handle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (new RegExp(`(^|\\s)@${escaped}(?![\\w.-])`, 'i').test(text)) ids.add(id);
  }
  return [...ids];
}

export function NoteComposer({
  members,
  currentUserId,
  onSave,
  error,
}: {
  members: MemberDto[] | undefined;
  currentUserId: string;
  onSave: (text: string, mentions: string[]) => Promise<boolean>;
  error: unknown;
}) {
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [saving, setSaving] = useState(false);
  const picked = useRef(new Map<string, string>());
  const box = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  const token = tokenAtCaret(text, caret, '@');
  const matches = useMentionMatches(members, token?.query ?? null);
  const suggestions = useSuggestions(matches, token ? `${token.start}` : null, pick);

  useEffect(() => box.current?.focus(), []);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 160)}px`;
  }, [text]);

  function pick(member: MemberDto) {
    if (!token) return;
    const handle = memberHandle(member);
    picked.current.set(handle, member.id);
    const next = replaceToken(text, token, `@${handle} `);
    setText(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => box.current?.setSelectionRange(next.caret, next.caret));
  }

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    const trimmed = text.trim();
    if (!trimmed || saving) return;
    setSaving(true);
    const ok = await onSave(trimmed, mentionsIn(trimmed, picked.current));
    if (ok) {
      setText('');
      setCaret(0);
      picked.current.clear();
    }
    setSaving(false);
    box.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (suggestions.onKeyDown(event)) return;
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void submit();
    }
  }

  return (
    <form onSubmit={submit} className="border-t border-amber-300 bg-amber-50 p-3">
      {error ? (
        <div className="mb-2">
          <InlineError error={error} />
        </div>
      ) : null}
      <div className="relative flex items-end gap-2">
        <MentionPicker
          id={listId}
          state={suggestions}
          onPick={pick}
          currentUserId={currentUserId}
        />
        <label htmlFor="note-composer" className="sr-only">
          Private note
        </label>
        <textarea
          id="note-composer"
          ref={box}
          rows={1}
          value={text}
          maxLength={noteTextMax}
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => suggestions.close()}
          placeholder="Write a private note… type @ to mention a teammate"
          aria-describedby="note-composer-hint"
          {...suggestionInputProps(listId, suggestions)}
          className="max-h-40 min-h-10 flex-1 resize-none rounded-xl border border-amber-400 bg-white px-3 py-2 text-[15px] shadow-sm placeholder:text-slate-500 focus:border-amber-600 focus:outline-2 focus:outline-amber-500/40"
        />
        <Button
          type="submit"
          variant="primary"
          className="h-10 shrink-0"
          disabled={!text.trim()}
          busy={saving}
        >
          Save note
        </Button>
      </div>
      <p id="note-composer-hint" className="mt-1 flex items-center gap-1 text-xs text-amber-900">
        <LockIcon size={12} /> Only your team sees private notes; the customer never does.
      </p>
    </form>
  );
}

'use client';

import { useCallback, useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import { cx } from '../ui';

// Suggestions typed into a text box: `@` for a teammate in a private note, `/` for a canned reply.
// The text box keeps focus and points at the active option with aria-activedescendant; the list is
// a listbox; ↑/↓ move, Enter or Tab take, Escape closes.

/** A trigger character at the start of a word, and what was typed after it up to the caret. */
export type TokenAtCaret = { start: number; end: number; query: string };

/** The `trigger` token ending at the caret (`@ana`, `/refund`), or null. */
export function tokenAtCaret(text: string, caret: number, trigger: '@' | '/'): TokenAtCaret | null {
  const before = text.slice(0, caret);
  const match = new RegExp(`(^|\\s)\\${trigger}([\\w.-]{0,40})$`).exec(before);
  if (!match) return null;
  const start = before.length - match[2]!.length - 1;
  return { start, end: caret, query: match[2]! };
}

/** Replaces the token with `insert` and answers the new text and caret. */
export function replaceToken(text: string, token: TokenAtCaret, insert: string) {
  const next = text.slice(0, token.start) + insert + text.slice(token.end);
  return { text: next, caret: token.start + insert.length };
}

export type SuggestionState<T> = {
  open: boolean;
  items: T[];
  active: number;
  setActive: (i: number) => void;
  /** Handles ↑ ↓ Enter Tab Escape while open; true when the key was used. */
  onKeyDown: (e: KeyboardEvent) => boolean;
  close: () => void;
};

/**
 * Keyboard state of a suggestion list over `items` (already filtered by the caller). `tokenKey`
 * names the token being typed (null: none): Escape dismisses that token until another is typed.
 */
export function useSuggestions<T>(
  items: T[],
  tokenKey: string | null,
  onPick: (item: T) => void,
): SuggestionState<T> {
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [activeFor, setActiveFor] = useState<string | null>(null);
  if (activeFor !== tokenKey) {
    // A new token: start again at the top.
    setActiveFor(tokenKey);
    setActive(0);
  }
  const open = tokenKey !== null && items.length > 0 && dismissed !== tokenKey;
  const at = Math.min(active, Math.max(0, items.length - 1));
  const close = useCallback(() => setDismissed(tokenKey), [tokenKey]);
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (!open) return false;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setActive((at + step + items.length) % items.length);
        return true;
      }
      if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
        e.preventDefault();
        onPick(items[at]!);
        return true;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        close();
        return true;
      }
      return false;
    },
    [open, at, items, onPick, close],
  );
  return useMemo(
    () => ({ open, items, active: at, setActive, onKeyDown, close }),
    [open, items, at, onKeyDown, close],
  );
}

/** What the text box needs to point at the list (spread onto the textarea). */
export function suggestionInputProps(listId: string, state: SuggestionState<unknown>) {
  return {
    'aria-autocomplete': 'list' as const,
    'aria-controls': state.open ? listId : undefined,
    'aria-activedescendant': state.open ? `${listId}-${state.active}` : undefined,
  };
}

export function SuggestionList<T>({
  id,
  label,
  state,
  onPick,
  render,
  keyOf,
}: {
  id: string;
  label: string;
  state: SuggestionState<T>;
  onPick: (item: T) => void;
  render: (item: T) => ReactNode;
  keyOf: (item: T) => string;
}) {
  if (!state.open) return null;
  return (
    <ul
      id={id}
      role="listbox"
      aria-label={label}
      className="absolute bottom-full left-0 right-0 z-20 mb-1 max-h-64 overflow-y-auto rounded-xl border border-slate-200 bg-white p-1 shadow-lg"
    >
      {state.items.map((item, i) => (
        <li
          key={keyOf(item)}
          id={`${id}-${i}`}
          role="option"
          aria-selected={i === state.active}
          // Keep the focus in the text box: a click picks without blurring it.
          onMouseDown={(e) => e.preventDefault()}
          onMouseEnter={() => state.setActive(i)}
          onClick={() => onPick(item)}
          className={cx(
            'cursor-pointer rounded-lg px-3 py-2 text-sm text-slate-800',
            i === state.active && 'bg-slate-100',
          )}
        >
          {render(item)}
        </li>
      ))}
    </ul>
  );
}

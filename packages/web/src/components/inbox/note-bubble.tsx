'use client';

import type { MemberDto, NoteDto } from '@switchboard/contracts';
import type { ReactNode } from 'react';
import { clockTime, fullDate } from '@/lib/format';
import { memberHandle, memberName } from '@/lib/workspace-queries';
import { LockIcon, TrashIcon } from '../icons';
import { cx } from '../ui';

// A private note in the thread: centred and full width, on amber with a lock and "Private note",
// so it can never be mistaken for a message the customer saw. Amber-950 on amber-50 is about 15:1.

/** A note shown before the server answered carries `pending`. */
export type NoteView = NoteDto & { pending?: boolean };

/** The note's text with its mentions (`@handle` of a mentioned member) set apart. */
function withMentions(text: string, mentioned: MemberDto[]): ReactNode[] {
  const handles = new Map(mentioned.map((m) => [`@${memberHandle(m).toLowerCase()}`, m]));
  if (handles.size === 0) return [text];
  const parts = text.split(/(@[\w.-]+)/g);
  return parts.map((part, i) => {
    const member = handles.get(part.toLowerCase());
    return member ? (
      <span
        key={i}
        className="rounded bg-amber-200/70 px-0.5 font-medium text-amber-950"
        title={member.email}
      >
        {part}
      </span>
    ) : (
      part
    );
  });
}

export function NoteBubble({
  note,
  members,
  currentUserId,
  canDelete,
  onDelete,
  deleting,
}: {
  note: NoteView;
  members: Map<string, MemberDto>;
  currentUserId: string;
  canDelete: boolean;
  onDelete: (note: NoteView) => void;
  deleting?: boolean;
}) {
  const author = members.get(note.authorId);
  const authorName = note.authorId === currentUserId ? 'You' : memberName(author);
  const mentioned = note.mentions
    .map((id) => members.get(id))
    .filter((m): m is MemberDto => Boolean(m));
  const mentionsMe = note.mentions.includes(currentUserId);
  return (
    <div className="px-3 py-1 md:px-6" data-testid="private-note" data-note-id={note.id}>
      <article
        aria-label={`Private note by ${authorName}`}
        className={cx(
          'group mx-auto max-w-2xl rounded-xl border border-dashed px-3.5 py-2.5 shadow-sm',
          mentionsMe ? 'border-amber-500 bg-amber-100' : 'border-amber-400 bg-amber-50',
          note.pending && 'opacity-75',
        )}
      >
        <header className="flex items-center gap-1.5 text-xs text-amber-900">
          <LockIcon size={13} />
          <span className="font-semibold uppercase tracking-wide">Private note</span>
          <span aria-hidden>·</span>
          <span className="font-medium">{authorName}</span>
          {mentionsMe ? (
            <span className="rounded-full bg-amber-800 px-1.5 text-[11px] font-semibold text-white">
              Mentions you
            </span>
          ) : null}
          <time
            className="ml-auto tabular-nums"
            dateTime={note.createdAt}
            title={fullDate(note.createdAt)}
          >
            {note.pending ? 'Saving…' : clockTime(note.createdAt)}
          </time>
          {canDelete && !note.pending ? (
            <button
              type="button"
              onClick={() => onDelete(note)}
              disabled={deleting}
              aria-label="Delete private note"
              title="Delete note"
              className="-mr-1 rounded p-0.5 text-amber-900 hover:bg-amber-200 disabled:opacity-60"
            >
              <TrashIcon size={14} />
            </button>
          ) : null}
        </header>
        <p className="mt-1 whitespace-pre-wrap break-words text-[15px] leading-snug text-amber-950">
          {withMentions(note.text, mentioned)}
        </p>
        <p className="sr-only">Only your team sees this note; it was not sent to the customer.</p>
      </article>
    </div>
  );
}

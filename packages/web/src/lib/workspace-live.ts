'use client';

import type { LiveEvent, NoteDto } from '@switchboard/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useLiveEvent } from './live';
import { notesQuery } from './workspace-queries';

// Private notes over the live connection: `note.created` and `note.deleted` land in the open
// thread's notes at once. When the socket comes back, live.tsx reads the notes again with the
// rest of the inbox, so a note written while it was down is not missed.

type NotePage = { items: NoteDto[]; nextCursor: string | null };

export function useLiveNotes(conversationId: string): void {
  const queryClient = useQueryClient();

  const onEvent = useCallback(
    (event: LiveEvent) => {
      const key = notesQuery(conversationId).queryKey;
      if (event.type === 'note.created' && event.data.conversationId === conversationId) {
        const { note } = event.data;
        queryClient.setQueryData<NotePage | null>(key, (page) => {
          if (!page) return page;
          // The writer's own screen shows it already, by id or (still saving) by clientId.
          const others = page.items.filter(
            (n) => n.id !== note.id && !(note.clientId && n.clientId === note.clientId),
          );
          return { ...page, items: [note, ...others] };
        });
      } else if (event.type === 'note.deleted' && event.data.conversationId === conversationId) {
        queryClient.setQueryData<NotePage | null>(key, (page) =>
          page ? { ...page, items: page.items.filter((n) => n.id !== event.data.noteId) } : page,
        );
      }
    },
    [queryClient, conversationId],
  );
  useLiveEvent(onEvent);
}

'use client';

import type { ConversationDto } from '@switchboard/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { leadFromConversation } from '@/lib/integration-queries';
import { Button } from '../ui';

// "Create lead" in the thread header: the conversation's contact becomes a lead (or joins the
// open one it has); once done, the button becomes a link to the leads board.

export function CreateLeadButton({ conversation }: { conversation: ConversationDto }) {
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: () => leadFromConversation(conversation.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['leads'] });
      void queryClient.invalidateQueries({ queryKey: ['customer', conversation.customer.id] });
    },
  });
  if (create.data) {
    return (
      <Link
        href={`/app/leads/?lead=${encodeURIComponent(create.data.id)}`}
        className="inline-flex h-8 items-center rounded-lg px-2.5 text-sm font-medium text-brand-strong hover:bg-slate-100"
      >
        {create.data.submissionCount > 1 ? 'Open lead' : 'Lead created · open'}
      </Link>
    );
  }
  return (
    <span className="inline-flex min-w-0 flex-wrap items-center gap-2">
      <Button size="sm" variant="ghost" onClick={() => create.mutate()} busy={create.isPending}>
        Create lead
      </Button>
      {create.error ? (
        <span role="alert" className="text-xs text-red-700">
          {(create.error as Error).message}
        </span>
      ) : null}
    </span>
  );
}

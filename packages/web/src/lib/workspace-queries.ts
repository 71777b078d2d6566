import type { CannedReplyContext, MemberDto } from '@switchboard/contracts';
import { queryOptions } from '@tanstack/react-query';
import { api } from './api-client';
import { pollUnlessLive } from './live-status';
import { LIVE_INTERVAL_MS, orNull } from './queries';

// The agent workspace's queries: a conversation's private notes, the workspace's labels and canned
// replies. One key per resource so a mutation (or a live event, workspace-live.ts) can update it.

export const notesQuery = (conversationId: string) =>
  queryOptions({
    queryKey: ['notes', conversationId],
    queryFn: ({ signal }) =>
      orNull(
        api.call('conversations.notes.list', {
          params: { id: conversationId },
          signal,
          query: { limit: 100 },
        }),
      ),
    // While live, `note.created` / `note.deleted` keep it fresh (workspace-live.ts).
    refetchInterval: pollUnlessLive(LIVE_INTERVAL_MS),
  });

export const labelsQuery = () =>
  queryOptions({
    queryKey: ['labels'],
    queryFn: ({ signal }) => orNull(api.call('labels.list', { signal })),
    staleTime: 30_000,
  });

export const cannedRepliesQuery = () =>
  queryOptions({
    queryKey: ['canned-replies'],
    queryFn: ({ signal }) => orNull(api.call('cannedReplies.list', { signal })),
    staleTime: 30_000,
  });

/** A new id for a write the server should do once, however often it is retried. */
export function newClientId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * A member as people see them. Accounts have no display name, so it is made from the e-mail's
 * local part: `ana.costa@…` reads "Ana Costa" and is mentioned as `@ana.costa`.
 */
export function memberName(member: Pick<MemberDto, 'id' | 'email'> | undefined): string {
  const local = member?.email?.split('@')[0];
  if (!local) return 'A teammate';
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

/** The handle typed after `@` for a member. */
export function memberHandle(member: Pick<MemberDto, 'id' | 'email'>): string {
  return member.email?.split('@')[0] ?? member.id;
}

/** What a canned reply is rendered with: the conversation's customer and the signed-in agent. */
export function cannedContext(
  customer: { name?: string; phone?: string; email?: string } | undefined,
  agentEmail: string | undefined,
): CannedReplyContext {
  return {
    contact: {
      name: customer?.name,
      phone: customer?.phone ? `+${customer.phone.replace(/^\+/, '')}` : undefined,
      email: customer?.email,
    },
    agent: {
      name: agentEmail ? memberName({ id: '', email: agentEmail }) : undefined,
      email: agentEmail,
    },
  };
}

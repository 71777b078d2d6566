import type { QueryClient } from '@tanstack/react-query';
import { queryOptions } from '@tanstack/react-query';
import { api, type CallOptions, type CallResult } from './api-client';
import { orNull } from './queries';

// Integrations: starting a conversation with a template, a lead from a conversation, and the
// workspace's event webhooks (settings).

export type StartedConversation = CallResult<'conversations.start'>;
export type EventDestination = CallResult<'event-destinations.list'>['items'][number];
export type CreatedEventDestination = CallResult<'event-destinations.create'>;
export type EventDestinationTest = CallResult<'event-destinations.test'>;

export type StartConversationBody = NonNullable<CallOptions<'conversations.start'>['body']>;

export function startConversation(body: StartConversationBody, idempotencyKey: string) {
  return api.call('conversations.start', { body, headers: { 'idempotency-key': idempotencyKey } });
}

/** After a conversation was started: the inbox lists it. */
export function invalidateStarted(queryClient: QueryClient, started: StartedConversation): void {
  void queryClient.invalidateQueries({ queryKey: ['conversations'] });
  void queryClient.invalidateQueries({ queryKey: ['conversation', started.conversation.id] });
  void queryClient.invalidateQueries({ queryKey: ['messages', started.conversation.id] });
}

export function leadFromConversation(conversationId: string) {
  return api.call('conversations.lead', { params: { id: conversationId } });
}

export const eventDestinationsQuery = (enabled = true) =>
  queryOptions({
    queryKey: ['event-destinations'],
    queryFn: ({ signal }) => orNull(api.call('event-destinations.list', { signal })),
    enabled,
    // The last delivery's outcome changes as events flow.
    refetchInterval: 15_000,
  });

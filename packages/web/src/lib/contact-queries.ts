import { queryOptions, type QueryClient } from '@tanstack/react-query';
import { api, type CallResult } from './api-client';

// Contacts: the directory's search, one contact's page, and what a contact write invalidates.

export type ContactDto = CallResult<'customers.create'>;
export type ContactDetail = CallResult<'customers.get'>;

export const contactSearchQuery = (search: string, limit = 50) =>
  queryOptions({
    queryKey: ['customers', search, limit],
    queryFn: ({ signal }) =>
      api.call('customers.search', { signal, query: { search: search || undefined, limit } }),
    placeholderData: (prev) => prev,
  });

export const contactQuery = (id: string) =>
  queryOptions({
    queryKey: ['customer', id],
    queryFn: ({ signal }) =>
      api.call('customers.get', { params: { id }, signal, query: { limit: 100 } }),
  });

/** After a create, edit or merge: the directory and every contact page it may show on. */
export function invalidateContacts(queryClient: QueryClient, ...ids: string[]): void {
  void queryClient.invalidateQueries({ queryKey: ['customers'] });
  for (const id of ids) void queryClient.invalidateQueries({ queryKey: ['customer', id] });
  // The inbox shows contact names on conversations.
  void queryClient.invalidateQueries({ queryKey: ['conversations'] });
}

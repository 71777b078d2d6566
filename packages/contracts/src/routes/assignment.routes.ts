import {
  availabilitySchema,
  bulkConversationsRequestSchema,
  bulkConversationsResponseSchema,
  setAutoAssignmentRequestSchema,
  setAvailabilityRequestSchema,
  snoozeConversationRequestSchema,
} from '../assignment';
import { channelSchema } from '../channels';
import { conversationSchema } from '../conversations';
import { defineRoutes } from '../route-contract';
import { KiB } from './common';

export const assignmentRoutes = defineRoutes({
  'conversations.snooze': {
    method: 'POST',
    path: '/conversations/{id}/snooze',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Inbox',
    summary: 'Snooze a conversation until a time or until the customer writes',
    description:
      'It leaves the open inbox (`GET /conversations?status=snoozed` lists it) and comes back when `until` passes or when the customer writes, whichever comes first. Snoozing a closed conversation reopens it, snoozed. Snoozing again replaces the snooze.',
    body: snoozeConversationRequestSchema,
    maxBodyBytes: 1 * KiB,
    responses: { 200: { description: 'The conversation.', schema: conversationSchema } },
    errors: ['invalid_parameter'],
  },
  'conversations.unsnooze': {
    method: 'DELETE',
    path: '/conversations/{id}/snooze',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Inbox',
    summary: 'End a snooze now (the conversation is back in the open inbox)',
    responses: { 200: { description: 'The conversation.', schema: conversationSchema } },
  },
  'conversations.bulk': {
    method: 'POST',
    path: '/conversations/bulk',
    access: { kind: 'tenant', role: 'agent' },
    tag: 'Inbox',
    summary: 'Assign, close, reopen, snooze or label up to 100 conversations at once',
    description:
      'Each conversation is acted on as its own route would (`/assign`, `/close`, `/reopen`, `/snooze`, `/labels/{labelId}`), one after the other, and gets its own row: an id this workspace has no conversation under is a `not_found` row, and a failure in one row changes nothing in the others. Every action is idempotent, so sending the same request again is safe.',
    body: bulkConversationsRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      200: { description: 'One row per conversation.', schema: bulkConversationsResponseSchema },
    },
    errors: ['invalid_parameter'],
  },
  'users.availability.get': {
    method: 'GET',
    path: '/users/me/availability',
    access: { kind: 'tenant', role: 'viewer' },
    tag: 'Team',
    summary: 'Whether I take auto-assigned conversations in this workspace',
    responses: { 200: { description: 'My availability.', schema: availabilitySchema } },
  },
  'users.availability.set': {
    method: 'PUT',
    path: '/users/me/availability',
    access: { kind: 'tenant', role: 'viewer' },
    tag: 'Team',
    summary: 'Mark myself available or away for auto-assignment in this workspace',
    description:
      'Stored on my membership of this workspace (another workspace has its own). Away members are skipped by auto-assignment; conversations already assigned stay.',
    body: setAvailabilityRequestSchema,
    maxBodyBytes: 1 * KiB,
    responses: { 200: { description: 'My availability.', schema: availabilitySchema } },
  },
  'channels.autoAssignment.set': {
    method: 'PUT',
    path: '/channels/{id}/auto-assignment',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Channels',
    summary: 'Turn round-robin auto-assignment of new conversations on or off for a channel',
    description:
      'While on, a conversation the customer opens on this channel (a new one, or a closed unassigned one they write to again) is assigned to the next available member of `memberIds` (empty: every member with the agent role or above), taking turns. Nobody available: it stays unassigned. Turning it on takes effect within 10 seconds (the message processor caches the workspace for that long); turning it off at once.',
    body: setAutoAssignmentRequestSchema,
    maxBodyBytes: 8 * KiB,
    responses: { 200: { description: 'The channel.', schema: channelSchema } },
    errors: ['invalid_parameter'],
  },
});

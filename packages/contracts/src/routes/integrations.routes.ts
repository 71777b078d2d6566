import { z } from 'zod';
import { pageOf } from '../conversations';
import {
  conversationLeadSchema,
  createdEventDestinationSchema,
  createEventDestinationRequestSchema,
  eventDestinationSchema,
  eventDestinationTestResultSchema,
  startConversationRequestSchema,
  startedConversationSchema,
  updateEventDestinationRequestSchema,
} from '../integrations';
import { defineRoutes } from '../route-contract';
import { KiB, noContent } from './common';

const eventDestinationIdParams = z.object({ id: z.string().regex(/^evd_[0-9a-z]{20}$/) });

export const integrationRoutes = defineRoutes({
  'conversations.start': {
    method: 'POST',
    path: '/conversations',
    access: { kind: 'tenant', role: 'agent', scope: 'messages:send' },
    tag: 'Inbox',
    summary: 'Start a conversation with an approved WhatsApp template',
    description: [
      'Writes first to someone who never wrote (or whose 24-hour window closed): the contact is found or created from the phone number (read in the workspace’s default country when it has no country code), the template is sent through the same path as `POST /send-message`, and the conversation and the message are answered.',
      'With an `Idempotency-Key` header, a retry with the same body returns the first response (24 h).',
    ].join('\n\n'),
    headers: [
      {
        name: 'Idempotency-Key',
        description: 'Makes retries safe: 1–255 printable ASCII characters, e.g. a UUID.',
      },
    ],
    body: startConversationRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: {
      201: { description: 'Sent (or replayed).', schema: startedConversationSchema },
    },
    errors: [
      'validation_failed',
      'bad_request',
      'not_found',
      'invalid_parameter',
      'idempotency_key_reused',
      'idempotency_in_progress',
      'template_not_found',
      'undeliverable',
    ],
  },
  'conversations.lead': {
    method: 'POST',
    path: '/conversations/{id}/lead',
    access: { kind: 'tenant', role: 'agent', scope: 'leads:write' },
    tag: 'Leads',
    summary: 'Make a lead of the conversation’s contact',
    description:
      'Creates the lead (source `conversation`, with the contact’s name and phone or Instagram handle), or joins the contact’s open lead. Idempotent: calling it again answers the same lead with 200.',
    maxBodyBytes: 1 * KiB,
    responses: {
      200: {
        description: 'The lead this conversation already has.',
        schema: conversationLeadSchema,
      },
      201: { description: 'The new lead.', schema: conversationLeadSchema },
    },
  },

  'event-destinations.list': {
    method: 'GET',
    path: '/event-destinations',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Integrations',
    summary: 'The workspace’s event webhooks',
    responses: {
      200: { description: 'The endpoints.', schema: pageOf(eventDestinationSchema) },
    },
  },
  'event-destinations.create': {
    method: 'POST',
    path: '/event-destinations',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Integrations',
    summary: 'Add an event webhook',
    description:
      'Message received, message status, conversation assigned / closed and contact updated events are POSTed as `{type, timestamp, data}`, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the `whsec_` secret returned this once. Failed deliveries are retried with backoff, then parked in the DLQ.',
    body: createEventDestinationRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: {
      201: { description: 'The endpoint, with its secret.', schema: createdEventDestinationSchema },
    },
    errors: ['unsafe_destination', 'conflict'],
  },
  'event-destinations.update': {
    method: 'PATCH',
    path: '/event-destinations/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Integrations',
    summary: 'Change an event webhook',
    params: eventDestinationIdParams,
    body: updateEventDestinationRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The endpoint.', schema: eventDestinationSchema } },
    errors: ['unsafe_destination'],
  },
  'event-destinations.delete': {
    method: 'DELETE',
    path: '/event-destinations/{id}',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Integrations',
    summary: 'Remove an event webhook',
    params: eventDestinationIdParams,
    responses: { 204: noContent },
  },
  'event-destinations.test': {
    method: 'POST',
    path: '/event-destinations/{id}/test',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Integrations',
    summary: 'Send a signed test event now',
    params: eventDestinationIdParams,
    maxBodyBytes: 1 * KiB,
    responses: {
      200: { description: 'What the endpoint answered.', schema: eventDestinationTestResultSchema },
    },
  },
});

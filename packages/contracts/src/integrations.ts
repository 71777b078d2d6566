import { z } from 'zod';
import { conversationSchema } from './conversations';
import { leadSchema } from './leads';
import { sendMessageResponseSchema, sendTemplateSchema } from './messaging';

// Integrations: starting a conversation with an approved WhatsApp template, a lead from a
// conversation, and the workspace events delivered to integrators' endpoints (Standard Webhooks).

// ------------------------------------------------------------------ starting a conversation

export const startConversationRequestSchema = z
  .object({
    channelId: z.string().min(1).max(64).describe('The WhatsApp channel to write from.'),
    to: z
      .string()
      .min(1)
      .max(40)
      .optional()
      .describe(
        'A phone number: international (+1 650 555 1234) or national in the workspace’s default country.',
      ),
    customerId: z.string().min(1).max(128).optional().describe('Or an existing contact.'),
    template: sendTemplateSchema.describe('An approved template: the window is closed.'),
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.to === undefined) === (body.customerId === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'Give exactly one of to (a phone number) or customerId.',
      });
    }
  });
export type StartConversationRequest = z.infer<typeof startConversationRequestSchema>;

export const startedConversationSchema = z.object({
  conversation: conversationSchema,
  message: sendMessageResponseSchema,
});
export type StartedConversation = z.infer<typeof startedConversationSchema>;

export const conversationLeadSchema = leadSchema;

// ------------------------------------------------------------------ events for integrators

export const integrationEventTypes = [
  'message.received',
  'message.status',
  'conversation.assigned',
  'conversation.closed',
  'contact.updated',
] as const;
export const integrationEventTypeSchema = z.enum(integrationEventTypes);
export type IntegrationEventType = z.infer<typeof integrationEventTypeSchema>;

/** What an endpoint receives (the body): signed per Standard Webhooks, `webhook-id` = event id. */
export const integrationEventPayloadSchema = z.object({
  type: integrationEventTypeSchema,
  timestamp: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type IntegrationEventPayload = z.infer<typeof integrationEventPayloadSchema>;

export const eventDestinationDeliverySchema = z.object({
  eventId: z.string(),
  type: z.string(),
  /** `delivered` (2xx), `retrying` (will be tried again) or `failed` (gave up: in the DLQ). */
  outcome: z.enum(['delivered', 'retrying', 'failed']),
  status: z.number().nullable().describe('The HTTP status the endpoint answered, if any.'),
  error: z.string().optional(),
  at: z.string(),
});

export const eventDestinationSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(integrationEventTypeSchema),
  enabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastDelivery: eventDestinationDeliverySchema.optional(),
});
export type EventDestinationDto = z.infer<typeof eventDestinationSchema>;

export const createdEventDestinationSchema = eventDestinationSchema.extend({
  /** The Standard Webhooks signing secret (`whsec_…`), shown this once. */
  secret: z.string(),
});

const eventsField = z
  .array(integrationEventTypeSchema)
  .min(1, 'Choose at least one event.')
  .max(integrationEventTypes.length)
  .transform((events) => [...new Set(events)]);

export const createEventDestinationRequestSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2000),
    events: eventsField,
    enabled: z.boolean().default(true),
  })
  .strict();

export const updateEventDestinationRequestSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    events: eventsField.optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((b) => b.url !== undefined || b.events !== undefined || b.enabled !== undefined, {
    message: 'Change at least one of url, events or enabled.',
  });

export const eventDestinationTestResultSchema = z.object({
  delivered: z.boolean(),
  status: z.number().nullable(),
  error: z.string().optional(),
});

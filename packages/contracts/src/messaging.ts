import { z } from 'zod';
import {
  channelTypeSchema,
  conversationSchema,
  customerSummarySchema,
  messageSchema,
} from './conversations';

// Outbound messaging, templates, conversation actions and customers: the shapes the inbox sends and reads.

export const mediaTypeSchema = z.enum(['image', 'document', 'video', 'audio']);

export const templateParametersSchema = z
  .union([
    z.array(z.string().min(1).max(1024)).max(50),
    z.record(z.string().regex(/^[a-z0-9_]{1,64}$/), z.string().min(1).max(1024)),
  ])
  .describe(
    'Body parameters: an array for positional templates ({{1}}, {{2}}…), an object for named ones ({{first_name}}).',
  );

export const sendTemplateSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'Template names are lower case, digits and _.'),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'A Meta language code such as en_US or pt_BR.'),
  parameters: templateParametersSchema.optional(),
});

export const sendMediaSchema = z.object({
  type: mediaTypeSchema,
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe('A public URL Meta downloads the media from.'),
  caption: z.string().min(1).max(1024).optional(),
  filename: z.string().min(1).max(240).optional().describe('Documents only.'),
});

export const sendMessageRequestSchema = z
  .object({
    conversationId: z.string().min(1).max(64).optional(),
    customerId: z.string().min(1).max(128).optional(),
    channel: channelTypeSchema.optional(),
    channelId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('With customerId: which of the workspace’s channels of that type to send from.'),
    text: z.string().trim().min(1).max(4096).optional(),
    template: sendTemplateSchema.optional(),
    media: sendMediaSchema.optional(),
    replyTo: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe('Id of a message in the same conversation to quote (WhatsApp).'),
  })
  .strict()
  .superRefine((body, ctx) => {
    const contents = [body.text, body.template, body.media].filter((v) => v !== undefined).length;
    if (contents !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'Send exactly one of text, template or media.',
      });
    }
    const byConversation = body.conversationId !== undefined;
    const byCustomer = body.customerId !== undefined || body.channel !== undefined;
    if (byConversation === byCustomer || (byCustomer && (!body.customerId || !body.channel))) {
      ctx.addIssue({
        code: 'custom',
        path: byConversation ? ['customerId'] : ['conversationId'],
        message: 'Address the message with conversationId, or with customerId and channel.',
      });
    }
  })
  .describe(
    'Exactly one of text, template or media; addressed by conversationId or by customerId + channel.',
  );
export type SendMessageRequest = z.infer<typeof sendMessageRequestSchema>;

export const sendMessageResponseSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  channelMessageId: z.string().optional(),
  status: z.enum(['pending', 'sent', 'delivered', 'read', 'failed']),
});
export type SendMessageResponse = z.infer<typeof sendMessageResponseSchema>;

export const messageTemplateSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  language: z.string(),
  status: z.string(),
  category: z.string().optional(),
  parameterFormat: z.string().optional(),
  components: z.array(z.record(z.string(), z.unknown())),
});
export type MessageTemplateDto = z.infer<typeof messageTemplateSchema>;

export const listTemplatesQuerySchema = z.object({
  refresh: z.enum(['true', 'false']).optional().describe('Bypass the few-minute cache.'),
});

export const listTemplatesResponseSchema = z.object({
  items: z.array(messageTemplateSchema),
  fetchedAt: z.string(),
  nextCursor: z.null(),
});

export const assignConversationRequestSchema = z
  .object({
    userId: z
      .string()
      .min(1)
      .max(64)
      .nullable()
      .describe('A member of the workspace, or null to unassign.'),
  })
  .strict();

export const searchCustomersQuerySchema = z.object({
  search: z.string().trim().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

export const customerSchema = customerSummarySchema.extend({
  /** From lead forms: the leads flow merges them into the same record. */
  email: z.string().optional(),
  company: z.string().optional(),
  /** An e-mail-only contact merged into a phone contact: where it lives now. */
  mergedInto: z.string().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});

export const customerPageSchema = z.object({
  items: z.array(customerSchema),
  nextCursor: z.string().nullable(),
});

export const customerDetailQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});

export const customerDetailSchema = customerSchema.extend({
  /** The contact's leads, across forms and imports. */
  leadIds: z.array(z.string()),
  conversations: z.array(conversationSchema.omit({ customer: true })),
  timeline: z.object({ items: z.array(messageSchema), nextCursor: z.string().nullable() }),
});

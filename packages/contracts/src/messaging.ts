import { z } from 'zod';
import { outboundInteractiveSchema } from './message-types';
import {
  channelTypeSchema,
  conversationSchema,
  customerSummarySchema,
  messageSchema,
} from './conversations';

// Outbound messaging, templates, conversation actions and customers: the shapes the inbox sends and reads.

/** What Meta sends and takes as media; `sticker` is WhatsApp's (WebP). */
export const mediaTypeSchema = z.enum(['image', 'document', 'video', 'audio', 'sticker']);
export type MediaKind = z.infer<typeof mediaTypeSchema>;

/**
 * Meta's limits per kind (WhatsApp Cloud API; Instagram's are tighter for images at 8 MB but its
 * 25 MB video/audio fit under these), checked before anything is stored or sent: on upload by
 * the server, and in the composer before the upload starts.
 */
export const mediaLimits = {
  image: { maxBytes: 5 * 1024 * 1024, mimeTypes: ['image/jpeg', 'image/png'] },
  sticker: { maxBytes: 500 * 1024, mimeTypes: ['image/webp'] },
  audio: {
    maxBytes: 16 * 1024 * 1024,
    mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
  },
  video: { maxBytes: 16 * 1024 * 1024, mimeTypes: ['video/mp4', 'video/3gpp'] },
  document: {
    maxBytes: 100 * 1024 * 1024,
    mimeTypes: [
      'text/plain',
      'text/csv',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
  },
} as const satisfies Record<MediaKind, { maxBytes: number; mimeTypes: readonly string[] }>;

/** The kind Meta files a MIME type under (`image/webp` is a sticker), or undefined if it takes none. */
export function mediaKindOf(mimeType: string): MediaKind | undefined {
  const bare = mimeType.split(';')[0]!.trim().toLowerCase();
  for (const kind of mediaTypeSchema.options) {
    if ((mediaLimits[kind].mimeTypes as readonly string[]).includes(bare)) return kind;
  }
  return undefined;
}

export const uploadMediaQuerySchema = z.object({
  filename: z
    .string()
    .trim()
    .min(1)
    .max(240)
    .optional()
    .describe('The file’s name, shown to the customer for documents.'),
});

export const uploadedMediaSchema = z.object({
  id: z.string().describe('Pass it as `media.id` to `POST /send-message`.'),
  type: mediaTypeSchema,
  mimeType: z.string(),
  size: z.number().int(),
  filename: z.string().optional(),
  sha256: z.string(),
  url: z.string().describe('A short-lived signed URL of the stored file (a preview).'),
});
export type UploadedMedia = z.infer<typeof uploadedMediaSchema>;

/** A direct upload's id: also the id of the media it becomes (`med_…`). */
export const mediaUploadIdSchema = z.string().regex(/^med_[0-9a-z]{20}$/);

export const createMediaUploadRequestSchema = z.object({
  filename: z
    .string()
    .trim()
    .min(1)
    .max(240)
    .optional()
    .describe('The file’s name, shown to the customer for documents.'),
  contentType: z
    .string()
    .min(1)
    .max(255)
    .describe('The file’s MIME type: sent again, exactly, as the `Content-Type` of the PUT.'),
  size: z
    .number()
    .int()
    .min(1)
    .describe('The file’s size in bytes: the PUT must carry exactly this many.'),
});
export type CreateMediaUploadRequest = z.infer<typeof createMediaUploadRequestSchema>;

export const mediaUploadSchema = z.object({
  id: z.string().describe('Complete the upload with `POST /media/uploads/{id}/complete`.'),
  uploadUrl: z
    .string()
    .describe('Where to PUT the bytes: absolute, signed, with no other credential.'),
  method: z.literal('PUT'),
  headers: z
    .object({ 'content-type': z.string() })
    .describe('The headers the PUT must carry (they are signed).'),
  expiresAt: z.string().describe('When `uploadUrl` stops working (ISO 8601).'),
});
export type MediaUpload = z.infer<typeof mediaUploadSchema>;

export const mediaUploadContentQuerySchema = z.object({
  tenant: z.string().max(128).optional(),
  size: z.string().max(32).optional(),
  exp: z.string().max(32).optional(),
  sig: z.string().max(256).optional(),
});

export const templateParametersSchema = z
  .union([
    z.array(z.string().min(1).max(1024)).max(50),
    z.record(z.string().regex(/^[a-z0-9_]{1,64}$/), z.string().min(1).max(1024)),
  ])
  .describe(
    'Body parameters: an array for positional templates ({{1}}, {{2}}…), an object for named ones ({{first_name}}).',
  );

/** A media reference: an upload of ours (`POST /media`) or a public https URL Meta can fetch. */
const mediaRefFields = {
  id: z.string().min(1).max(64).optional().describe('An id from `POST /media`.'),
  url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional()
    .describe('A public URL Meta downloads the media from.'),
};
const oneMediaRef = (value: { id?: string; url?: string }, ctx: z.RefinementCtx) => {
  if ((value.id === undefined) === (value.url === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['id'], message: 'Give exactly one of id or url.' });
  }
};

export const templateHeaderSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string().min(1).max(60) }).strict(),
  z
    .object({
      type: z.enum(['image', 'video', 'document']),
      ...mediaRefFields,
      filename: z.string().min(1).max(240).optional().describe('Documents only.'),
    })
    .strict()
    .superRefine(oneMediaRef),
]);
export type TemplateHeader = z.infer<typeof templateHeaderSchema>;

export const templateButtonParameterSchema = z.discriminatedUnion('subType', [
  z
    .object({
      subType: z.literal('quick_reply'),
      index: z.number().int().min(0).max(9),
      payload: z.string().min(1).max(1000).describe('Returned in the webhook when tapped.'),
    })
    .strict(),
  z
    .object({
      subType: z.literal('url'),
      index: z.number().int().min(0).max(9),
      text: z.string().min(1).max(2000).describe('The suffix appended to the button’s URL.'),
    })
    .strict(),
]);

export const sendTemplateSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'Template names are lower case, digits and _.'),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'A Meta language code such as en_US or pt_BR.'),
  parameters: templateParametersSchema.optional(),
  header: templateHeaderSchema.optional().describe('For templates whose header has a variable.'),
  buttons: z
    .array(templateButtonParameterSchema)
    .max(10)
    .optional()
    .describe('Parameters of dynamic buttons: quick-reply payloads, URL suffixes.'),
});

export const sendMediaSchema = z
  .object({
    type: mediaTypeSchema,
    ...mediaRefFields,
    caption: z.string().min(1).max(1024).optional().describe('Not for audio or stickers.'),
    filename: z.string().min(1).max(240).optional().describe('Documents only.'),
  })
  .strict()
  .superRefine((media, ctx) => {
    oneMediaRef(media, ctx);
    if (media.caption !== undefined && (media.type === 'audio' || media.type === 'sticker')) {
      ctx.addIssue({
        code: 'custom',
        path: ['caption'],
        message: 'Audio and stickers cannot carry a caption.',
      });
    }
  });

export const sendReactionSchema = z
  .object({
    messageId: z.string().min(1).max(128).describe('Our id of the message reacted to.'),
    emoji: z
      .string()
      .max(16)
      .describe(
        'One emoji; an empty string removes the reaction. Instagram shows every reaction as ❤.',
      ),
  })
  .strict();

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
    interactive: outboundInteractiveSchema.optional(),
    reaction: sendReactionSchema.optional(),
    replyTo: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe(
        'Id of a message in the same conversation to quote (WhatsApp) or reply to (Instagram).',
      ),
  })
  .strict()
  .superRefine((body, ctx) => {
    const contents = [body.text, body.template, body.media, body.interactive, body.reaction].filter(
      (v) => v !== undefined,
    ).length;
    if (contents !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'Send exactly one of text, template, media, interactive or reaction.',
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
    'Exactly one of text, template, media, interactive or reaction; addressed by conversationId or by customerId + channel.',
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
  search: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'Words of a name (each a prefix), an e-mail (or its start), or a phone number in any format (its start, or its last digits). Omitted: every contact.',
    ),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

export const customerSchema = customerSummarySchema.extend({
  /** From lead forms: the leads flow merges them into the same record. */
  email: z.string().optional(),
  company: z.string().optional(),
  /** A contact merged into another (by the leads flow or an agent): where it lives now. */
  mergedInto: z.string().optional(),
  /** The contacts merged into this one: their conversations and messages show under it. */
  mergedFrom: z.array(z.string()).optional(),
  /** Custom attributes an agent set (contacts.ts). */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  tags: z.array(z.string()).optional(),
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

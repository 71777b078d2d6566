import { z } from 'zod';

// Two layers of validation:
//  1. The receiver checks the envelope loosely (`metaEnvelopeSchema`) so anything Meta may
//     legitimately send is accepted (200) and anything that is not a Meta envelope gets a 400.
//  2. The normaliser parses each part of an entry with the per-kind schemas below. They use
//     `z.object` (unknown keys are stripped, never fatal) and are applied piece by piece with
//     `safeParse`, so one odd field degrades a single message instead of failing the entry.

export const META_OBJECTS = ['whatsapp_business_account', 'instagram', 'page'] as const;
export type MetaObject = (typeof META_OBJECTS)[number];

export const metaEntrySchema = z.looseObject({
  id: z.string().min(1),
  time: z.number().optional(),
  changes: z.array(z.unknown()).optional(),
  messaging: z.array(z.unknown()).optional(),
});

export const metaEnvelopeSchema = z.looseObject({
  object: z.enum(META_OBJECTS),
  entry: z.array(metaEntrySchema).min(1),
});

export type MetaEnvelope = z.infer<typeof metaEnvelopeSchema>;
export type MetaEntry = z.infer<typeof metaEntrySchema>;

// A change inside any entry: `{ field, value }` (WhatsApp always, Instagram for non-messaging fields).
export const metaChangeSchema = z.object({ field: z.string(), value: z.unknown() });
export type MetaChange = z.infer<typeof metaChangeSchema>;

// Meta timestamps: WhatsApp sends unix seconds as strings, Instagram unix milliseconds as numbers.
export const metaTimestampSchema = z.union([z.number(), z.string().regex(/^\d+$/)]);

export const waErrorSchema = z.object({
  code: z.number(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
  href: z.string().optional(),
});
export type WaError = z.infer<typeof waErrorSchema>;

// ---------------------------------------------------------------- WhatsApp (field "messages")

export const waMetadataSchema = z.object({
  display_phone_number: z.string().optional(),
  phone_number_id: z.string().min(1),
});

export const waMessagesValueSchema = z.object({
  messaging_product: z.string().optional(),
  metadata: waMetadataSchema,
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});
export type WaMessagesValue = z.infer<typeof waMessagesValueSchema>;

export const waContactSchema = z.object({
  wa_id: z.string().optional(),
  // Business-scoped user id (BSUID), rolled out by Meta from April 2026.
  user_id: z.string().optional(),
  profile: z.object({ name: z.string().optional() }).optional(),
});
export type WaContact = z.infer<typeof waContactSchema>;

// Only what every message has; the type-specific object is parsed separately by `type`.
// `from` can be absent for users who adopted a WhatsApp username; `from_user_id` then identifies them.
export const waMessageBaseSchema = z
  .looseObject({
    id: z.string().min(1),
    from: z.string().min(1).optional(),
    from_user_id: z.string().min(1).optional(),
    timestamp: metaTimestampSchema,
    type: z.string().min(1),
    context: z.unknown().optional(),
    referral: z.unknown().optional(),
    errors: z.array(z.unknown()).optional(),
  })
  .refine((m) => m.from !== undefined || m.from_user_id !== undefined, {
    message: 'message has neither from nor from_user_id',
  });
export type WaMessageBase = z.infer<typeof waMessageBaseSchema>;

export const waTextSchema = z.object({ body: z.string() });

// image | audio | video | document | sticker share one shape; irrelevant keys stay undefined.
export const waMediaSchema = z.object({
  id: z.string().optional(),
  url: z.string().optional(),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  animated: z.boolean().optional(),
  voice: z.boolean().optional(),
});

export const waLocationSchema = z.object({
  latitude: z.number(),
  longitude: z.number(),
  name: z.string().optional(),
  address: z.string().optional(),
  url: z.string().optional(),
});

export const waContactsMessageSchema = z.array(z.unknown());

export const waInteractiveSchema = z.object({
  type: z.string(),
  button_reply: z.object({ id: z.string(), title: z.string() }).optional(),
  list_reply: z
    .object({ id: z.string(), title: z.string(), description: z.string().optional() })
    .optional(),
  nfm_reply: z
    .object({
      name: z.string().optional(),
      body: z.string().optional(),
      response_json: z.string(),
    })
    .optional(),
});

export const waButtonSchema = z.object({
  text: z.string().optional(),
  payload: z.string().optional(),
});

// `emoji` is omitted when the user removes their reaction.
export const waReactionSchema = z.object({
  message_id: z.string().min(1),
  emoji: z.string().optional(),
});

export const waOrderSchema = z.object({
  catalog_id: z.string().optional(),
  text: z.string().optional(),
  product_items: z.array(z.unknown()).default([]),
});

// Current docs put the new id in `wa_id`; older versions used `new_wa_id`.
export const waSystemSchema = z.object({
  body: z.string().optional(),
  type: z.string().optional(),
  wa_id: z.string().optional(),
  new_wa_id: z.union([z.string(), z.number()]).optional(),
  customer: z.string().optional(),
});

export const waUnsupportedSchema = z.object({ type: z.string().optional() });

export const waContextSchema = z.object({
  from: z.string().optional(),
  id: z.string().optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
});

export const waReferralSchema = z.record(z.string(), z.unknown());

export const waStatusSchema = z
  .object({
    id: z.string().min(1),
    status: z.string(),
    timestamp: metaTimestampSchema,
    recipient_id: z.string().optional(),
    recipient_user_id: z.string().optional(),
    conversation: z.unknown().optional(),
    pricing: z.unknown().optional(),
    errors: z.array(z.unknown()).optional(),
  })
  .refine((s) => s.recipient_id !== undefined || s.recipient_user_id !== undefined, {
    message: 'status has no recipient',
  });
export type WaStatus = z.infer<typeof waStatusSchema>;

// ---------------------------------------------------------------- Instagram / Messenger messaging

const igParticipantSchema = z.object({ id: z.string().min(1) });

export const igMessagingEventSchema = z.looseObject({
  sender: igParticipantSchema,
  recipient: igParticipantSchema,
  timestamp: metaTimestampSchema,
  message: z.unknown().optional(),
  postback: z.unknown().optional(),
  reaction: z.unknown().optional(),
  read: z.unknown().optional(),
});
export type IgMessagingEvent = z.infer<typeof igMessagingEventSchema>;

export const igMessageSchema = z.object({
  mid: z.string().min(1),
  text: z.string().optional(),
  attachments: z.array(z.unknown()).optional(),
  reply_to: z.unknown().optional(),
  quick_reply: z.unknown().optional(),
  referral: z.unknown().optional(),
  is_echo: z.boolean().optional(),
  is_deleted: z.boolean().optional(),
  is_unsupported: z.boolean().optional(),
});
export type IgMessage = z.infer<typeof igMessageSchema>;

export const igAttachmentSchema = z.object({
  type: z.string(),
  payload: z
    .object({
      url: z.string().optional(),
      title: z.string().optional(),
      reel_video_id: z.string().optional(),
    })
    .optional(),
});
export type IgAttachment = z.infer<typeof igAttachmentSchema>;

export const igReplyToSchema = z.object({
  mid: z.string().optional(),
  story: z.object({ url: z.string().optional(), id: z.string().optional() }).optional(),
});

export const igQuickReplySchema = z.object({ payload: z.string() });

// `mid` is present from Graph API v11.0.
export const igPostbackSchema = z.object({
  mid: z.string().optional(),
  title: z.string().optional(),
  payload: z.string().optional(),
});

export const igReactionSchema = z.object({
  mid: z.string().min(1),
  action: z.enum(['react', 'unreact']),
  reaction: z.string().optional(),
  emoji: z.string().optional(),
});

// Instagram `messaging_seen` carries `mid`; Messenger `message_reads` only a `watermark`.
export const igReadSchema = z.object({
  mid: z.string().optional(),
  watermark: z.number().optional(),
});

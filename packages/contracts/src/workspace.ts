import { z } from 'zod';
import { cannedReplyContentIssues } from './canned-reply-variables';

export * from './canned-reply-variables';

// The agent workspace's own objects: private notes in a conversation (never sent to the
// customer), the tenant's labels and the labels on a conversation, and canned replies.

// ── Private notes ───────────────────────────────────────────────────────────────────────────────

export const noteTextMax = 4000;
export const noteMentionsMax = 20;

export const noteSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  text: z.string(),
  /** Members the note mentions (user ids); each of them is notified through `note.created`. */
  mentions: z.array(z.string()),
  authorId: z.string(),
  createdAt: z.string(),
  /** The `clientId` it was written with, so a screen can match it to what it sent. */
  clientId: z.string().optional(),
});
export type NoteDto = z.infer<typeof noteSchema>;

export const createNoteRequestSchema = z.object({
  text: z.string().trim().min(1, 'Write something.').max(noteTextMax),
  /**
   * Who is mentioned, by user id (the composer's `@` picker knows them); `@Name` in `text` is for
   * reading only. Every id must be a member of the workspace (400 `validation_failed` otherwise).
   */
  mentions: z
    .array(z.string().min(1).max(128))
    .max(noteMentionsMax)
    .optional()
    .transform((ids) => [...new Set(ids ?? [])]),
  /**
   * Makes a retry safe: the same `clientId` in the same conversation answers the first note
   * (200) instead of writing a second; with another text or mentions it is refused (409).
   */
  clientId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'Letters, digits, - and _.')
    .optional(),
});

export const listNotesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2048).optional(),
});

// ── Labels ──────────────────────────────────────────────────────────────────────────────────────

/** A fixed palette: the web draws each as a dark text on a light tint, AA contrast. */
export const labelColors = [
  'gray',
  'red',
  'orange',
  'amber',
  'green',
  'teal',
  'blue',
  'indigo',
  'purple',
  'pink',
] as const;
export const labelColorSchema = z.enum(labelColors);
export type LabelColor = z.infer<typeof labelColorSchema>;

export const labelNameMax = 40;
export const labelsPerTenantMax = 200;
export const labelsPerConversationMax = 20;

export const labelSchema = z.object({
  id: z.string(),
  name: z.string(),
  color: labelColorSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LabelDto = z.infer<typeof labelSchema>;

const labelName = z
  .string()
  .trim()
  .min(1, 'Name the label.')
  .max(labelNameMax)
  .regex(/^[^\p{Cc}]+$/u, 'No control characters.');

export const createLabelRequestSchema = z.object({ name: labelName, color: labelColorSchema });
export const updateLabelRequestSchema = z
  .object({ name: labelName.optional(), color: labelColorSchema.optional() })
  .refine((body) => body.name !== undefined || body.color !== undefined, {
    message: 'Change the name or the colour.',
  });

export const labelListSchema = z.object({ items: z.array(labelSchema) });

// ── Canned replies ──────────────────────────────────────────────────────────────────────────────

export const cannedReplyContentMax = 4000;

export const cannedReplySchema = z.object({
  id: z.string(),
  /** Typed after `/` in the composer; unique in the workspace, lower case. */
  shortCode: z.string(),
  content: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CannedReplyDto = z.infer<typeof cannedReplySchema>;

const shortCode = z
  .string()
  .trim()
  .min(1, 'Give it a short code.')
  .max(32)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
    'Letters, digits, - and _, starting with a letter or digit.',
  )
  .transform((code) => code.toLowerCase());

const content = z
  .string()
  .trim()
  .min(1, 'Write the reply.')
  .max(cannedReplyContentMax)
  .superRefine((text, ctx) => {
    for (const issue of cannedReplyContentIssues(text))
      ctx.addIssue({ code: 'custom', message: issue });
  });

export const createCannedReplyRequestSchema = z.object({ shortCode, content });
export const updateCannedReplyRequestSchema = z
  .object({ shortCode: shortCode.optional(), content: content.optional() })
  .refine((body) => body.shortCode !== undefined || body.content !== undefined, {
    message: 'Change the short code or the content.',
  });

export const cannedReplyListSchema = z.object({ items: z.array(cannedReplySchema) });
export const cannedRepliesPerTenantMax = 500;

import { z } from 'zod';

// What the webhook receiver puts on IncomingMessagesQueue: one Meta entry per message, so one bad
// entry never holds back the others of its delivery, and retries and the DLQ work per entry.
export const incomingQueueMessageSchema = z.object({
  v: z.literal(1),
  object: z.string().min(1),
  /** The entry itself, or (when too large for a queue message) its index in the archived raw body. */
  entry: z.unknown().optional(),
  entryIndex: z.number().int().min(0).optional(),
  receivedAt: z.iso.datetime(),
  /** Where the raw delivery body is archived (for replay after a fix). */
  rawRef: z.string().optional(),
});

export type IncomingQueueMessage = z.infer<typeof incomingQueueMessageSchema>;

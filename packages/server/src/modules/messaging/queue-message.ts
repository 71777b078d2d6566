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
  /**
   * Where the whole raw body is stored, for an entry sent by reference (`entryIndex`). Every
   * delivery is also in the raw archive (ports/raw-archive.ts), which replay reads.
   */
  rawRef: z.string().optional(),
  /**
   * Set by a replay (`POST /admin/replays`): the entry is applied only to this tenant's routes,
   * an entry no longer routed to it is skipped (not kept as unrouted), and a message already
   * stored changes nothing.
   */
  replay: z.object({ id: z.string().min(1), tenantId: z.string().min(1) }).optional(),
});

export type IncomingQueueMessage = z.infer<typeof incomingQueueMessageSchema>;

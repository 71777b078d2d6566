import { z } from 'zod';

// Replays of archived webhooks (`POST /admin/replays`): a platform admin re-runs one workspace's
// inbound deliveries of a time range through the message processor, which stores nothing twice.

/** The longest range one replay may cover. */
export const maxReplayDays = 31;

export const createReplayRequestSchema = z
  .object({
    tenantId: z.string().min(1).max(64),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
  })
  .superRefine((value, ctx) => {
    const from = Date.parse(value.from);
    const to = Date.parse(value.to);
    if (!(from < to)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'Must be after `from`.' });
    } else if (to - from > maxReplayDays * 86_400_000) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `A replay covers at most ${maxReplayDays} days.`,
      });
    }
  });
export type CreateReplayRequest = z.infer<typeof createReplayRequestSchema>;

export const replayStatusSchema = z.enum(['running', 'done', 'failed']);

export const replaySchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  from: z.string(),
  to: z.string(),
  status: replayStatusSchema,
  /** Archived entries received in the range. */
  scanned: z.number().int(),
  /** Of those, the entries routed to the workspace. */
  matched: z.number().int(),
  /** Sent to the message processor (which dedupes: an entry already stored changes nothing). */
  enqueued: z.number().int(),
  /** Progress: days listed of days, and archive chunks (a day file, an S3 object) done of found. */
  days: z.number().int(),
  daysListed: z.number().int(),
  chunks: z.number().int(),
  chunksDone: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
  /** Why a replay failed. */
  error: z.string().optional(),
});
export type ReplayDto = z.infer<typeof replaySchema>;

export const replayIdParams = z.object({ id: z.string().regex(/^rpl_[a-z0-9]{20}$/) });

import { z } from 'zod';
import { stableId } from '../../../engine/ids';
import {
  QUEUE_MAX_BATCH_ENTRIES,
  type QueueMessageInput,
  type QueueSender,
} from '../../../engine/ports/queue';
import type { Channel, NormalizedMedia, NormalizedMessage } from '../meta/inbound-event';
import type { StoredMedia } from './media-keys';

// What the MessageProcessor puts on MediaQueue for the MediaFetcher: one job per message whose
// attachments are pending, and one per Instagram sender whose profile is missing or stale. A job
// names what to fetch, never the result: the fetcher reads the message (or the customer) again,
// so a redelivered or duplicated job only finds nothing left to do.

// Within DynamoDB's key sizes: a job whose ids the processor could store is never poison here.
const id = z.string().min(1).max(2048);

export const mediaJobSchema = z.discriminatedUnion('kind', [
  z.object({
    v: z.literal(1),
    kind: z.literal('media'),
    tenantId: id,
    channelId: id,
    channel: z.enum(['whatsapp', 'instagram']),
    /** The message item's key parts (keys.message). */
    customerId: id,
    timestamp: z.string().min(1).max(128),
    messageId: id,
  }),
  z.object({
    v: z.literal(1),
    kind: z.literal('profile'),
    tenantId: id,
    channelId: id,
    customerId: id,
    /** The Instagram-scoped id of the sender. */
    igsid: id,
  }),
]);
export type MediaJob = z.infer<typeof mediaJobSchema>;
export type MediaFetchJob = Extract<MediaJob, { kind: 'media' }>;
export type ProfileJob = Extract<MediaJob, { kind: 'profile' }>;

/** A job's stable id: the same message (or sender) always names the same job. */
export function mediaJobId(job: MediaJob): string {
  return job.kind === 'media'
    ? stableId('mjob', job.tenantId, job.messageId)
    : stableId('pjob', job.tenantId, job.customerId);
}

/** Sends the jobs in SQS-sized batches. */
export async function sendMediaJobs(queue: QueueSender, jobs: MediaJob[]): Promise<void> {
  const messages: QueueMessageInput[] = jobs.map((job) => ({
    body: JSON.stringify(job),
    attributes: { jobId: mediaJobId(job) },
  }));
  for (let i = 0; i < messages.length; i += QUEUE_MAX_BATCH_ENTRIES) {
    await queue.sendBatch(messages.slice(i, i + QUEUE_MAX_BATCH_ENTRIES));
  }
}

// ---------------------------------------------------------------- the pending state, as stored

/**
 * One attachment as the message item first holds it: `pending` when there is something to fetch
 * (a WhatsApp media id, an Instagram CDN URL), kept as the internal `sourceUrl` on Instagram and
 * dropped on WhatsApp (its short-lived download URL needs the token and is asked for again);
 * untouched when there is nothing to fetch (an Instagram template or a share without a URL).
 */
export function pendingMedia(channel: Channel, media: NormalizedMedia): StoredMedia {
  const { url, ...rest } = media;
  if (channel === 'whatsapp') {
    return rest.id ? { ...rest, status: 'pending' } : rest;
  }
  return url ? { ...rest, sourceUrl: url, status: 'pending' } : rest;
}

/** The message's media and attachments in their stored, pending form; `pending` when any is. */
export function withPendingMedia(
  channel: Channel,
  message: NormalizedMessage,
): { media?: StoredMedia; attachments?: StoredMedia[]; pending: boolean } {
  const media = message.media && pendingMedia(channel, message.media);
  const attachments = message.attachments?.map((m) => pendingMedia(channel, m));
  const pending = [media, ...(attachments ?? [])].some((m) => m?.status === 'pending');
  return { media, attachments, pending };
}

/** Whether a stored message still has an attachment to fetch. */
export function hasPendingMedia(message: {
  media?: StoredMedia;
  attachments?: StoredMedia[];
}): boolean {
  return [message.media, ...(message.attachments ?? [])].some((m) => m?.status === 'pending');
}

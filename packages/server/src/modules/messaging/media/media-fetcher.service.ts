import { createHash } from 'node:crypto';
import type { MediaFailureReason } from '@switchboard/contracts';
import type { Db, Key } from '../../../engine/data/dynamo';
import {
  dbForTenant,
  tenantData,
  type TenantData,
  type TenantDbFactory,
} from '../../../engine/data/tenant-data';
import { sha256Hex, stableId } from '../../../engine/ids';
import type { Logger } from '../../../engine/log';
import type { BlobStore } from '../../../engine/ports/blobs';
import type { SqsBatchHandler, SqsRecord } from '../../../engine/ports/queue';
import { RetryLaterError } from '../../../engine/queue/consumer-errors';
import { sqsBatchHandler, type RecordContext } from '../../../engine/queue/sqs-batch';
import type { TokenCipher } from '../../../engine/security/token-cipher';
import { queues } from '../../../engine/topology';
import type { ChannelWithSecret } from '../../channels/channel.repo';
import { TenantRepo } from '../../platform/tenant.repo';
import type { MediaSlot, MediaSource, StoredMessage } from '../message.repo';
import type { GraphClient } from '../meta/graph-client';
import { GraphApiError, GraphTransportError } from '../meta/graph-errors';
import { downloadMedia, DownloadError, type DownloadOptions } from './media-download';
import { mediaJobSchema, type MediaFetchJob, type MediaJob, type ProfileJob } from './media-jobs';
import { mediaBlobKey, safeFileName, type StoredMedia } from './media-keys';
import { inboundMediaRule, isInlineType, storedMimeType } from './media-rules';
import { sniffMedia } from './sniff';
import type { WorkspaceEvents } from '../../../engine/ports/workspace-events';
import { emitMessageUpdated } from '../../live/live-events';
import { emitContactUpdated } from '../../contacts/contact-events';

// The MediaFetcher: MediaQueue's consumer (engine/queue/sqs-batch.ts, partial batch failures).
//
// A media job re-reads its message and fetches every attachment still pending: WhatsApp asks
// `GET /{media-id}` with the channel's token, then downloads the lookaside URL with the same
// token; Instagram downloads the CDN URL the webhook carried. Each download is capped at Meta's
// limit for the kind (and at the size Meta announced), checked against Meta's SHA-256, sniffed,
// stored under the tenant's media prefix, and the attachment marked `ready` (conditional: a ready
// one is never touched again). What can never work (Meta says the media is gone, too large, bytes
// that are not what the message says) is marked `failed` with its reason and not retried; what
// may work later (5xx, timeouts, throttling) goes back to the queue with backoff, 5 s doubling to
// 5 min, and at the last receive is marked `failed` / `unavailable` rather than left pending.
//
// A profile job reads an Instagram sender's profile (name, username, picture), re-hosts the
// picture and stores them on the customer (the name only moves forward).

export type Backoff = { baseSeconds: number; maxSeconds: number };
export const defaultMediaBackoff: Backoff = { baseSeconds: 5, maxSeconds: 300 };

/** A fresh profile is not read again by a duplicated job. */
const PROFILE_FRESH_MS = 3600_000;
const AVATAR_MAX_BYTES = 5 * 1024 * 1024;

export type MediaFetcherDeps = {
  db: Db;
  /** A tenant's partitions on tenant-scoped credentials (deployed); absent, `db` serves them. */
  tenantDb?: TenantDbFactory;
  /** Where our copies go (the media bucket deployed: keys under `tenants/<id>/media/`). */
  blobs: BlobStore;
  /** Decrypts the channel's token. */
  cipher: TokenCipher;
  graph: GraphClient;
  log: Logger;
  /** Workspace events: `message.updated` when an attachment is ready or failed. */
  events?: WorkspaceEvents;
  now?: () => Date;
  backoff?: Backoff;
  /** SQS ChangeMessageVisibility on a failed record (sandbox: LocalQueue.changeVisibility). */
  delayRetry?(record: SqsRecord, seconds: number): Promise<void>;
  /**
   * Downloads: loopback allowed only in the sandbox (its Meta stand-in); public hosts limited to
   * Meta's (`allowedHosts`, default META_MEDIA_HOSTS; empty: none, the sandbox with its stand-in).
   */
  download?: { allowLoopback?: boolean; allowedHosts?: readonly string[]; timeoutMs?: number };
  /** How long a tenant's active/suspended status is trusted in memory (0 disables the cache). */
  tenantStatusTtlMs?: number;
  /** The receive at which a transient failure becomes final (default: the queue's maxReceiveCount). */
  maxReceiveCount?: number;
};

/** Exponential with equal jitter: half the step fixed, half random, capped. */
export function mediaBackoffSeconds(
  attempt: number,
  backoff: Backoff,
  random = Math.random,
): number {
  const step = Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.ceil(step / 2 + random() * (step / 2));
}

/** Why one fetch did not store anything. */
type Failure =
  | { kind: 'permanent'; reason: MediaFailureReason; detail: string; size?: number }
  | { kind: 'transient'; detail: string; retryAfterSeconds?: number };

class FetchFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.detail);
  }
}

const permanent = (reason: MediaFailureReason, detail: string, size?: number) =>
  new FetchFailed({ kind: 'permanent', reason, detail, size });
const transient = (detail: string, retryAfterSeconds?: number) =>
  new FetchFailed({ kind: 'transient', detail, retryAfterSeconds });

/** A Graph error as a fetch failure: gone, refused for good, or worth another try. */
function graphFailure(err: unknown, what: string): FetchFailed {
  if (err instanceof GraphTransportError) return transient(`${what}: ${err.message}`);
  if (err instanceof GraphApiError) {
    switch (err.kind) {
      case 'rate_limited':
      case 'transient':
        return transient(`${what}: ${err.message}`, err.retryAfterSeconds);
      case 'not_found':
      case 'invalid_parameter':
        // Code 100 (unknown object, subcode 33): the media id does not exist any more.
        return permanent('expired', `${what}: ${err.message}`);
      case 'unknown':
        if (err.httpStatus >= 500) return transient(`${what}: ${err.message}`);
        return permanent('unavailable', `${what}: ${err.message}`);
      default:
        // The token is revoked or lacks the permission: nothing a retry would change.
        return permanent('unavailable', `${what}: ${err.message}`);
    }
  }
  return transient(`${what}: ${(err as Error).message}`);
}

function downloadFailure(err: unknown): FetchFailed {
  if (!(err instanceof DownloadError)) return transient((err as Error).message);
  switch (err.failure) {
    case 'gone':
      return permanent('expired', `download: ${err.message}`);
    case 'too_large':
      return permanent('too_large', `download: ${err.message}`, err.size);
    case 'refused':
      return permanent('unavailable', `download: ${err.message}`);
    case 'transient':
      return transient(`download: ${err.message}`);
  }
}

/** Meta's SHA-256 of a file: hex (the media endpoint) or base64 (webhooks). */
function sameSha256(expected: string, bytes: Uint8Array): boolean {
  const digest = createHash('sha256').update(bytes).digest();
  const given = expected.trim();
  if (/^[0-9a-fA-F]{64}$/.test(given)) return digest.toString('hex') === given.toLowerCase();
  return digest.toString('base64') === given || digest.toString('base64url') === given;
}

type Slot = { slot: MediaSlot; media: StoredMedia };

function pendingSlots(message: StoredMessage): Slot[] {
  const slots: Slot[] = [];
  if (message.media?.status === 'pending') slots.push({ slot: 'media', media: message.media });
  message.attachments?.forEach((media, attachment) => {
    if (media.status === 'pending') slots.push({ slot: { attachment }, media });
  });
  return slots;
}

function sourceOf(channel: 'whatsapp' | 'instagram', media: StoredMedia): MediaSource | undefined {
  if (channel === 'whatsapp') return media.id ? { kind: 'id', value: media.id } : undefined;
  return media.sourceUrl ? { kind: 'sourceUrl', value: media.sourceUrl } : undefined;
}

export function createMediaFetcher(deps: MediaFetcherDeps): SqsBatchHandler {
  const now = deps.now ?? (() => new Date());
  const backoff = deps.backoff ?? defaultMediaBackoff;
  const maxReceiveCount = deps.maxReceiveCount ?? queues.MediaQueue.maxReceiveCount;
  const tenants = new TenantRepo(deps.db);
  const ttl = deps.tenantStatusTtlMs ?? 10_000;
  const activeCache = new Map<string, { active: boolean; until: number }>();
  const downloads = {
    allowLoopback: deps.download?.allowLoopback ?? false,
    allowedHosts: deps.download?.allowedHosts,
    // Under the consumer's own timeout, with room to store the result.
    timeoutMs: deps.download?.timeoutMs ?? (queues.MediaQueue.consumerTimeoutSeconds - 10) * 1000,
  };

  async function tenantActive(tenantId: string): Promise<boolean> {
    const cached = activeCache.get(tenantId);
    if (cached && cached.until > Date.now()) return cached.active;
    const active = (await tenants.get(tenantId))?.status === 'active';
    if (ttl > 0) activeCache.set(tenantId, { active, until: Date.now() + ttl });
    return active;
  }

  function dataOf(tenantId: string): TenantData {
    return tenantData(
      dbForTenant(deps, tenantId),
      { tenantId, actor: { kind: 'system', reason: 'inbound-webhook' } },
      deps.db,
    );
  }

  async function tokenOf(data: TenantData, channel: ChannelWithSecret): Promise<string> {
    return deps.cipher.decrypt(channel.tokenCiphertext, { tenantId: data.tenantId });
  }

  function download(url: string, maxBytes: number, headers?: Record<string, string>) {
    const opts: DownloadOptions = { ...downloads, maxBytes, headers };
    return downloadMedia(url, opts).catch((err: unknown) => {
      throw downloadFailure(err);
    });
  }

  // ---------------------------------------------------------------- one attachment

  /** The bytes of one attachment, checked against what Meta said about them. */
  async function fetchBytes(
    data: TenantData,
    message: StoredMessage,
    media: StoredMedia,
    channel: () => Promise<ChannelWithSecret>,
  ): Promise<Buffer> {
    const rule = inboundMediaRule(message.channel, message.type);
    if (message.channel === 'instagram') {
      // Instagram's CDN URL needs no token, and announces no hash.
      return (await download(media.sourceUrl!, rule.maxBytes)).body;
    }
    const ch = await channel();
    const token = await tokenOf(data, ch);
    const info = await deps.graph.getWhatsAppMedia(token, media.id!).catch((err: unknown) => {
      throw graphFailure(err, 'media lookup');
    });
    if (info.file_size !== undefined && info.file_size > rule.maxBytes) {
      throw permanent(
        'too_large',
        `Meta announced ${info.file_size} bytes, more than ${rule.maxBytes}`,
        info.file_size,
      );
    }
    const cap = Math.min(rule.maxBytes, info.file_size ?? rule.maxBytes);
    const { body } = await download(info.url, cap, { authorization: `Bearer ${token}` });
    if (info.file_size !== undefined && body.length !== info.file_size) {
      throw permanent('corrupt', `${body.length} bytes, Meta announced ${info.file_size}`);
    }
    // The media endpoint's hash describes what it serves; the webhook's, only when it gave none.
    const expected = info.sha256 || media.sha256;
    if (expected && !sameSha256(expected, body)) {
      throw permanent('corrupt', 'the bytes do not match Meta’s SHA-256');
    }
    return body;
  }

  /** Fetches, checks and stores one attachment; answers our copy. */
  async function fetchAndStore(
    data: TenantData,
    message: StoredMessage,
    media: StoredMedia,
    source: MediaSource,
    channel: () => Promise<ChannelWithSecret>,
  ): Promise<{ key: string; mimeType: string; size: number }> {
    const body = await fetchBytes(data, message, media, channel);
    const sniffed = await sniffMedia(body, media.mimeType, media.filename);
    if (!inboundMediaRule(message.channel, message.type).accepts(sniffed)) {
      throw permanent(
        'corrupt',
        `a ${message.type} whose bytes are ${sniffed?.mimeType ?? 'not a known type'}`,
        body.length,
      );
    }
    const mimeType = storedMimeType(sniffed);
    const mediaId = stableId('med', data.tenantId, message.id, source.value);
    const key = mediaBlobKey(data.tenantId, mediaId, media.filename, mimeType);
    const fileName = key.slice(key.lastIndexOf('/') + 1);
    await deps.blobs.put(key, body, mimeType, {
      // Each key holds one file forever (its id is derived from the attachment).
      cacheControl: 'private, max-age=31536000, immutable',
      ...(isInlineType(mimeType)
        ? {}
        : { contentDisposition: `attachment; filename="${fileName}"` }),
    });
    return { key, mimeType, size: body.length };
  }

  async function handleMedia(job: MediaFetchJob, ctx: RecordContext): Promise<void> {
    const data = dataOf(job.tenantId);
    const messageKey: Key = data.messages.keyOf({
      customerId: job.customerId,
      timestamp: job.timestamp,
      id: job.messageId,
    });
    const message = await data.messages.get(messageKey);
    if (!message || message.deletedAt) return;
    // One fetch per attachment source: Instagram repeats the first attachment as `media`.
    const groups = new Map<
      string,
      { source: MediaSource; media: StoredMedia; slots: MediaSlot[] }
    >();
    for (const { slot, media } of pendingSlots(message)) {
      const source = sourceOf(message.channel, media);
      // Stored pending only with a source (media-jobs.ts: pendingMedia).
      if (!source) continue;
      const id = `${source.kind}:${source.value}`;
      const group = groups.get(id) ?? { source, media, slots: [] };
      group.slots.push(slot);
      groups.set(id, group);
    }
    let channel: Promise<ChannelWithSecret> | undefined;
    const channelOnce = () =>
      (channel ??= data.channels.getWithSecret(job.channelId).then((ch) => {
        if (!ch || ch.type !== job.channel) {
          throw permanent('unavailable', 'the channel was disconnected');
        }
        return ch;
      }));
    const final = ctx.receiveCount >= maxReceiveCount;
    const retries: Failure[] = [];
    for (const { source, media, slots } of groups.values()) {
      try {
        const ready = await fetchAndStore(data, message, media, source, channelOnce);
        for (const slot of slots) {
          await data.messages.markMediaReady(messageKey, slot, source, ready);
        }
        continue;
      } catch (err) {
        if (!(err instanceof FetchFailed)) throw err;
        const failure = err.failure;
        const log = { messageId: message.id, channel: message.channel, detail: failure.detail };
        if (failure.kind === 'transient' && !final) {
          ctx.log.info('attachment fetch will be retried', log);
          retries.push(failure);
          continue;
        }
        const reason = failure.kind === 'permanent' ? failure.reason : 'unavailable';
        ctx.log.warn('attachment could not be fetched', { ...log, reason });
        const size = failure.kind === 'permanent' ? failure.size : undefined;
        for (const slot of slots) {
          await data.messages.markMediaFailed(messageKey, slot, source, reason, size);
        }
      }
    }
    if (groups.size > retries.length) await emitMediaSettled(data, messageKey);
    if (retries.length > 0) throw retryLater(retries, ctx.receiveCount);
  }

  /** message.updated once attachments became ready (or failed); the id names their states. */
  async function emitMediaSettled(data: TenantData, messageKey: Key): Promise<void> {
    if (!deps.events) return;
    const message = await data.messages.get(messageKey);
    if (!message) return;
    const states = pendingStates(message);
    await emitMessageUpdated(deps.events, data.tenantId, message, { kind: 'media', ready: states });
  }

  function retryLater(failures: Failure[], receiveCount: number): RetryLaterError {
    const delay = Math.max(
      mediaBackoffSeconds(receiveCount, backoff),
      ...failures.map((f) => (f.kind === 'transient' ? (f.retryAfterSeconds ?? 0) : 0)),
    );
    return new RetryLaterError(
      failures
        .map((f) => f.detail)
        .join('; ')
        .slice(0, 500),
      Math.min(delay, 43_200),
    );
  }

  // ---------------------------------------------------------------- Instagram profiles

  async function rehostAvatar(data: TenantData, customerId: string, url: string): Promise<string> {
    const { body } = await download(url, AVATAR_MAX_BYTES);
    const sniffed = await sniffMedia(body);
    if (!sniffed || !isInlineType(sniffed.mimeType) || !sniffed.mimeType.startsWith('image/')) {
      throw permanent('corrupt', `a profile picture whose bytes are ${sniffed?.mimeType ?? '?'}`);
    }
    // Content-addressed: a new picture gets a new key.
    const mediaId = stableId('avt', data.tenantId, customerId, sha256Hex(body));
    const name = safeFileName(undefined, sniffed.mimeType).replace(/^file/, 'avatar');
    const key = mediaBlobKey(data.tenantId, mediaId, name, sniffed.mimeType);
    await deps.blobs.put(key, body, sniffed.mimeType, {
      cacheControl: 'private, max-age=31536000, immutable',
    });
    return key;
  }

  async function handleProfile(job: ProfileJob, ctx: RecordContext): Promise<void> {
    const data = dataOf(job.tenantId);
    const customer = await data.customers.get(job.customerId);
    if (!customer) return;
    const at = now();
    if (
      customer.profileRefreshedAt &&
      Date.parse(customer.profileRefreshedAt) > at.getTime() - PROFILE_FRESH_MS
    ) {
      return;
    }
    const final = ctx.receiveCount >= maxReceiveCount;
    const giveUp = async (failure: Failure) => {
      ctx.log.warn('instagram profile could not be read', {
        customerId: job.customerId,
        detail: failure.detail,
      });
      await data.customers.markProfileUnavailable(job.customerId, at.toISOString());
    };
    try {
      const channel = await data.channels.getWithSecret(job.channelId);
      if (!channel || channel.type !== 'instagram') {
        throw permanent('unavailable', 'the channel was disconnected');
      }
      const token = await tokenOf(data, channel);
      const profile = await deps.graph
        .getInstagramProfile(token, job.igsid)
        .catch((err: unknown) => {
          throw graphFailure(err, 'profile lookup');
        });
      let avatarKey = customer.avatarKey;
      if (profile.profile_pic) {
        try {
          avatarKey = await rehostAvatar(data, job.customerId, profile.profile_pic);
        } catch (err) {
          if (!(err instanceof FetchFailed) || err.failure.kind === 'transient') throw err;
          // A picture Meta no longer serves: keep the one we have.
          ctx.log.info('profile picture not re-hosted', { detail: err.failure.detail });
        }
      } else avatarKey = undefined;
      await data.customers.setProfile(
        job.customerId,
        {
          name: profile.name ?? undefined,
          username: profile.username ?? undefined,
          avatarKey,
        },
        at.toISOString(),
      );
      // Open screens show the sender as "Instagram user" until they hear the profile landed.
      const updated = deps.events && (await data.customers.get(job.customerId));
      if (deps.events && updated) {
        await emitContactUpdated(deps.events, data.tenantId, updated, 'profile');
      }
    } catch (err) {
      if (!(err instanceof FetchFailed)) throw err;
      if (err.failure.kind === 'transient' && !final) {
        throw retryLater([err.failure], ctx.receiveCount);
      }
      await giveUp(err.failure);
    }
  }

  async function handle(job: MediaJob, ctx: RecordContext): Promise<void> {
    // A suspended tenant's media is not fetched (its messages are not processed either).
    if (!(await tenantActive(job.tenantId))) {
      ctx.log.info('media job of an inactive tenant dropped', { tenantId: job.tenantId });
      return;
    }
    if (job.kind === 'media') return handleMedia(job, ctx);
    return handleProfile(job, ctx);
  }

  return sqsBatchHandler({
    schema: mediaJobSchema,
    bodyName: 'a media job',
    log: deps.log,
    failureLog: { level: 'warn', msg: 'media job failed' },
    delayRetry: deps.delayRetry,
    handle,
  });
}

/** Each attachment slot's status, in order: part of the media event's id. */
function pendingStates(message: StoredMessage): string {
  const slots = [message.media, ...(message.attachments ?? [])];
  return slots.map((m) => m?.status ?? '-').join(',');
}

import { touchFromMessage } from '../attribution/touches';
import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { RouteRepo, type RouteTarget } from '../channels/channel.repo';
import { conversationIdOf } from './conversation.repo';
import { customerIdOf, type ProfileState } from './customer.repo';
import type { MessageRef, StoredMessage } from './message.repo';
import { autoAssignChannelsOf } from '../assignment/auto-assign.repo';
import { autoAssignOpened } from '../assignment/auto-assign.service';
import {
  dbForTenant,
  tenantData,
  type TenantData,
  type TenantDbFactory,
} from '../../engine/data/tenant-data';
import { UnroutedRepo } from './unrouted.repo';
import { routeOf } from './inbound-routing';
import { stableId } from '../../engine/ids';
import type { Logger } from '../../engine/log';
import type { InboundEvent, Routing } from './meta/inbound-event';
import { normalizeEntry } from './meta/normalize';
import type { BlobStore } from '../../engine/ports/blobs';
import type { WorkspaceEvents } from '../../engine/ports/workspace-events';
import type { QueueSender, SqsBatchHandler } from '../../engine/ports/queue';
import { PoisonRecordError } from '../../engine/queue/consumer-errors';
import { sqsBatchHandler } from '../../engine/queue/sqs-batch';
import { previewOf } from './message-preview';
import {
  emitConversationUpdated,
  emitMessageCreated,
  emitMessageUpdated,
} from '../live/live-events';
import { applyParkedStatus } from './outbound-message.service';
import {
  applyInboundReply as applyCampaignReply,
  applyMessageStatus as applyCampaignStatus,
} from '../campaigns/campaign-runner';
import { incomingQueueMessageSchema, type IncomingQueueMessage } from './queue-message';
import type { OutboundDeps } from './outbound-deps';
import { applyConsentKeyword } from '../consent/keyword-consent.service';
import {
  hasPendingMedia,
  sendMediaJobs,
  withPendingMedia,
  type MediaJob,
} from './media/media-jobs';

/** An Instagram profile older than this is looked up again on the sender's next message. */
export const PROFILE_STALE_MS = 7 * 24 * 3600_000;
/** A profile look-up claimed but never finished (its job lost) may be claimed again after this. */
export const PROFILE_CLAIM_MS = 3600_000;

export type MessageProcessorDeps = {
  db: Db;
  /** A tenant's partitions on tenant-scoped credentials (deployed); absent, `db` serves them. */
  tenantDb?: TenantDbFactory;
  /** Where the receiver archived raw bodies: entries too large for a queue message are read from it. */
  archive: BlobStore;
  /**
   * MediaQueue: one job per message with attachments to fetch, one per Instagram sender whose
   * profile is missing or stale (media/media-jobs.ts). Sent after the message is stored: a failed
   * send fails the record, whose retry stores nothing twice and sends the jobs again.
   */
  mediaQueue: QueueSender;
  /** Workspace events once a message or status is stored (live screens, integrators). */
  events: WorkspaceEvents;
  log: Logger;
  /**
   * The send path for replies the processor makes itself (a consent keyword's confirmation,
   * modules/consent/); absent, none is sent.
   */
  outbound?: OutboundDeps;
  /** How long a tenant's active/suspended status is trusted in memory (0 disables the cache). */
  cacheTtlMs?: number;
  now?: () => number;
};

/** `autoAssign`: the channel has auto-assignment on (modules/assignment/). */
type Resolved =
  { target: RouteTarget; data: TenantData; autoAssign: boolean } | { unrouted: string };

/** What one record's events leave to send once they are all stored. */
type RecordJobs = {
  jobs: MediaJob[];
  /** Profile claims won by this record, given back if its jobs cannot be sent. */
  claims: { data: TenantData; customerId: string; at: string }[];
};

function mediaJobOf(tenantId: string, message: StoredMessage): MediaJob {
  return {
    v: 1,
    kind: 'media',
    tenantId,
    channelId: message.channelId,
    channel: message.channel,
    customerId: message.customerId,
    timestamp: message.timestamp,
    messageId: message.id,
  };
}

/**
 * The MessageProcessor: a batch consumer with partial batch failures (engine/queue/sqs-batch.ts).
 * Every step is idempotent and order-tolerant (conditional puts, monotonic updates), so SQS
 * redelivery and Meta's retries are safe and no transaction is needed. A body that is not a queue
 * message, or an entry that cannot be normalized, is a PoisonRecordError: reported like any
 * failure, it reaches the DLQ after maxReceiveCount receives.
 */
export function createMessageProcessor(deps: MessageProcessorDeps): SqsBatchHandler {
  const { db } = deps;
  const now = deps.now ?? Date.now;
  const ttl = deps.cacheTtlMs ?? 10_000;
  const routes = new RouteRepo(db);
  const unrouted = new UnroutedRepo(db);
  // Routes are never cached: a number disconnected from one tenant and connected to another must
  // not deliver a single message to the old tenant (one strongly consistent read per entry).
  // The tenant item gives its status and the channels with auto-assignment on, in one read.
  type TenantState = { active: boolean; autoAssign: ReadonlySet<string> };
  const stateCache = new Map<string, { state: TenantState; until: number }>();

  async function tenantState(tenantId: string): Promise<TenantState> {
    const cached = stateCache.get(tenantId);
    if (cached && cached.until > now()) return cached.state;
    const tenant = await db.get(keys.tenant(tenantId));
    const state = { active: tenant?.status === 'active', autoAssign: autoAssignChannelsOf(tenant) };
    if (ttl > 0) stateCache.set(tenantId, { state, until: now() + ttl });
    return state;
  }

  async function resolve(routing: Routing): Promise<Resolved> {
    const target = await routeOf(routes, routing);
    if ('unrouted' in target) return target;
    const state = await tenantState(target.tenantId);
    if (!state.active) return { unrouted: 'tenant_suspended' };
    return {
      target,
      autoAssign: state.autoAssign.has(target.channelId),
      data: tenantData(
        dbForTenant(deps, target.tenantId),
        { tenantId: target.tenantId, actor: { kind: 'system', reason: 'inbound-webhook' } },
        db,
      ),
    };
  }

  async function applyStatusOrPark(
    data: TenantData,
    event: Extract<InboundEvent, { kind: 'status' }>,
  ): Promise<void> {
    const channel = event.routing.channel;
    const ref = await data.messages.findRef(channel, event.channelMessageId);
    if (ref) {
      const moved = await data.messages.applyStatus(
        ref,
        event.status,
        event.timestamp,
        event.errors,
      );
      await emitStatus(data, ref, event.status, moved);
      return;
    }
    // The message is not stored yet (Meta does not promise order): park the status, then look
    // again, so that either this writer or the message's writer sees the other.
    await data.messages.parkStatus(
      channel,
      event.channelMessageId,
      event.status,
      event.timestamp,
      event.errors,
    );
    const late = await data.messages.findRef(channel, event.channelMessageId);
    if (late) {
      const moved = await data.messages.applyStatus(
        late,
        event.status,
        event.timestamp,
        event.errors,
      );
      await emitStatus(data, late, event.status, moved);
    }
  }

  /**
   * message.updated for a status tick: the message as it now stands. A redelivered status (the
   * message already has it) emits again with the same event id; one overtaken by a later status
   * emits nothing, since nothing changed.
   */
  async function emitStatus(
    data: TenantData,
    ref: MessageRef,
    status: string,
    moved: StoredMessage | undefined,
  ): Promise<void> {
    const message = moved ?? (await data.messages.get(ref.key));
    if (!message || message.status !== status) return;
    await emitMessageUpdated(deps.events, data.tenantId, message, { kind: 'status', status });
  }

  async function applyMessage(
    data: TenantData,
    channelId: string,
    event: Extract<InboundEvent, { kind: 'message' }>,
    out: RecordJobs,
    replay: boolean,
    autoAssign: boolean,
  ): Promise<void> {
    const { message, customer, routing } = event;
    const channel = routing.channel;
    const existing = await data.messages.findRef(channel, message.channelMessageId);
    const identity = { channel, externalId: customer.externalId };
    // A merged customer is a pointer (modules/contacts/): its new messages land on the customer it
    // was merged into. Inbound, the customer write answers the pointer (no extra request); an
    // echo of our own message reads it.
    let mergedInto: string | undefined;
    if (message.direction === 'inbound') {
      const seen = await data.customers.recordInbound(
        identity,
        { name: customer.name, phone: customer.phone },
        message.timestamp,
      );
      mergedInto = seen.mergedInto;
      if (channel === 'instagram') {
        await claimProfile(data, channelId, seen.id, customer.externalId, seen.profile, out);
      }
    } else if (!existing) {
      mergedInto = (await data.customers.get(customerIdOf(identity)))?.mergedInto;
    }
    const customerId = existing?.customerId ?? mergedInto ?? customerIdOf(identity);
    // The conversation stays the identity's own: a merge moved it to the contact, so new
    // messages continue it rather than open a second one on the same channel.
    const conversationId =
      existing?.conversationId ?? conversationIdOf(channelId, customerIdOf(identity));
    const messageId = stableId('msg', channel, message.channelMessageId);
    let ref = existing;
    let stored: StoredMessage | undefined;
    if (!ref) {
      // Attachments are stored pending (Instagram's CDN URL only as the internal sourceUrl) and
      // fetched by the MediaFetcher, off this path.
      const { media, attachments, pending } = withPendingMedia(channel, message);
      stored = {
        ...message,
        media,
        attachments,
        id: messageId,
        customerId,
        conversationId,
        channel,
        channelId,
        status: message.direction === 'inbound' ? 'received' : 'sent',
        createdAt: new Date(now()).toISOString(),
      };
      ref = (await data.messages.storeOnce(stored)).ref;
      if (pending) out.jobs.push(mediaJobOf(data.tenantId, stored));
    } else {
      // A redelivery: the first attempt may have stored the message and failed before its job was
      // sent, so a message still pending gets its job again (the fetcher does nothing twice).
      const previous = await data.messages.get(ref.key);
      if (previous && !previous.deletedAt && hasPendingMedia(previous)) {
        out.jobs.push(mediaJobOf(data.tenantId, previous));
      }
    }
    // Re-applied on redelivery as well: the summary update is idempotent, and this heals a crash
    // that happened after the message was stored but before the summary was. Not on a replay of a
    // stored message: its newest inbound message would reopen a conversation closed since.
    if (replay && existing) return;
    // Auto-assignment needs the conversation as it was (new? closed?): read on its channels only.
    const assigning = autoAssign && message.direction === 'inbound';
    const before = assigning ? await data.autoAssign.openingState(conversationId) : undefined;
    await data.conversations.applyMessage({
      conversationId,
      customerId,
      channel,
      channelId,
      messageId,
      timestamp: message.timestamp,
      preview: previewOf(message),
      direction: message.direction,
    });
    if (assigning) {
      await autoAssignOpened({ db, events: deps.events, now }, data, {
        channelId,
        conversationId,
        messageId,
        timestamp: message.timestamp,
        before,
      });
    }
    // On redelivery too: a crash between the store and this line must not strand a status that
    // arrived before the echo (statuses only move forward, so applying it twice is harmless).
    if (message.direction === 'outbound') {
      await applyParkedStatus(data, { channel, channelMessageId: message.channelMessageId }, ref);
    }
    // After every write above, and on a redelivery too (same event ids): open screens show it.
    const shown =
      message.direction === 'inbound' && stored ? stored : await data.messages.get(ref.key);
    if (shown) await emitMessageCreated(deps.events, data.tenantId, shown);
    await emitConversationUpdated(deps.events, data, conversationId, 'message', messageId);
    // An ad, post or story that brought the customer (modules/attribution/): on redelivery too,
    // recorded once per message.
    if (message.direction === 'inbound') {
      const touch = touchFromMessage({ channel, message, messageId, conversationId });
      if (touch) await data.attribution.record(touch, { contactId: customerId });
    }
    // A reply to a campaign marks its recipient `replied` (modules/campaigns/), on redelivery too.
    if (message.direction === 'inbound' && channel === 'whatsapp') {
      await applyCampaignReply(
        data,
        channelId,
        customer.externalId,
        message.timestamp,
        deps.events,
      );
    }
    // STOP / START (modules/consent/): after the message is in the inbox, on redelivery too
    // (recorded and replied to once per message).
    if (message.direction === 'inbound') {
      await applyConsentKeyword(deps, data, {
        channel,
        messageId,
        conversationId,
        from: customer.externalId,
        message,
      });
    }
  }

  /**
   * A new Instagram sender (or one whose profile is stale) gets one profile job: the claim on the
   * customer item lets exactly one message of a burst send it. Read from the customer write, so a
   * fresh profile costs nothing more.
   */
  async function claimProfile(
    data: TenantData,
    channelId: string,
    customerId: string,
    igsid: string,
    profile: ProfileState | undefined,
    out: RecordJobs,
  ): Promise<void> {
    if (!profile) return;
    const at = now();
    const fresh = profile.refreshedAt && Date.parse(profile.refreshedAt) > at - PROFILE_STALE_MS;
    const claimed = profile.requestedAt && Date.parse(profile.requestedAt) > at - PROFILE_CLAIM_MS;
    if (fresh || claimed) return;
    const atIso = new Date(at).toISOString();
    const won = await data.customers.claimProfileRefresh(
      customerId,
      atIso,
      new Date(at - PROFILE_STALE_MS).toISOString(),
      new Date(at - PROFILE_CLAIM_MS).toISOString(),
    );
    if (!won) return;
    out.jobs.push({ v: 1, kind: 'profile', tenantId: data.tenantId, channelId, customerId, igsid });
    out.claims.push({ data, customerId, at: atIso });
  }

  async function applyEvent(
    data: TenantData,
    channelId: string,
    event: InboundEvent,
    log: Logger,
    out: RecordJobs,
    replay: boolean,
    autoAssign = false,
  ): Promise<void> {
    switch (event.kind) {
      case 'message':
        return applyMessage(data, channelId, event, out, replay, autoAssign);
      case 'status':
        await applyStatusOrPark(data, event);
        // A campaign's recipient follows its message (modules/campaigns/): forward only.
        return applyCampaignStatus(
          data,
          event.channelMessageId,
          event.status,
          event.timestamp,
          event.errors,
          deps.events,
        );
      case 'unsend': {
        const ref = await data.messages.findRef(event.routing.channel, event.channelMessageId);
        if (!ref) return;
        await data.messages.markDeleted(ref, event.timestamp);
        const unsent = await data.messages.get(ref.key);
        if (unsent)
          await emitMessageUpdated(deps.events, data.tenantId, unsent, { kind: 'deleted' });
        return;
      }
      case 'ignored':
        log.debug('webhook event ignored', { reason: event.reason });
        return;
    }
  }

  async function entryOf(body: IncomingQueueMessage): Promise<unknown> {
    if (body.entryIndex === undefined) return body.entry;
    const raw = body.rawRef ? await deps.archive.get(body.rawRef) : undefined;
    if (!raw) throw new Error(`archived body ${body.rawRef} is missing`);
    const envelope = JSON.parse(Buffer.from(raw.body).toString('utf8')) as { entry?: unknown[] };
    return envelope.entry?.[body.entryIndex];
  }

  async function processRecord(
    messageId: string,
    body: IncomingQueueMessage,
    log: Logger,
  ): Promise<void> {
    const entry = await entryOf(body);
    const out: RecordJobs = { jobs: [], claims: [] };
    let events: InboundEvent[];
    try {
      events = normalizeEntry(body.object, entry);
    } catch (err) {
      throw new PoisonRecordError(
        `record ${messageId} is not a processable entry: ${(err as Error).message}`,
      );
    }
    const byRouting = new Map<string, { routing: Routing; events: InboundEvent[] }>();
    for (const event of events) {
      if (!('routing' in event) || !event.routing) continue;
      const routingKey = JSON.stringify(event.routing);
      const group = byRouting.get(routingKey) ?? { routing: event.routing, events: [] };
      group.events.push(event);
      byRouting.set(routingKey, group);
    }
    for (const { routing, events: group } of byRouting.values()) {
      const resolved = await resolve(routing);
      // A replay touches its own tenant only: another tenant's entry, or one no longer routed,
      // is skipped (it was handled, or kept as unrouted, when it first arrived).
      if (body.replay) {
        if ('unrouted' in resolved || resolved.target.tenantId !== body.replay.tenantId) continue;
      }
      if ('unrouted' in resolved) {
        await unrouted.record({
          object: body.object,
          reason: resolved.unrouted,
          routingKeys: routingKeysOf(routing),
          entry,
          receivedAt: body.receivedAt,
        });
        log.warn('webhook entry matched no active tenant', {
          reason: resolved.unrouted,
          ...routingKeysOf(routing),
        });
        continue;
      }
      for (const event of group) {
        await applyEvent(
          resolved.data,
          resolved.target.channelId,
          event,
          log,
          out,
          !!body.replay,
          resolved.autoAssign,
        );
      }
    }
    await sendJobs(out);
  }

  /** After every message of the record is stored: a failure fails the record (and frees claims). */
  async function sendJobs({ jobs, claims }: RecordJobs): Promise<void> {
    if (jobs.length === 0) return;
    try {
      await sendMediaJobs(deps.mediaQueue, jobs);
    } catch (err) {
      await Promise.allSettled(
        claims.map((c) => c.data.customers.releaseProfileClaim(c.customerId, c.at)),
      );
      throw err;
    }
  }

  return sqsBatchHandler({
    schema: incomingQueueMessageSchema,
    bodyName: 'a queue message',
    log: deps.log,
    failureLog: { level: 'error', msg: 'webhook entry failed' },
    handle: (body, { record, log }) => processRecord(record.messageId, body, log),
  });
}

function routingKeysOf(routing: Routing): Record<string, string> {
  return routing.channel === 'whatsapp'
    ? { channel: 'whatsapp', phoneNumberId: routing.phoneNumberId, wabaId: routing.wabaId }
    : { channel: 'instagram', accountId: routing.accountId };
}

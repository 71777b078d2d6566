import type {
  MediaFailureReason,
  OutboundInteractive,
  SentTemplate,
  StoredMessageStatus,
} from '@switchboard/contracts';
import type { Channel, MessageStatus, MetaError, NormalizedMessage } from './meta/inbound-event';
import type { Db, Item, Key } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import type { StoredMedia } from './media/media-keys';

/** Inbound messages are `received`; outbound ones move pending → sent → delivered → read (or failed). */
export type StoredStatus = StoredMessageStatus;

export type StoredMessage = Omit<NormalizedMessage, 'media' | 'attachments'> & {
  /** With the internal `key` and `sourceUrl` (media/media-keys.ts); media-view.ts shows it. */
  media?: StoredMedia;
  attachments?: StoredMedia[];
  id: string;
  customerId: string;
  conversationId: string;
  channel: Channel;
  channelId: string;
  status: StoredStatus;
  statusAt?: string;
  deletedAt?: string;
  createdAt: string;
};

export type MessageRef = { key: Key; customerId: string; conversationId: string };

/** An outbound message before Meta gave it an id; `sentBy` says who sent it. */
export type OutboundDraft = Omit<StoredMessage, 'channelMessageId'> & {
  channelMessageId?: string;
  sentBy?: { kind: 'user'; userId: string } | { kind: 'apiKey'; keyId: string };
  /** Our id of the quoted message (`context.messageId` holds Meta's). */
  replyTo?: string;
  /** Templates: what was sent (body, header and button parameters). */
  template?: SentTemplate;
  /** Interactive messages: the buttons or list that were sent. */
  outboundInteractive?: OutboundInteractive;
};

// Forward only: sent < delivered < read; failed outranks all, so it is terminal and keeps its error.
const statusRank: Record<StoredStatus, number> = {
  received: 0,
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 4,
};

const metaFields = ['PK', 'SK', 'entity', 'statusRank'] as const;

function toMessage(item: Item): StoredMessage {
  const out: Item = { ...item };
  for (const field of metaFields) delete out[field];
  return out as StoredMessage;
}

export class MessageRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  keyOf(message: Pick<StoredMessage, 'customerId' | 'timestamp' | 'id'>): Key {
    return keys.message(this.tenantId, message.customerId, message.timestamp, message.id);
  }

  async findRef(channel: Channel, channelMessageId: string): Promise<MessageRef | undefined> {
    const item = await this.db.get(keys.messageRef(this.tenantId, channel, channelMessageId));
    if (!item) return undefined;
    return {
      key: { PK: item.messagePk, SK: item.messageSk },
      customerId: item.customerId,
      conversationId: item.conversationId,
    };
  }

  /**
   * Stores the message once (conditional put on its deterministic key), then its channel-id ref.
   * Both steps are idempotent, so a crash between them is healed by Meta's or the queue's redelivery.
   */
  async storeOnce(message: StoredMessage): Promise<{ created: boolean; ref: MessageRef }> {
    const key = this.keyOf(message);
    const created = await this.db.put(
      { ...key, ...message, statusRank: statusRank[message.status], entity: 'Message' },
      { ifNotExists: true },
    );
    const ref: MessageRef = {
      key,
      customerId: message.customerId,
      conversationId: message.conversationId,
    };
    await this.putRef(message.channel, message.channelMessageId, ref);
    return { created, ref };
  }

  async putRef(channel: Channel, channelMessageId: string, ref: MessageRef): Promise<void> {
    await this.db.put({
      ...keys.messageRef(this.tenantId, channel, channelMessageId),
      messagePk: ref.key.PK,
      messageSk: ref.key.SK,
      customerId: ref.customerId,
      conversationId: ref.conversationId,
      entity: 'MessageRef',
    });
  }

  /** Applies a status only when it moves the message forward. Returns the updated message, or undefined. */
  async applyStatus(
    ref: MessageRef,
    status: Exclude<MessageStatus, 'pending'>,
    at: string,
    errors?: MetaError[],
  ): Promise<StoredMessage | undefined> {
    const item = await this.db.update(
      ref.key,
      {
        set: `#status = :status, statusRank = :rank, statusAt = :at${errors ? ', errors = :errors' : ''}`,
      },
      {
        condition: 'attribute_exists(PK) AND statusRank < :rank',
        names: { '#status': 'status' },
        values: {
          ':status': status,
          ':rank': statusRank[status],
          ':at': at,
          ...(errors ? { ':errors': errors } : {}),
        },
      },
    );
    return item ? toMessage(item) : undefined;
  }

  /** Keeps a status whose message is not stored yet; only the furthest status is kept. */
  async parkStatus(
    channel: Channel,
    channelMessageId: string,
    status: Exclude<MessageStatus, 'pending'>,
    at: string,
    errors?: MetaError[],
  ): Promise<void> {
    await this.db.put(
      {
        ...keys.parkedStatus(this.tenantId, channel, channelMessageId),
        status,
        statusRank: statusRank[status],
        at,
        errors,
        entity: 'ParkedStatus',
      },
      {
        condition: 'attribute_not_exists(PK) OR statusRank < :rank',
        values: { ':rank': statusRank[status] },
      },
    );
  }

  async getParkedStatus(
    channel: Channel,
    channelMessageId: string,
  ): Promise<
    { status: Exclude<MessageStatus, 'pending'>; at: string; errors?: MetaError[] } | undefined
  > {
    const item = await this.db.get(keys.parkedStatus(this.tenantId, channel, channelMessageId));
    return item ? { status: item.status, at: item.at, errors: item.errors } : undefined;
  }

  async markDeleted(ref: MessageRef, at: string): Promise<void> {
    await this.db.update(
      ref.key,
      { set: 'deletedAt = :at', remove: '#text, media, attachments' },
      { condition: 'attribute_exists(PK)', names: { '#text': 'text' }, values: { ':at': at } },
    );
  }

  // ---- inbound attachments: pending → ready (our copy stored) or failed, never back

  /**
   * Marks one attachment ready with our copy's blob key, real type and size. `slot` is `media` or
   * an index into `attachments`; `source` names the attachment (its Meta media id, or its CDN URL)
   * so a result is never written onto another one. Idempotent; a ready attachment stays as it is.
   */
  async markMediaReady(
    key: Key,
    slot: MediaSlot,
    source: MediaSource,
    ready: { key: string; mimeType: string; size: number },
  ): Promise<boolean> {
    const path = slotPath(slot);
    const item = await this.db.update(
      key,
      {
        set: `${path}.#st = :ready, ${path}.#key = :key, ${path}.mimeType = :mime, ${path}.#size = :size`,
        remove: `${path}.failureReason`,
      },
      {
        condition: `attribute_exists(${path}) AND ${path}.#srcAttr = :src AND ${path}.#st <> :ready`,
        names: {
          ...slotNames(slot),
          '#srcAttr': source.kind,
          '#st': 'status',
          '#key': 'key',
          '#size': 'size',
        },
        values: {
          ':ready': 'ready',
          ':key': ready.key,
          ':mime': ready.mimeType,
          ':size': ready.size,
          ':src': source.value,
        },
      },
    );
    return item !== undefined;
  }

  /** Marks one pending attachment failed (terminal): a ready one is never regressed. */
  async markMediaFailed(
    key: Key,
    slot: MediaSlot,
    source: MediaSource,
    reason: MediaFailureReason,
    size?: number,
  ): Promise<boolean> {
    const path = slotPath(slot);
    const item = await this.db.update(
      key,
      {
        set: `${path}.#st = :failed, ${path}.failureReason = :reason${size !== undefined ? `, ${path}.#size = :size` : ''}`,
      },
      {
        condition: `attribute_exists(${path}) AND ${path}.#srcAttr = :src AND ${path}.#st = :pending`,
        names: {
          ...slotNames(slot),
          '#srcAttr': source.kind,
          '#st': 'status',
          ...(size !== undefined ? { '#size': 'size' } : {}),
        },
        values: {
          ':failed': 'failed',
          ':pending': 'pending',
          ':reason': reason,
          ':src': source.value,
          ...(size !== undefined ? { ':size': size } : {}),
        },
      },
    );
    return item !== undefined;
  }

  async get(key: Key): Promise<StoredMessage | undefined> {
    const item = await this.db.get(key);
    return item ? toMessage(item) : undefined;
  }

  /**
   * A conversation's messages, newest first, paginated by the message sort key. They sit in its
   * contact's partition and, for a conversation moved by a merge, in the partitions of the
   * contacts it belonged to before (one Query loop each, merged in sort-key order).
   */
  async listForConversation(
    conversation: {
      id: string;
      customerId: string;
      channelId: string;
      formerCustomerIds?: string[];
    },
    limit: number,
    before?: string,
  ): Promise<{ items: StoredMessage[]; nextBefore?: string }> {
    const partitions = [conversation.customerId, ...(conversation.formerCustomerIds ?? [])];
    const found = await Promise.all(
      partitions.map((customerId) =>
        this.conversationPage(customerId, conversation, limit, before),
      ),
    );
    const items =
      found.length === 1
        ? found[0]!
        : found.flat().sort((a, b) => this.keyOf(b).SK.localeCompare(this.keyOf(a).SK));
    const pageItems = items.slice(0, limit);
    const last = pageItems[pageItems.length - 1];
    return {
      items: pageItems,
      nextBefore: items.length > limit && last ? this.keyOf(last).SK : undefined,
    };
  }

  /** Up to `limit + 1` of one partition's messages of a conversation, newest first. */
  private async conversationPage(
    customerId: string,
    conversation: { id: string; channelId: string },
    limit: number,
    before?: string,
  ): Promise<StoredMessage[]> {
    const items: StoredMessage[] = [];
    let startKey: Item | undefined;
    const pk = keys.messagePk(this.tenantId, customerId);
    // The filter drops the customer's other conversations (other channels, or a conversation a
    // merge moved here); loop until the page is full.
    do {
      const page = await this.db.query({
        pk,
        sk: before ? { between: ['MSG#', before] } : { beginsWith: 'MSG#' },
        newestFirst: true,
        limit: limit + 1,
        startKey,
        filter: {
          expression: 'channelId = :ch AND conversationId = :cv',
          values: { ':ch': conversation.channelId, ':cv': conversation.id },
        },
      });
      for (const item of page.items) {
        if (item.SK === before) continue;
        items.push(toMessage(item));
      }
      startKey = page.lastKey;
    } while (startKey && items.length <= limit);
    return items.slice(0, limit + 1);
  }

  // ---- outbound: stored pending before Meta is called, then given Meta's id or marked failed

  /** Stores an outbound message before it is sent (no channel id yet, so no ref). Idempotent. */
  async putPending(message: OutboundDraft): Promise<MessageRef> {
    const key = this.keyOf(message);
    await this.db.put(
      { ...key, ...message, statusRank: statusRank[message.status], entity: 'Message' },
      { ifNotExists: true },
    );
    return { key, customerId: message.customerId, conversationId: message.conversationId };
  }

  /** Records Meta's id on a sent message and writes its ref, so status webhooks find it. */
  async markAccepted(
    ref: MessageRef,
    channel: Channel,
    channelMessageId: string,
    at: string,
  ): Promise<StoredMessage | undefined> {
    const item = await this.db.update(
      ref.key,
      { set: 'channelMessageId = :cmid, acceptedAt = :at' },
      { condition: 'attribute_exists(PK)', values: { ':cmid': channelMessageId, ':at': at } },
    );
    await this.putRef(channel, channelMessageId, ref);
    return item ? toMessage(item) : undefined;
  }

  /** Marks a send that Meta (or the network) refused: terminal, with Meta's error and our API code. */
  async markSendFailed(
    ref: MessageRef,
    at: string,
    errors: MetaError[],
    failure: { code: string; message: string },
  ): Promise<StoredMessage | undefined> {
    const item = await this.db.update(
      ref.key,
      {
        set: '#status = :status, statusRank = :rank, statusAt = :at, errors = :errors, failure = :failure',
      },
      {
        condition: 'attribute_exists(PK) AND statusRank < :rank',
        names: { '#status': 'status' },
        values: {
          ':status': 'failed',
          ':rank': statusRank.failed,
          ':at': at,
          ':errors': errors,
          ':failure': failure,
        },
      },
    );
    return item ? toMessage(item) : undefined;
  }

  /**
   * Finds one of a customer's messages by our id, newest first. Bounded: replies are almost always
   * to recent messages, so at most `maxScanned` items are read.
   */
  async findByIdForCustomer(
    customerId: string,
    messageId: string,
    maxScanned = 2_000,
  ): Promise<StoredMessage | undefined> {
    let startKey: Item | undefined;
    let scanned = 0;
    do {
      const page = await this.db.query({
        pk: keys.messagePk(this.tenantId, customerId),
        sk: { beginsWith: 'MSG#' },
        newestFirst: true,
        limit: 200,
        startKey,
        filter: { expression: '#id = :id', names: { '#id': 'id' }, values: { ':id': messageId } },
      });
      const found = page.items[0];
      if (found) return toMessage(found);
      scanned += 200;
      startKey = page.lastKey;
    } while (startKey && scanned < maxScanned);
    return undefined;
  }

  /** A customer's timeline across channels, newest first, paginated by the message sort key. */
  async listForCustomer(
    customerId: string,
    limit: number,
    before?: string,
  ): Promise<{ items: StoredMessage[]; nextBefore?: string }> {
    const page = await this.db.query({
      pk: keys.messagePk(this.tenantId, customerId),
      sk: before ? { lt: before } : { beginsWith: 'MSG#' },
      newestFirst: true,
      limit,
    });
    const items = page.items.filter((item) => String(item.SK).startsWith('MSG#')).map(toMessage);
    const last = items[items.length - 1];
    return { items, nextBefore: page.lastKey && last ? this.keyOf(last).SK : undefined };
  }
}

/** Which attachment of a message: its `media`, or one of its `attachments`. */
export type MediaSlot = 'media' | { attachment: number };
/** What identifies an attachment: Meta's media id (WhatsApp) or the CDN URL it came from (Instagram). */
export type MediaSource = { kind: 'id' | 'sourceUrl'; value: string };

function slotPath(slot: MediaSlot): string {
  if (slot === 'media') return '#m';
  if (!Number.isInteger(slot.attachment) || slot.attachment < 0) throw new Error('bad media slot');
  return `#atts[${slot.attachment}]`;
}

function slotNames(slot: MediaSlot): Record<string, string> {
  return slot === 'media' ? { '#m': 'media' } : { '#atts': 'attachments' };
}

import type { Channel } from '../meta/inbound-event';
import { stableId } from '../ids';
import type { Db, Item } from './dynamo';
import { keys } from './keys';

export type ConversationStatus = 'open' | 'closed';

export type Conversation = {
  id: string;
  customerId: string;
  channel: Channel;
  channelId: string;
  status: ConversationStatus;
  lastMessageAt: string;
  lastMessagePreview?: string;
  lastMessageDirection?: 'inbound' | 'outbound';
  lastInboundAt?: string;
  unreadCount: number;
  createdAt: string;
};

export type MessageSummary = {
  conversationId: string;
  customerId: string;
  channel: Channel;
  channelId: string;
  messageId: string;
  timestamp: string;
  preview?: string;
  direction: 'inbound' | 'outbound';
};

/** One conversation per customer and channel; the id is derived so every writer agrees on it. */
export function conversationIdOf(channelId: string, customerId: string): string {
  return stableId('cv', channelId, customerId);
}

function toConversation(item: Item): Conversation {
  const unread = item.unreadIds as Set<string> | undefined;
  return {
    id: item.id,
    customerId: item.customerId,
    channel: item.channel,
    channelId: item.channelId,
    status: item.status ?? 'open',
    lastMessageAt: item.lastMessageAt,
    lastMessagePreview: item.lastMessagePreview,
    lastMessageDirection: item.lastMessageDirection,
    lastInboundAt: item.lastInboundAt,
    unreadCount: unread ? unread.size : 0,
    createdAt: item.createdAt,
  };
}

export class ConversationRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /**
   * Folds a message into the summary without a read and without a transaction:
   * - unread messages are a string set keyed by message id, so ADD is idempotent under redelivery;
   * - the preview and inbox position move only forward in time, so late arrivals cannot rewind them.
   */
  async applyMessage(m: MessageSummary): Promise<void> {
    const key = keys.conversation(this.tenantId, m.conversationId);
    const identity =
      '#id = if_not_exists(#id, :id), customerId = :cust, channel = :channel, channelId = :chid, ' +
      '#status = if_not_exists(#status, :open), createdAt = if_not_exists(createdAt, :ts), entity = :entity, ' +
      'GSI1PK = :inbox';
    const baseValues = {
      ':id': m.conversationId,
      ':cust': m.customerId,
      ':channel': m.channel,
      ':chid': m.channelId,
      ':open': 'open',
      ':ts': m.timestamp,
      ':entity': 'Conversation',
      ':inbox': keys.inboxPk(this.tenantId),
    };
    const names = { '#id': 'id', '#status': 'status' };
    const inbound = m.direction === 'inbound';
    const unreadValues = inbound ? { ':unread': new Set([m.messageId]) } : {};
    // Most messages arrive in order: one conditional write does everything.
    const newest = await this.db.update(
      key,
      {
        set:
          `${identity}, lastMessageAt = :ts, lastMessagePreview = :preview, lastMessageDirection = :dir, ` +
          `GSI1SK = :gsk${inbound ? ', lastInboundAt = :ts' : ''}`,
        add: inbound ? 'unreadIds :unread' : undefined,
      },
      {
        condition: `(attribute_not_exists(lastMessageAt) OR lastMessageAt <= :ts)${inbound ? ' AND (attribute_not_exists(lastReadAt) OR lastReadAt < :ts)' : ''}`,
        names,
        values: {
          ...baseValues,
          ...unreadValues,
          ':preview': m.preview ?? '',
          ':dir': m.direction,
          ':gsk': `${m.timestamp}#${m.conversationId}`,
        },
      },
    );
    // An older outbound message changes nothing in the summary.
    if (newest || !inbound) return;
    // An older inbound message (or one already read): count it unread only if it came after the last read.
    await this.db.update(
      key,
      { set: identity, add: 'unreadIds :unread' },
      {
        condition: 'attribute_not_exists(lastReadAt) OR lastReadAt < :ts',
        names,
        values: { ...baseValues, ...unreadValues },
      },
    );
    await this.db.update(
      key,
      { set: 'lastInboundAt = :ts' },
      {
        condition: 'attribute_not_exists(lastInboundAt) OR lastInboundAt < :ts',
        values: { ':ts': m.timestamp },
      },
    );
  }

  async get(conversationId: string): Promise<Conversation | undefined> {
    const item = await this.db.get(keys.conversation(this.tenantId, conversationId));
    return item ? toConversation(item) : undefined;
  }

  /** The inbox, newest first, one GSI query per page whatever the tenant's size. */
  async listInbox(
    limit: number,
    startKey?: Item,
    filter?: { channel?: Channel; status?: ConversationStatus; unread?: boolean },
  ): Promise<{ items: Conversation[]; lastKey?: Item }> {
    const clauses: string[] = [];
    const values: Record<string, string> = {};
    const names: Record<string, string> = {};
    if (filter?.channel) {
      clauses.push('channel = :fchannel');
      values[':fchannel'] = filter.channel;
    }
    if (filter?.status) {
      clauses.push('#fstatus = :fstatus');
      names['#fstatus'] = 'status';
      values[':fstatus'] = filter.status;
    }
    if (filter?.unread) clauses.push('attribute_exists(unreadIds)');
    const page = await this.db.query({
      pk: keys.inboxPk(this.tenantId),
      index: 'GSI1',
      newestFirst: true,
      limit,
      startKey,
      filter: clauses.length ? { expression: clauses.join(' AND '), names, values } : undefined,
    });
    return { items: page.items.map(toConversation), lastKey: page.lastKey };
  }
}

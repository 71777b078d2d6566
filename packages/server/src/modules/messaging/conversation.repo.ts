import type { Channel } from './meta/inbound-event';
import { stableId } from '../../engine/ids';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

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
  lastReadAt?: string;
  assigneeId?: string;
  assignedAt?: string;
  closedAt?: string;
  createdAt: string;
  /** Label ids, a string set on the item (modules/workspace/conversation-labels.repo.ts). */
  labelIds?: string[];
  /** A snooze in effect (modules/assignment/snooze.repo.ts); an ended one is left out. */
  snooze?: ConversationSnooze;
  /**
   * Contacts merged into `customerId` whose message partitions hold this conversation's earlier
   * messages (modules/contacts/): the thread reads them too. Internal, never in a view.
   */
  formerCustomerIds?: string[];
};

export type ConversationSnooze = {
  until?: string;
  untilReply: boolean;
  snoozedAt: string;
  snoozedBy?: string;
};

/**
 * The snooze attributes of a conversation item, removed together: by an unsnooze, a close or reopen,
 * and by the customer's next message (in the summary update itself, so waking costs no request).
 */
export const snoozeAttributes = 'snoozedAt, snoozedUntil, snoozeUntilReply, snoozedBy';

/**
 * Whether a stored snooze is in effect at `nowIso`: computed when read, so a snooze whose time has
 * passed simply stops applying (no timer, nothing to write when it wakes).
 */
export function snoozeInEffect(item: Item, nowIso: string): ConversationSnooze | undefined {
  if (typeof item.snoozedAt !== 'string') return undefined;
  if (typeof item.snoozedUntil === 'string' && item.snoozedUntil <= nowIso) return undefined;
  return {
    until: item.snoozedUntil,
    untilReply: item.snoozeUntilReply === true,
    snoozedAt: item.snoozedAt,
    snoozedBy: item.snoozedBy,
  };
}

/** Where an inbox page ends: a conversation id and its inbox sort key. */
export type InboxPosition = { id: string; at: string };

export type InboxFilter = {
  channel?: Channel;
  status?: ConversationStatus;
  unread?: boolean;
  /** Only conversations assigned to this user. */
  assigneeId?: string;
  /** Only conversations assigned to nobody. */
  unassigned?: boolean;
  /** Only conversations carrying this label id. */
  labelId?: string;
  /** true: only conversations with a snooze in effect; false: only those without. */
  snoozed?: boolean;
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

export function toConversation(item: Item): Conversation {
  const unread = item.unreadIds as Set<string> | undefined;
  const labels = item.labelIds as Set<string> | undefined;
  const former = item.formerCustomerIds as Set<string> | undefined;
  const snooze = snoozeInEffect(item, new Date().toISOString());
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
    lastReadAt: item.lastReadAt,
    assigneeId: item.assigneeId,
    assignedAt: item.assignedAt,
    closedAt: item.closedAt,
    createdAt: item.createdAt,
    ...(labels?.size ? { labelIds: [...labels].sort() } : {}),
    ...(snooze ? { snooze } : {}),
    ...(former?.size ? { formerCustomerIds: [...former].sort() } : {}),
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
    // The contact is set once: afterwards only a merge moves it (repointCustomer), so a message
    // processed with the contact as it was before a merge cannot move the conversation back.
    const identity =
      '#id = if_not_exists(#id, :id), customerId = if_not_exists(customerId, :cust), channel = :channel, channelId = :chid, ' +
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
    // A customer writing again reopens a closed conversation (only the newest message does).
    const newestIdentity = inbound
      ? identity.replace('#status = if_not_exists(#status, :open)', '#status = :open')
      : identity;
    const newest = await this.db.update(
      key,
      {
        set:
          `${newestIdentity}, lastMessageAt = :ts, lastMessagePreview = :preview, lastMessageDirection = :dir, ` +
          `GSI1SK = :gsk${inbound ? ', lastInboundAt = :ts' : ''}`,
        add: inbound ? 'unreadIds :unread' : undefined,
        // The customer writing wakes a snoozed conversation, in this same write.
        remove: inbound ? `closedAt, ${snoozeAttributes}` : undefined,
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

  /**
   * The inbox, newest first. Filters are applied by DynamoDB after the key condition, so a page is
   * filled by a few more GSI queries when a filter drops items (at most `maxQueries`).
   */
  /**
   * The inbox, newest activity first. `after` is where the previous page ended (the last
   * conversation's id and inbox sort key); the keys are rebuilt here, never taken from a client.
   */
  async listInbox(
    limit: number,
    after?: InboxPosition,
    filter?: InboxFilter,
    maxQueries = 5,
  ): Promise<{ items: Conversation[]; next?: InboxPosition }> {
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
    if (filter?.assigneeId) {
      clauses.push('assigneeId = :fassignee');
      values[':fassignee'] = filter.assigneeId;
    }
    if (filter?.unassigned) clauses.push('attribute_not_exists(assigneeId)');
    if (filter?.labelId) {
      clauses.push('contains(labelIds, :flabel)');
      values[':flabel'] = filter.labelId;
    }
    if (filter?.snoozed !== undefined) {
      // In effect: snoozed, and either until a reply only or until a time still ahead.
      const inEffect =
        'attribute_exists(snoozedAt) AND (attribute_not_exists(snoozedUntil) OR snoozedUntil > :fnow)';
      clauses.push(filter.snoozed ? `(${inEffect})` : `NOT (${inEffect})`);
      values[':fnow'] = new Date().toISOString();
    }
    const items: Conversation[] = [];
    let lastKey: Item | undefined = after && {
      ...keys.conversation(this.tenantId, after.id),
      GSI1PK: keys.inboxPk(this.tenantId),
      GSI1SK: after.at,
    };
    for (let i = 0; i < maxQueries; i++) {
      const page = await this.db.query({
        pk: keys.inboxPk(this.tenantId),
        index: 'GSI1',
        newestFirst: true,
        limit: limit - items.length,
        startKey: lastKey,
        filter: clauses.length ? { expression: clauses.join(' AND '), names, values } : undefined,
      });
      items.push(...page.items.map(toConversation));
      lastKey = page.lastKey;
      if (!lastKey || items.length >= limit || clauses.length === 0) break;
    }
    const next = lastKey && {
      id: String(lastKey.SK).slice('CONV#'.length),
      at: String(lastKey.GSI1SK),
    };
    return { items, next };
  }

  /**
   * Marks the conversation read up to its newest message: the unread set goes, and `lastReadAt`
   * becomes that message's time, so a message that arrives later (even one Meta timestamped a little
   * earlier but delivered late) still counts as unread.
   */
  async markRead(conversationId: string): Promise<Conversation | undefined> {
    const item = await this.db.update(
      keys.conversation(this.tenantId, conversationId),
      { set: 'lastReadAt = lastMessageAt', remove: 'unreadIds' },
      { condition: 'attribute_exists(PK)' },
    );
    return item ? toConversation(item) : undefined;
  }

  /** Assigns the conversation to a member, or to nobody with `null`. */
  async assign(
    conversationId: string,
    userId: string | null,
    at: string,
  ): Promise<Conversation | undefined> {
    const key = keys.conversation(this.tenantId, conversationId);
    const item =
      userId === null
        ? await this.db.update(
            key,
            { remove: 'assigneeId, assignedAt' },
            { condition: 'attribute_exists(PK)' },
          )
        : await this.db.update(
            key,
            { set: 'assigneeId = :u, assignedAt = :at' },
            { condition: 'attribute_exists(PK)', values: { ':u': userId, ':at': at } },
          );
    return item ? toConversation(item) : undefined;
  }

  async setStatus(
    conversationId: string,
    status: ConversationStatus,
    at: string,
  ): Promise<Conversation | undefined> {
    const key = keys.conversation(this.tenantId, conversationId);
    const names = { '#status': 'status' };
    const item =
      status === 'closed'
        ? await this.db.update(
            key,
            { set: '#status = :s, closedAt = :at', remove: snoozeAttributes },
            { condition: 'attribute_exists(PK)', names, values: { ':s': status, ':at': at } },
          )
        : await this.db.update(
            key,
            { set: '#status = :s', remove: `closedAt, ${snoozeAttributes}` },
            { condition: 'attribute_exists(PK)', names, values: { ':s': status } },
          );
    return item ? toConversation(item) : undefined;
  }

  /**
   * Moves a conversation to the contact `to` was merged into: its contact becomes `to`, and the
   * contacts it belonged to (`from`) join the partitions its thread reads. Idempotent (a set and
   * a set ADD); false when the conversation is not there or belongs to someone else.
   */
  async repointCustomer(conversationId: string, from: string[], to: string): Promise<boolean> {
    const former = from.filter((id) => id !== to);
    const item = await this.db.update(
      keys.conversation(this.tenantId, conversationId),
      { set: 'customerId = :to', add: former.length ? 'formerCustomerIds :former' : undefined },
      {
        condition: `attribute_exists(PK) AND (${[...from, to].map((_, i) => `customerId = :c${i}`).join(' OR ')})`,
        values: {
          ':to': to,
          ...(former.length ? { ':former': new Set(former) } : {}),
          ...Object.fromEntries([...from, to].map((id, i) => [`:c${i}`, id])),
        },
      },
    );
    return item !== undefined;
  }

  async getMany(conversationIds: string[]): Promise<Conversation[]> {
    const unique = [...new Set(conversationIds)];
    const items = await this.db.batchGet(unique.map((id) => keys.conversation(this.tenantId, id)));
    return items.map(toConversation);
  }
}

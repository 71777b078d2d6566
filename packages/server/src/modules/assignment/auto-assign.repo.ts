import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type AutoAssignmentConfig = { enabled: boolean; memberIds: string[] };

export type OpeningState = {
  status: 'open' | 'closed';
  createdAt?: string;
  assigneeId?: string;
  autoAssignedFor?: string;
};

/**
 * Auto-assignment's items (keys.ts):
 * - the channel's setting, `autoAssignment` `{enabled, memberIds}` on its channel item (the truth);
 * - `autoAssignChannels`, a string set on the tenant's METADATA item naming the channels that have
 *   it on: the message processor already reads (and caches) that item for the tenant's status, so
 *   a channel without auto-assignment costs no request at all. A hint, never narrower than the
 *   truth: it is added before a channel is turned on and removed after it is turned off;
 * - the round-robin cursor per channel, `TENANT#<id>` / `AUTOASSIGN#<channelId>`, whose `turn`
 *   counter goes up by one (ADD) per assignment, so concurrent processors take distinct turns.
 */
export class AutoAssignRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** Writes the channel's setting; false when there is no such channel. */
  async setConfig(channelId: string, config: AutoAssignmentConfig): Promise<boolean> {
    const item = await this.db.update(
      keys.channel(this.tenantId, channelId),
      { set: 'autoAssignment = :cfg' },
      { condition: 'attribute_exists(PK)', values: { ':cfg': config } },
    );
    return item !== undefined;
  }

  /** Adds the channel to (or removes it from) the tenant's hint set. */
  async markChannel(channelId: string, enabled: boolean): Promise<void> {
    const ids = new Set([channelId]);
    await this.db.update(
      keys.tenant(this.tenantId),
      enabled ? { add: 'autoAssignChannels :ids' } : { del: 'autoAssignChannels :ids' },
      { condition: 'attribute_exists(PK)', values: { ':ids': ids } },
    );
  }

  /** The next turn of the channel's round robin (1, 2, …). */
  async nextTurn(channelId: string): Promise<number> {
    const item = await this.db.update(
      keys.autoAssignCursor(this.tenantId, channelId),
      { set: 'entity = :entity', add: 'turn :one' },
      { values: { ':one': 1, ':entity': 'AutoAssignCursor' } },
    );
    return Number(item?.turn ?? 1);
  }

  /**
   * Assigns an open conversation only if nobody is assigned yet (a redelivery, or an agent who was quicker, wins).
   * `forMessage` records which message's arrival made this assignment, so a redelivery of that
   * message can recognise it and send its event again.
   */
  async assignIfUnassigned(
    conversationId: string,
    userId: string,
    at: string,
    forMessage: string,
  ): Promise<boolean> {
    const item = await this.db.update(
      keys.conversation(this.tenantId, conversationId),
      { set: 'assigneeId = :u, assignedAt = :at, autoAssignedFor = :m' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(assigneeId) AND #status = :open',
        names: { '#status': 'status' },
        values: { ':u': userId, ':at': at, ':m': forMessage, ':open': 'open' },
      },
    );
    return item !== undefined;
  }

  /** The conversation as the processor needs it before the customer's message is folded in. */
  async openingState(conversationId: string): Promise<OpeningState | undefined> {
    const item = await this.db.get(keys.conversation(this.tenantId, conversationId));
    if (!item) return undefined;
    return {
      status: item.status === 'closed' ? 'closed' : 'open',
      createdAt: item.createdAt,
      assigneeId: item.assigneeId,
      autoAssignedFor: item.autoAssignedFor,
    };
  }
}

/** The channels with auto-assignment on, from the tenant's METADATA item as read. */
export function autoAssignChannelsOf(tenantItem: Item | undefined): ReadonlySet<string> {
  const ids = tenantItem?.autoAssignChannels as Set<string> | undefined;
  return ids ?? new Set();
}

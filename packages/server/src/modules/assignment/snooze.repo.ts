import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { snoozeAttributes } from '../messaging/conversation.repo';

export type SnoozeInput = {
  /** When it wakes by itself; absent: only the customer's next message wakes it. */
  until?: string;
  untilReply: boolean;
  at: string;
  by?: string;
};

/**
 * The snooze of a conversation: attributes on its item (`snoozedAt`, `snoozedUntil`,
 * `snoozeUntilReply`, `snoozedBy`; keys.ts). Whether one is in effect is computed when read
 * (conversation.repo.ts `snoozeInEffect`): a snooze whose time has passed just stops applying, and
 * the customer's next message removes it in the summary update itself. No timer, no extra write.
 */
export class SnoozeRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** Snoozes (a closed conversation is reopened, snoozed); again replaces it. False: no such conversation. */
  async snooze(conversationId: string, input: SnoozeInput): Promise<boolean> {
    const values: Record<string, string | boolean> = {
      ':open': 'open',
      ':at': input.at,
      ':reply': input.untilReply,
    };
    const set = ['#status = :open', 'snoozedAt = :at', 'snoozeUntilReply = :reply'];
    const remove = ['closedAt'];
    if (input.until) {
      set.push('snoozedUntil = :until');
      values[':until'] = input.until;
    } else remove.push('snoozedUntil');
    if (input.by) {
      set.push('snoozedBy = :by');
      values[':by'] = input.by;
    } else remove.push('snoozedBy');
    const item = await this.db.update(
      keys.conversation(this.tenantId, conversationId),
      { set: set.join(', '), remove: remove.join(', ') },
      { condition: 'attribute_exists(PK)', names: { '#status': 'status' }, values },
    );
    return item !== undefined;
  }

  /** Ends a snooze now (nothing to end is fine). False: no such conversation. */
  async unsnooze(conversationId: string): Promise<boolean> {
    const item = await this.db.update(
      keys.conversation(this.tenantId, conversationId),
      { remove: snoozeAttributes },
      { condition: 'attribute_exists(PK)' },
    );
    return item !== undefined;
  }
}

import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { toConversation, type Conversation } from '../messaging/conversation.repo';

/**
 * A conversation after a label change, and `labelsVersion`: a counter bumped by every change that
 * took effect, so the change's event id is stable (a retry that changes nothing answers the same
 * version, hence the same event id).
 */
export type LabelledConversation = { conversation: Conversation; labelsVersion: number };

export type LabelChange =
  | { outcome: 'changed' | 'unchanged'; result: LabelledConversation }
  | { outcome: 'missing' }
  | { outcome: 'full' };

const view = (item: Item): LabelledConversation => ({
  conversation: toConversation(item),
  labelsVersion: Number(item.labelsVersion ?? 0),
});

/**
 * The labels on a conversation: a string set `labelIds` on its summary item, so adding and removing
 * are single conditional updates (ADD/DELETE on a set are idempotent) and the inbox can filter on it.
 */
export class ConversationLabelsRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  private key(conversationId: string) {
    return keys.conversation(this.tenantId, conversationId);
  }

  private async current(conversationId: string): Promise<Item | undefined> {
    return this.db.get(this.key(conversationId));
  }

  async add(conversationId: string, labelId: string, max: number): Promise<LabelChange> {
    const item = await this.db.update(
      this.key(conversationId),
      { add: 'labelIds :one, labelsVersion :inc' },
      {
        condition:
          'attribute_exists(PK) AND NOT contains(labelIds, :id) AND (attribute_not_exists(labelIds) OR size(labelIds) < :max)',
        values: { ':one': new Set([labelId]), ':inc': 1, ':id': labelId, ':max': max },
      },
    );
    if (item) return { outcome: 'changed', result: view(item) };
    const now = await this.current(conversationId);
    if (!now) return { outcome: 'missing' };
    const labels = now.labelIds as Set<string> | undefined;
    return labels?.has(labelId) ? { outcome: 'unchanged', result: view(now) } : { outcome: 'full' };
  }

  async remove(
    conversationId: string,
    labelId: string,
  ): Promise<Exclude<LabelChange, { outcome: 'full' }>> {
    const item = await this.db.update(
      this.key(conversationId),
      { add: 'labelsVersion :inc', del: 'labelIds :one' },
      {
        condition: 'attribute_exists(PK) AND contains(labelIds, :id)',
        values: { ':one': new Set([labelId]), ':inc': 1, ':id': labelId },
      },
    );
    if (item) return { outcome: 'changed', result: view(item) };
    const now = await this.current(conversationId);
    return now ? { outcome: 'unchanged', result: view(now) } : { outcome: 'missing' };
  }

  /** Drops ids of labels deleted since (readers already ignore them); no version bump. */
  async prune(conversationId: string, staleIds: string[]): Promise<void> {
    if (staleIds.length === 0) return;
    await this.db.update(
      this.key(conversationId),
      { del: 'labelIds :stale' },
      { condition: 'attribute_exists(PK)', values: { ':stale': new Set(staleIds) } },
    );
  }
}

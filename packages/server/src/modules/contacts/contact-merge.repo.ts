import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

// The record of an agent's merge (keys.contactMerge): put once per source, so a source merges into
// exactly one target and merging it again answers the first merge.

export type ContactMerge = { sourceId: string; targetId: string; mergedAt: string; by?: string };

export class ContactMergeRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** Claims the source for `targetId`; answers the merge that holds it (this one or an earlier). */
  async claim(merge: ContactMerge): Promise<{ claimed: boolean; merge: ContactMerge }> {
    const key = keys.contactMerge(this.tenantId, merge.sourceId);
    if (await this.db.put({ ...key, entity: 'ContactMerge', ...merge }, { ifNotExists: true })) {
      return { claimed: true, merge };
    }
    const item = await this.db.get(key);
    if (!item) return this.claim(merge);
    return {
      claimed: false,
      merge: {
        sourceId: item.sourceId,
        targetId: item.targetId,
        mergedAt: item.mergedAt,
        by: item.by,
      },
    };
  }

  /** Gives a claim back whose merge could not happen (the target took another identity meanwhile). */
  async release(sourceId: string, targetId: string): Promise<void> {
    await this.db.delete(keys.contactMerge(this.tenantId, sourceId), {
      condition: 'targetId = :t',
      values: { ':t': targetId },
    });
  }
}

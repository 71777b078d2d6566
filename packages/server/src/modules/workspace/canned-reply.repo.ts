import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { claimUnique, releaseUnique } from './unique-claim';

export type CannedReply = {
  id: string;
  /** Lower case (the contract normalises it), unique in the tenant. */
  shortCode: string;
  content: string;
  createdAt: string;
  updatedAt: string;
  createdBy?: string;
};

function toReply(item: Item): CannedReply {
  return {
    id: item.id,
    shortCode: item.shortCode,
    content: item.content,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    createdBy: item.createdBy,
  };
}

/** A tenant's canned replies (`CANNED#<id>`) and their unique short codes (`CANNEDCODE#`). */
export class CannedReplyRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async get(replyId: string): Promise<CannedReply | undefined> {
    const item = await this.db.get(keys.cannedReply(this.tenantId, replyId));
    return item ? toReply(item) : undefined;
  }

  /** Every reply, by short code. */
  async list(): Promise<CannedReply[]> {
    const out: CannedReply[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({
        pk: keys.tenant(this.tenantId).PK,
        sk: { beginsWith: 'CANNED#' },
        startKey,
        consistent: true,
      });
      out.push(...page.items.map(toReply));
      startKey = page.lastKey;
    } while (startKey);
    return out.sort((a, b) => a.shortCode.localeCompare(b.shortCode));
  }

  /** Claims a short code for a reply; false when another reply has it. */
  claimShortCode(shortCode: string, replyId: string): Promise<boolean> {
    return claimUnique(
      this.db,
      keys.cannedShortCode(this.tenantId, shortCode),
      replyId,
      async (holder) => (await this.get(holder))?.shortCode === shortCode,
    );
  }

  releaseShortCode(shortCode: string, replyId: string): Promise<void> {
    return releaseUnique(this.db, keys.cannedShortCode(this.tenantId, shortCode), replyId);
  }

  create(reply: CannedReply): Promise<boolean> {
    return this.db.put(
      { ...keys.cannedReply(this.tenantId, reply.id), ...reply, entity: 'CannedReply' },
      { ifNotExists: true },
    );
  }

  async update(
    replyId: string,
    patch: { shortCode?: string; content?: string },
    at: string,
  ): Promise<CannedReply | undefined> {
    const sets = ['updatedAt = :at'];
    const names: Record<string, string> = {};
    const values: Record<string, string> = { ':at': at };
    if (patch.shortCode !== undefined) {
      sets.push('shortCode = :code');
      values[':code'] = patch.shortCode;
    }
    if (patch.content !== undefined) {
      sets.push('#content = :content');
      names['#content'] = 'content';
      values[':content'] = patch.content;
    }
    const item = await this.db.update(
      keys.cannedReply(this.tenantId, replyId),
      { set: sets.join(', ') },
      {
        condition: 'attribute_exists(PK)',
        names: Object.keys(names).length ? names : undefined,
        values,
      },
    );
    return item ? toReply(item) : undefined;
  }

  delete(replyId: string): Promise<boolean> {
    return this.db.delete(keys.cannedReply(this.tenantId, replyId), {
      condition: 'attribute_exists(PK)',
    });
  }
}

import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type LeadNote = {
  id: string;
  leadId: string;
  body: string;
  author: { kind: 'user' | 'apiKey'; id: string };
  createdAt: string;
};

function toNote(item: Item): LeadNote {
  return {
    id: item.id,
    leadId: item.leadId,
    body: item.body,
    author: item.author,
    createdAt: item.createdAt,
  };
}

export class LeadNoteRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async add(note: LeadNote): Promise<void> {
    await this.db.put(
      {
        ...keys.leadNote(this.tenantId, note.leadId, note.createdAt, note.id),
        ...note,
        entity: 'LeadNote',
      },
      { ifNotExists: true },
    );
  }

  /** Newest first. */
  async list(
    leadId: string,
    limit: number,
    beforeSk?: string,
  ): Promise<{ items: LeadNote[]; lastSk?: string }> {
    const page = await this.db.query({
      pk: keys.tenant(this.tenantId).PK,
      sk: { beginsWith: keys.leadNotePrefix(leadId) },
      newestFirst: true,
      limit,
      startKey: beforeSk ? { PK: keys.tenant(this.tenantId).PK, SK: beforeSk } : undefined,
    });
    return {
      items: page.items.map(toNote),
      lastSk: page.lastKey ? String(page.lastKey.SK) : undefined,
    };
  }
}

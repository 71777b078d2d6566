import { randomBytes } from 'node:crypto';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type Note = {
  id: string;
  conversationId: string;
  text: string;
  mentions: string[];
  authorId: string;
  createdAt: string;
  clientId?: string;
};

/** Where a `clientId` led: the note it wrote, what was asked, and whether the note was deleted. */
export type NoteClaim = {
  noteId: string;
  createdAt: string;
  requestHash: string;
  deletedAt?: string;
};

// Note ids sort by creation time (10 base32 characters of epoch ms, then random), so the
// conversation's partition lists notes in time order and a note's key needs nothing but its id.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

export function newNoteId(at: Date): string {
  let time = '';
  let rest = Math.max(0, at.getTime());
  for (let i = 0; i < 10; i++) {
    time = alphabet[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  const tail = [...randomBytes(12)].map((b) => alphabet[b % 32]).join('');
  return `nt_${time}${tail}`;
}

function toNote(item: Item): Note {
  return {
    id: item.id,
    conversationId: item.conversationId,
    text: item.text,
    mentions: item.mentions ?? [],
    authorId: item.authorId,
    createdAt: item.createdAt,
    clientId: item.clientId,
  };
}

/** Private notes, one partition per conversation (`TENANT#<id>#NOTES#<conversationId>`). */
export class NoteRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async get(conversationId: string, noteId: string): Promise<Note | undefined> {
    const item = await this.db.get(keys.note(this.tenantId, conversationId, noteId));
    return item ? toNote(item) : undefined;
  }

  /** Writes the note; false when it exists already (a retry of the same note). */
  add(note: Note): Promise<boolean> {
    return this.db.put(
      { ...keys.note(this.tenantId, note.conversationId, note.id), ...note, entity: 'Note' },
      { ifNotExists: true },
    );
  }

  /** Newest first; `beforeSk` is where the previous page ended. */
  async list(
    conversationId: string,
    limit: number,
    beforeSk?: string,
  ): Promise<{ items: Note[]; lastSk?: string }> {
    const pk = keys.notesPk(this.tenantId, conversationId);
    const page = await this.db.query({
      pk,
      sk: beforeSk ? { between: ['NOTE#', beforeSk] } : { beginsWith: 'NOTE#' },
      newestFirst: true,
      limit,
      startKey: beforeSk ? { PK: pk, SK: beforeSk } : undefined,
      consistent: true,
    });
    return {
      items: page.items.map(toNote),
      lastSk: page.lastKey ? String(page.lastKey.SK) : undefined,
    };
  }

  delete(conversationId: string, noteId: string): Promise<boolean> {
    return this.db.delete(keys.note(this.tenantId, conversationId, noteId), {
      condition: 'attribute_exists(PK)',
    });
  }

  /**
   * Claims a `clientId` for a note about to be written. Answers the claim already there (a retry,
   * or the same id reused), or undefined when this call made it.
   */
  async claimClientId(
    conversationId: string,
    clientId: string,
    claim: NoteClaim,
  ): Promise<NoteClaim | undefined> {
    const key = keys.noteClient(this.tenantId, conversationId, clientId);
    if (await this.db.put({ ...key, ...claim, entity: 'NoteClientId' }, { ifNotExists: true })) {
      return undefined;
    }
    const item = await this.db.get(key);
    if (!item) return this.claimClientId(conversationId, clientId, claim);
    return {
      noteId: item.noteId,
      createdAt: item.createdAt,
      requestHash: item.requestHash,
      deletedAt: item.deletedAt,
    };
  }

  /** A retry of a deleted note's `clientId` must not write it again. */
  async markClientIdDeleted(conversationId: string, clientId: string, at: string): Promise<void> {
    await this.db.update(
      keys.noteClient(this.tenantId, conversationId, clientId),
      { set: 'deletedAt = :at' },
      { condition: 'attribute_exists(PK)', values: { ':at': at } },
    );
  }
}

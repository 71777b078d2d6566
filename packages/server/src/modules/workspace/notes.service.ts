import { roleAtLeast, type Role } from '@switchboard/contracts';
import { canonicalJson } from '../../engine/data/idempotent-request';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { sha256Hex } from '../../engine/ids';
import { newNoteId, type Note, type NoteClaim } from './note.repo';

// Private notes: written by agents in a conversation, read by every member, never sent to the
// customer. Nothing here knows Meta: a note has no path to the Graph client.

export type NewNote = {
  conversationId: string;
  authorId: string;
  text: string;
  mentions: string[];
  clientId?: string;
};

async function requireConversation(data: TenantData, conversationId: string): Promise<void> {
  if (!(await data.conversations.get(conversationId))) throw new NotFoundError('Conversation');
}

/** Every mentioned user must be a member of the workspace. */
async function checkMentions(data: TenantData, mentions: string[]): Promise<void> {
  const members = await Promise.all(mentions.map((id) => data.members.get(id)));
  const strangers = mentions.filter((_, i) => !members[i]);
  if (strangers.length > 0) {
    throw new AppError('validation_failed', 'Only members of the workspace can be mentioned.', {
      fields: { mentions: `Not a member of this workspace: ${strangers.join(', ')}.` },
    });
  }
}

/**
 * Writes a note. With a `clientId`, the id is claimed first: a retry finds the same note (and
 * answers `replayed`), or writes the one the first attempt could not; another text under the same
 * `clientId` is refused; a deleted note is not brought back.
 */
export async function createNote(
  data: TenantData,
  input: NewNote,
  now: Date,
): Promise<{ note: Note; replayed: boolean }> {
  await requireConversation(data, input.conversationId);
  await checkMentions(data, input.mentions);
  const base = {
    conversationId: input.conversationId,
    text: input.text,
    mentions: input.mentions,
    authorId: input.authorId,
  };
  if (!input.clientId) {
    const note: Note = { ...base, id: newNoteId(now), createdAt: now.toISOString() };
    await data.notes.add(note);
    return { note, replayed: false };
  }
  const requestHash = sha256Hex(canonicalJson({ ...base, mentions: [...base.mentions].sort() }));
  const fresh: NoteClaim = { noteId: newNoteId(now), createdAt: now.toISOString(), requestHash };
  const claim =
    (await data.notes.claimClientId(input.conversationId, input.clientId, fresh)) ?? fresh;
  if (claim.requestHash !== requestHash) {
    throw new AppError(
      'idempotency_key_reused',
      'This clientId was already used for a different note in this conversation.',
    );
  }
  if (claim.deletedAt) throw new AppError('not_found', 'That note was deleted.');
  const existing = await data.notes.get(input.conversationId, claim.noteId);
  if (existing) return { note: existing, replayed: true };
  const note: Note = {
    ...base,
    id: claim.noteId,
    createdAt: claim.createdAt,
    clientId: input.clientId,
  };
  const created = await data.notes.add(note);
  return {
    note: created ? note : ((await data.notes.get(note.conversationId, note.id)) ?? note),
    replayed: !created,
  };
}

export async function listNotes(
  data: TenantData,
  conversationId: string,
  limit: number,
  beforeSk?: string,
) {
  await requireConversation(data, conversationId);
  return data.notes.list(conversationId, limit, beforeSk);
}

/** Its author, or an admin, may delete a note. */
export async function deleteNote(
  data: TenantData,
  conversationId: string,
  noteId: string,
  caller: { userId?: string; role?: Role },
  now: Date,
): Promise<Note> {
  const note = await data.notes.get(conversationId, noteId);
  if (!note) throw new NotFoundError('Note');
  if (note.authorId !== caller.userId && !roleAtLeast(caller.role, 'admin')) {
    throw new AppError('forbidden', 'Only its author or an admin can delete a note.');
  }
  if (note.clientId) {
    await data.notes.markClientIdDeleted(conversationId, note.clientId, now.toISOString());
  }
  if (!(await data.notes.delete(conversationId, noteId))) throw new NotFoundError('Note');
  return note;
}

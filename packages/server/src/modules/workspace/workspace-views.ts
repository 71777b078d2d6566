import type { LiveEvent } from '@switchboard/contracts';
import { stableId } from '../../engine/ids';
import type { CannedReply } from './canned-reply.repo';
import type { Label } from './label.repo';
import type { Note } from './note.repo';

// How notes, labels and canned replies look through the API (contracts/src/workspace.ts), and the
// workspace events their changes emit. Event ids derive from the change, so a replay of the same
// write emits the same id (receivers dedupe by it).

export function noteView(note: Note) {
  return {
    id: note.id,
    conversationId: note.conversationId,
    text: note.text,
    mentions: note.mentions,
    authorId: note.authorId,
    createdAt: note.createdAt,
    ...(note.clientId ? { clientId: note.clientId } : {}),
  };
}

export function labelView(label: Label) {
  return {
    id: label.id,
    name: label.name,
    color: label.color,
    createdAt: label.createdAt,
    updatedAt: label.updatedAt,
  };
}

export function cannedReplyView(reply: CannedReply) {
  return {
    id: reply.id,
    shortCode: reply.shortCode,
    content: reply.content,
    createdAt: reply.createdAt,
    updatedAt: reply.updatedAt,
  };
}

export function noteCreatedEvent(note: Note): LiveEvent {
  return {
    id: stableId('ev', 'note.created', note.conversationId, note.id),
    at: note.createdAt,
    type: 'note.created',
    data: { conversationId: note.conversationId, note: noteView(note), mentions: note.mentions },
  };
}

export function noteDeletedEvent(note: Note, at: Date): LiveEvent {
  return {
    id: stableId('ev', 'note.deleted', note.conversationId, note.id),
    at: at.toISOString(),
    type: 'note.deleted',
    data: { conversationId: note.conversationId, noteId: note.id },
  };
}

/** `conversation.updated` (change `labels`): one id per labels version of the conversation. */
export function labelsChangedEvent(
  conversation: Extract<LiveEvent, { type: 'conversation.updated' }>['data']['conversation'],
  labelsVersion: number,
  at: Date,
): LiveEvent {
  return {
    id: stableId('ev', 'conversation.labels', conversation.id, String(labelsVersion)),
    at: at.toISOString(),
    type: 'conversation.updated',
    data: { conversation, change: 'labels' },
  };
}

import type { LiveEvent } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { stableId } from '../../engine/ids';
import type { WorkspaceEvents } from '../../engine/ports/workspace-events';
import type { Conversation } from '../messaging/conversation.repo';
import { conversationView, messageView } from '../messaging/conversation-view';
import type { StoredMessage } from '../messaging/message.repo';
import type { StoredMedia } from '../messaging/media/media-keys';

// The base workspace events (message.created, message.updated, conversation.updated), built with
// the API's own views so a screen can put the payload where a REST answer would go. Every id is
// derived from what changed, so a redelivery (Meta's, SQS's, an idempotent retry) emits the same
// id and receivers drop the duplicate.
//
// No signed URLs travel in events: the writers (the processor, the fetcher) hold no signing key,
// and an event may be read long after. An attachment says `ready` without a `url`, and an avatar
// is left out; the screen asks the REST API for those (they are signed per request anyway).

const noSigning = async (): Promise<string> => {
  throw new Error('events carry no signed URLs');
};

const unsigned = (media: StoredMedia): StoredMedia => {
  const { key: _key, ...rest } = media;
  return rest;
};

/** A message as the thread shows it, without signed URLs. */
export function liveMessageView(message: StoredMessage) {
  return messageView(
    {
      ...message,
      ...(message.media ? { media: unsigned(message.media) } : {}),
      ...(message.attachments ? { attachments: message.attachments.map(unsigned) } : {}),
    },
    noSigning,
  );
}

/** What changed about a message: its part of the event id. */
export type MessageChange =
  | { kind: 'status'; status: string }
  | { kind: 'accepted'; channelMessageId: string }
  | { kind: 'deleted' }
  | { kind: 'media'; ready: string };

function changeKeyOf(change: MessageChange): string {
  switch (change.kind) {
    case 'status':
      return `status:${change.status}`;
    case 'accepted':
      return `accepted:${change.channelMessageId}`;
    case 'deleted':
      return 'deleted';
    case 'media':
      return `media:${change.ready}`;
  }
}

const nowIso = () => new Date().toISOString();

export async function emitMessageCreated(
  events: WorkspaceEvents,
  tenantId: string,
  message: StoredMessage,
): Promise<void> {
  const event: LiveEvent = {
    id: stableId('evt', 'message.created', message.id),
    at: nowIso(),
    type: 'message.created',
    data: { conversationId: message.conversationId, message: await liveMessageView(message) },
  };
  await events.emit(tenantId, event);
}

export async function emitMessageUpdated(
  events: WorkspaceEvents,
  tenantId: string,
  message: StoredMessage,
  change: MessageChange,
): Promise<void> {
  const event: LiveEvent = {
    id: stableId('evt', 'message.updated', message.id, changeKeyOf(change)),
    at: nowIso(),
    type: 'message.updated',
    data: { conversationId: message.conversationId, message: await liveMessageView(message) },
  };
  await events.emit(tenantId, event);
}

/** Change names of `conversation.updated` the base events use (features add their own). */
export type ConversationChange = 'message' | 'assigned' | 'closed' | 'reopened' | 'read';

/**
 * A conversation as the inbox shows it, after `change`. `changeKey` names the change itself
 * (the message id, the assignment time…) so a repeat of the same change has the same id.
 * Reads the conversation and its customer: the event carries the state after the write.
 */
export async function emitConversationUpdated(
  events: WorkspaceEvents,
  data: TenantData,
  conversationOrId: Conversation | string,
  change: ConversationChange | (string & {}),
  changeKey: string,
): Promise<void> {
  const conversation =
    typeof conversationOrId === 'string'
      ? await data.conversations.get(conversationOrId)
      : conversationOrId;
  if (!conversation) return;
  const customer = await data.customers.get(conversation.customerId);
  const view = await conversationView(
    conversation,
    customer && { ...customer, avatarKey: undefined },
    noSigning,
  );
  const event: LiveEvent = {
    id: stableId('evt', 'conversation.updated', conversation.id, change, changeKey),
    at: nowIso(),
    type: 'conversation.updated',
    data: { conversation: view, change },
  };
  await events.emit(data.tenantId, event);
}

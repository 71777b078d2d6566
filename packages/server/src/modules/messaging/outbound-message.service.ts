import type { MessageRef, OutboundDraft, StoredMessage } from './message.repo';
import type { TenantData } from '../../engine/data/tenant-data';
import { previewOf } from './message-preview';

/** Applies a status that arrived before its message (parked by the processor), if there is one. */
export async function applyParkedStatus(
  data: TenantData,
  message: Pick<StoredMessage, 'channel' | 'channelMessageId'>,
  ref: MessageRef,
): Promise<void> {
  const parked = await data.messages.getParkedStatus(message.channel, message.channelMessageId);
  if (parked) await data.messages.applyStatus(ref, parked.status, parked.at, parked.errors);
}

/**
 * Records a message we sent once Meta gave it an id: stored once, findable by that id, in the
 * conversation summary, and already carrying any status Meta reported before we got here.
 */
export async function storeOutboundMessage(
  data: TenantData,
  message: StoredMessage,
): Promise<MessageRef> {
  const { ref } = await data.messages.storeOnce(message);
  await data.conversations.applyMessage({
    conversationId: message.conversationId,
    customerId: message.customerId,
    channel: message.channel,
    channelId: message.channelId,
    messageId: message.id,
    timestamp: message.timestamp,
    preview: previewOf(message),
    direction: 'outbound',
  });
  await applyParkedStatus(data, message, ref);
  return ref;
}

/**
 * Step one of a send: the message is stored `pending` (no Meta id yet) and folded into the
 * conversation summary, so the thread and the inbox show it at once.
 */
export async function storePendingOutbound(
  data: TenantData,
  draft: OutboundDraft,
): Promise<MessageRef> {
  const ref = await data.messages.putPending(draft);
  await data.conversations.applyMessage({
    conversationId: draft.conversationId,
    customerId: draft.customerId,
    channel: draft.channel,
    channelId: draft.channelId,
    messageId: draft.id,
    timestamp: draft.timestamp,
    preview: previewOf({ ...draft, channelMessageId: draft.channelMessageId ?? '' }),
    direction: 'outbound',
  });
  return ref;
}

/**
 * Step two: Meta accepted the message. Its id goes on the message and into a ref (so status
 * webhooks land on it), then any status that arrived first (parked by the processor) is applied.
 * The processor parks, then looks for the ref again; this writes the ref, then looks for a parked
 * status: whichever runs second sees the other, so no status is lost without a transaction.
 */
export async function recordAcceptance(
  data: TenantData,
  ref: MessageRef,
  channel: StoredMessage['channel'],
  channelMessageId: string,
  at: string,
): Promise<StoredMessage | undefined> {
  const accepted = await data.messages.markAccepted(ref, channel, channelMessageId, at);
  if (!accepted) return undefined;
  const parked = await data.messages.getParkedStatus(channel, channelMessageId);
  if (!parked) return accepted;
  return (
    (await data.messages.applyStatus(ref, parked.status, parked.at, parked.errors)) ?? accepted
  );
}

import type { MessageRef, StoredMessage } from '../data/message.repo';
import type { TenantData } from '../data/tenant-data';
import { previewOf } from './message-preview';

/** Applies a status that arrived before its message (parked by the processor), if there is one. */
export async function applyParkedStatus(
  data: TenantData,
  message: StoredMessage,
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

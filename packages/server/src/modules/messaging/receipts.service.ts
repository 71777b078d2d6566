import type { ErrorCode } from '@switchboard/contracts';
import type { ChannelWithSecret } from '../channels/channel.repo';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import type { Conversation } from './conversation.repo';
import type { StoredMessage } from './message.repo';
import { GraphApiError, GraphTransportError, graphFailureToAppError } from './meta/graph-errors';
import { reconnectError } from './message-templates.service';
import type { OutboundDeps } from './outbound-deps';
import { CUSTOMER_SERVICE_WINDOW_MS, recipientOf } from './send-message.service';

// What the customer sees of an agent besides messages: blue ticks when the conversation is read
// (WhatsApp's read receipt for the latest inbound message, Instagram's `mark_seen`), and the typing
// indicator while an agent writes (WhatsApp's, which Meta sends with a read receipt; Instagram's
// `typing_on`). Receipts are best effort: Meta refusing one never fails the read. Typing is asked
// for by the composer every few seconds; one call per conversation per few seconds reaches Meta.

/** A typing indicator lasts about 25 s on WhatsApp; one call per 3 s per conversation is plenty. */
export const TYPING_THROTTLE_MS = 3_000;

/** Receipts and indicators are worth one quick try, not a wait. */
const SIGNAL_CALL = { maxAttempts: 1, timeoutMs: 3_000 };

/** How far back the latest inbound message is looked for, in messages. */
const INBOUND_SCAN = { pageSize: 50, pages: 4 };

/** The codes `conversations.typing` answers; any other Graph refusal is a `meta_error` there. */
const TYPING_CODES = new Set<ErrorCode>([
  'window_closed',
  'channel_token_invalid',
  'channel_not_found',
  'meta_error',
  'meta_unavailable',
  'rate_limited',
]);

/** The newest inbound message of the conversation that Meta knows by its id. */
export async function latestInbound(
  data: TenantData,
  conversation: Conversation,
): Promise<(StoredMessage & { channelMessageId: string }) | undefined> {
  if (!conversation.lastInboundAt) return undefined;
  let before: string | undefined;
  for (let page = 0; page < INBOUND_SCAN.pages; page++) {
    const { items, nextBefore } = await data.messages.listForConversation(
      conversation,
      INBOUND_SCAN.pageSize,
      before,
    );
    const found = items.find((m) => m.direction === 'inbound' && m.channelMessageId);
    if (found) return found as StoredMessage & { channelMessageId: string };
    if (!nextBefore) return undefined;
    before = nextBefore;
  }
  return undefined;
}

async function recipientFor(
  data: TenantData,
  channel: ChannelWithSecret,
  conversation: Conversation,
): Promise<string | undefined> {
  const customer = await data.customers.get(conversation.customerId);
  return recipientOf(channel, conversation.customerId, customer);
}

/**
 * After a conversation is marked read: tells the customer, best effort. Nothing is sent when the
 * customer never wrote, or the channel is gone or needs reconnecting; a refusal is logged.
 */
export async function sendReadReceipt(
  deps: OutboundDeps,
  data: TenantData,
  conversation: Conversation,
): Promise<void> {
  try {
    if (!conversation.lastInboundAt) return;
    const channel = await data.channels.getWithSecret(conversation.channelId);
    if (!channel || channel.status === 'needs_reconnect') return;
    const inbound = await latestInbound(data, conversation);
    if (!inbound) return;
    const token = await deps.cipher.decrypt(channel.tokenCiphertext, { tenantId: data.tenantId });
    if (channel.type === 'whatsapp') {
      await deps.graph.markWhatsAppRead(token, {
        phoneNumberId: channel.phoneNumberId ?? '',
        messageId: inbound.channelMessageId,
        ...SIGNAL_CALL,
      });
    } else {
      const recipientId = await recipientFor(data, channel, conversation);
      if (!recipientId) return;
      await deps.graph.sendInstagramAction(token, {
        accountId: channel.accountId ?? '',
        recipientId,
        action: 'mark_seen',
        ...SIGNAL_CALL,
      });
    }
  } catch (err) {
    if (err instanceof GraphApiError && err.kind === 'token_invalid') {
      await data.channels.setStatus(conversation.channelId, 'needs_reconnect').catch(() => {});
    }
    deps.log.warn('read receipt not sent', {
      tenantId: data.tenantId,
      conversationId: conversation.id,
      error: (err as Error).name,
      ...(err instanceof GraphApiError ? { metaCode: err.code } : {}),
      ...(err instanceof GraphTransportError ? { reason: err.reason } : {}),
    });
  }
}

/** Conversations that showed typing lately, per process (a Lambda container, the sandbox). */
const typingSentAt = new Map<string, number>();
const TYPING_MEMORY = 10_000;

function throttled(key: string, now: number): boolean {
  const last = typingSentAt.get(key);
  return last !== undefined && now - last < TYPING_THROTTLE_MS;
}

function remember(key: string, now: number): void {
  typingSentAt.delete(key);
  typingSentAt.set(key, now);
  // The oldest first: a Map iterates in insertion order.
  if (typingSentAt.size > TYPING_MEMORY) {
    typingSentAt.delete(typingSentAt.keys().next().value!);
  }
}

function nothingToShowOn(conversation: Conversation): AppError {
  return new AppError(
    'window_closed',
    conversation.lastInboundAt
      ? 'More than 24 hours have passed since the customer last wrote: WhatsApp shows no typing indicator now.'
      : 'The customer has not written in this conversation yet, so there is nothing to show typing on.',
    conversation.lastInboundAt ? { lastInboundAt: conversation.lastInboundAt } : {},
  );
}

/** `conversations.typing`: Meta's typing indicator for the customer, at most every few seconds. */
export async function showTyping(
  deps: OutboundDeps,
  data: TenantData,
  conversationId: string,
): Promise<void> {
  const conversation = await data.conversations.get(conversationId);
  if (!conversation) throw new NotFoundError('Conversation');
  const channel = await data.channels.getWithSecret(conversation.channelId);
  if (!channel) {
    throw new AppError('channel_not_found', 'The channel of this conversation was disconnected.', {
      channelId: conversation.channelId,
    });
  }
  if (channel.status === 'needs_reconnect') throw reconnectError(channel);
  const now = deps.now().getTime();
  const last = conversation.lastInboundAt ? Date.parse(conversation.lastInboundAt) : undefined;
  if (
    last === undefined ||
    (channel.type === 'whatsapp' && last + CUSTOMER_SERVICE_WINDOW_MS <= now)
  ) {
    throw nothingToShowOn(conversation);
  }
  const key = `${data.tenantId}:${conversation.id}`;
  if (throttled(key, now)) return;
  const inbound = await latestInbound(data, conversation);
  if (!inbound) throw nothingToShowOn(conversation);
  remember(key, now);
  const token = await deps.cipher.decrypt(channel.tokenCiphertext, { tenantId: data.tenantId });
  try {
    if (channel.type === 'whatsapp') {
      await deps.graph.markWhatsAppRead(token, {
        phoneNumberId: channel.phoneNumberId ?? '',
        messageId: inbound.channelMessageId,
        typing: true,
        ...SIGNAL_CALL,
      });
    } else {
      const recipientId = await recipientFor(data, channel, conversation);
      if (!recipientId) throw nothingToShowOn({ ...conversation, lastInboundAt: undefined });
      await deps.graph.sendInstagramAction(token, {
        accountId: channel.accountId ?? '',
        recipientId,
        action: 'typing_on',
        ...SIGNAL_CALL,
      });
    }
  } catch (err) {
    typingSentAt.delete(key);
    if (!(err instanceof GraphApiError || err instanceof GraphTransportError)) throw err;
    if (
      err instanceof GraphApiError &&
      (err.kind === 'token_invalid' || err.kind === 'permission_denied')
    ) {
      await data.channels.setStatus(channel.id, 'needs_reconnect');
    }
    const mapped = graphFailureToAppError(err, {
      channel: channel.type,
      extra: { conversationId: conversation.id },
    });
    if (TYPING_CODES.has(mapped.code as ErrorCode)) throw mapped;
    throw new AppError('meta_error', mapped.message, mapped.details);
  }
}

import type { SendMessageRequest, SendMessageResponse } from '@switchboard/contracts';
import type { ChannelWithSecret } from '../channels/channel.repo';
import { conversationIdOf, type Conversation } from './conversation.repo';
import type { Customer } from './customer.repo';
import type { MessageRef, OutboundDraft, StoredMessage } from './message.repo';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import type { MessageType } from './meta/inbound-event';
import type { OutboundContent } from './meta/graph-client';
import {
  GraphApiError,
  GraphTransportError,
  graphFailureToAppError,
  toMetaError,
} from './meta/graph-errors';
import {
  approvedTemplates,
  failOnGraph,
  reconnectError,
  renderTemplateText,
} from './message-templates.service';
import type { OutboundDeps } from './outbound-deps';
import { recordAcceptance, storePendingOutbound } from './outbound-message.service';
import type { Reservation } from '../../engine/data/idempotent-request';

// POST /send-message: reply on WhatsApp or Instagram. The order matters:
//   1. resolve conversation, channel and recipient; refuse early what Meta would refuse (closed
//      24-hour window, a channel whose token Meta already rejected, content the channel lacks);
//   2. take a throughput token for the sender;
//   3. store the message `pending` (it shows in the thread at once);
//   4. call the Graph API;
//   5. record Meta's id and ref (status webhooks then land on it) — or mark it `failed` with the
//      error, and answer with a clear API error.

/** WhatsApp's customer service window: free-form messages only within 24 h of the customer's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

export type SentBy = NonNullable<OutboundDraft['sentBy']>;

type Target = {
  conversationId: string;
  conversation?: Conversation;
  customerId: string;
  channel: ChannelWithSecret;
  recipient: string;
};

function contentOf(request: SendMessageRequest): OutboundContent {
  if (request.template) return { kind: 'template', ...request.template };
  if (request.media) {
    return {
      kind: 'media',
      mediaType: request.media.type,
      url: request.media.url,
      caption: request.media.caption,
      filename: request.media.filename,
    };
  }
  return { kind: 'text', text: request.text ?? '' };
}

function recipientOf(
  channel: ChannelWithSecret,
  customerId: string,
  customer?: Customer,
): string | undefined {
  const prefix = channel.type === 'whatsapp' ? 'wa-' : 'ig-';
  return (
    customer?.identities[channel.type] ??
    (customerId.startsWith(prefix) ? customerId.slice(prefix.length) : undefined)
  );
}

async function channelOf(data: TenantData, channelId: string): Promise<ChannelWithSecret> {
  const channel = await data.channels.getWithSecret(channelId);
  if (!channel) {
    throw new AppError('channel_not_found', 'The channel of this conversation was disconnected.', {
      channelId,
    });
  }
  return channel;
}

async function resolveTarget(data: TenantData, request: SendMessageRequest): Promise<Target> {
  if (request.conversationId) {
    const conversation = await data.conversations.get(request.conversationId);
    if (!conversation) throw new NotFoundError('Conversation');
    const [channel, customer] = await Promise.all([
      channelOf(data, conversation.channelId),
      data.customers.get(conversation.customerId),
    ]);
    const recipient = recipientOf(channel, conversation.customerId, customer);
    if (!recipient) throw new NotFoundError('Customer');
    return {
      conversationId: conversation.id,
      conversation,
      customerId: conversation.customerId,
      channel,
      recipient,
    };
  }
  const customerId = request.customerId ?? '';
  const customer = await data.customers.get(customerId);
  if (!customer) throw new NotFoundError('Customer');
  const candidates = (await data.channels.list()).filter(
    (ch) => ch.type === request.channel && (!request.channelId || ch.id === request.channelId),
  );
  if (candidates.length === 0) {
    if (request.channelId) throw new NotFoundError('Channel');
    throw new AppError(
      'channel_not_found',
      `This workspace has no connected ${request.channel === 'whatsapp' ? 'WhatsApp' : 'Instagram'} channel.`,
    );
  }
  // Prefer the channel the customer last wrote to; else the oldest active one.
  const conversations = await data.conversations.getMany(
    candidates.map((ch) => conversationIdOf(ch.id, customer.id)),
  );
  const latest = conversations.sort((a, b) =>
    (b.lastInboundAt ?? '').localeCompare(a.lastInboundAt ?? ''),
  )[0];
  const chosen =
    candidates.find((ch) => ch.id === latest?.channelId) ??
    [...candidates].sort(
      (a, b) =>
        Number(a.status !== 'active') - Number(b.status !== 'active') ||
        a.createdAt.localeCompare(b.createdAt),
    )[0]!;
  const channel = await channelOf(data, chosen.id);
  const recipient = recipientOf(channel, customer.id, customer);
  if (!recipient) {
    throw new AppError(
      'invalid_parameter',
      `This customer has no ${channel.type === 'whatsapp' ? 'WhatsApp number' : 'Instagram account'} to write to.`,
    );
  }
  const conversationId = conversationIdOf(channel.id, customer.id);
  return {
    conversationId,
    conversation: conversations.find((conv) => conv.id === conversationId),
    customerId: customer.id,
    channel,
    recipient,
  };
}

function checkContentForChannel(request: SendMessageRequest, channel: ChannelWithSecret): void {
  if (channel.type === 'whatsapp') return;
  if (request.template) {
    throw new AppError(
      'invalid_parameter',
      'Templates are a WhatsApp feature; reply on Instagram with text or media.',
      { param: 'template' },
    );
  }
  if (request.replyTo) {
    throw new AppError('invalid_parameter', 'Quoting a message is supported on WhatsApp only.', {
      param: 'replyTo',
    });
  }
  if (request.media?.caption || request.media?.filename) {
    throw new AppError(
      'invalid_parameter',
      'Instagram media messages carry no caption or filename; send the text separately.',
      { param: 'media.caption' },
    );
  }
  if (request.text && Buffer.byteLength(request.text) > 1000) {
    throw new AppError('invalid_parameter', 'Instagram text messages are at most 1000 bytes.', {
      param: 'text',
    });
  }
}

/** WhatsApp refuses free-form messages 24 h after the customer's last message; say so without calling Meta. */
function checkWindow(target: Target, request: SendMessageRequest, now: Date): void {
  if (target.channel.type !== 'whatsapp' || request.template) return;
  const last = target.conversation?.lastInboundAt;
  const closesAt = last ? Date.parse(last) + CUSTOMER_SERVICE_WINDOW_MS : undefined;
  if (closesAt === undefined || closesAt <= now.getTime()) {
    throw new AppError(
      'window_closed',
      last
        ? 'More than 24 hours have passed since the customer last wrote. Send an approved template instead.'
        : 'The customer has not written to this number yet. Start the conversation with an approved template.',
      {
        ...(last ? { lastInboundAt: last } : {}),
        ...(closesAt !== undefined ? { windowClosedAt: new Date(closesAt).toISOString() } : {}),
      },
    );
  }
}

async function quotedMessage(
  data: TenantData,
  target: Target,
  replyTo: string | undefined,
): Promise<string | undefined> {
  if (!replyTo) return undefined;
  const quoted = await data.messages.findByIdForCustomer(target.customerId, replyTo);
  if (!quoted || quoted.conversationId !== target.conversationId || !quoted.channelMessageId) {
    throw new AppError(
      'invalid_parameter',
      'replyTo must be the id of a sent or received message in this conversation.',
      { param: 'replyTo' },
    );
  }
  return quoted.channelMessageId;
}

/** Checks the template against the channel's approved list (refreshing once on a miss) and renders its text. */
async function templateText(
  deps: OutboundDeps,
  data: TenantData,
  channel: ChannelWithSecret,
  template: NonNullable<SendMessageRequest['template']>,
): Promise<string | undefined> {
  const find = (list: Awaited<ReturnType<typeof approvedTemplates>>) =>
    list.templates.find((t) => t.name === template.name && t.language === template.language);
  let found = find(await approvedTemplates(deps, data, channel));
  // Approved a minute ago, not in the cache yet.
  if (!found) found = find(await approvedTemplates(deps, data, channel, { refresh: true }));
  if (!found) {
    throw new AppError(
      'template_not_found',
      `No approved template "${template.name}" in ${template.language} on this number.`,
      { param: 'template' },
    );
  }
  return renderTemplateText(found, template.parameters);
}

function messageTypeOf(content: OutboundContent): MessageType {
  return content.kind === 'media' ? content.mediaType : content.kind;
}

/** Sends one message. `reservation` fixes the message id and time (stable across idempotent retries). */
export async function sendMessage(
  deps: OutboundDeps,
  data: TenantData,
  request: SendMessageRequest,
  sentBy: SentBy | undefined,
  reservation: Reservation,
): Promise<SendMessageResponse> {
  const now = deps.now();
  const target = await resolveTarget(data, request);
  const { channel } = target;
  if (reservation.resumed) {
    const resumed = await resume(deps, data, target, reservation);
    if (resumed) return resumed;
  }
  if (channel.status === 'needs_reconnect') throw reconnectError(channel);
  checkContentForChannel(request, channel);
  checkWindow(target, request, now);
  const replyToChannelMessageId = await quotedMessage(data, target, request.replyTo);
  const content = contentOf(request);
  const text =
    content.kind === 'text'
      ? content.text
      : content.kind === 'media'
        ? content.caption
        : await templateText(deps, data, channel, request.template!);

  const token = await deps.cipher.decrypt(channel.tokenCiphertext, { tenantId: data.tenantId });
  const senderId = channel.type === 'whatsapp' ? channel.phoneNumberId : channel.accountId;
  await deps.limiter.acquire(`${channel.type}:${senderId}`);

  const draft: OutboundDraft = {
    id: reservation.id,
    customerId: target.customerId,
    conversationId: target.conversationId,
    channel: channel.type,
    channelId: channel.id,
    direction: 'outbound',
    type: messageTypeOf(content),
    timestamp: reservation.at,
    ...(text !== undefined ? { text } : {}),
    ...(content.kind === 'media'
      ? {
          media: {
            url: content.url,
            ...(content.caption ? { caption: content.caption } : {}),
            ...(content.filename ? { filename: content.filename } : {}),
          },
        }
      : {}),
    ...(content.kind === 'template' ? { template: request.template } : {}),
    ...(replyToChannelMessageId
      ? { context: { messageId: replyToChannelMessageId }, replyTo: request.replyTo }
      : {}),
    ...(sentBy ? { sentBy } : {}),
    status: 'pending',
    createdAt: now.toISOString(),
  };
  const ref = await storePendingOutbound(data, draft);

  let channelMessageId: string;
  try {
    channelMessageId =
      channel.type === 'whatsapp'
        ? (
            await deps.graph.sendWhatsApp(token, {
              phoneNumberId: channel.phoneNumberId ?? '',
              to: target.recipient,
              content,
              replyToChannelMessageId,
            })
          ).channelMessageId
        : (
            await deps.graph.sendInstagram(token, {
              accountId: channel.accountId ?? '',
              recipientId: target.recipient,
              content: content as Exclude<OutboundContent, { kind: 'template' }>,
            })
          ).channelMessageId;
  } catch (err) {
    return failSend(deps, data, channel, ref, draft.id, err);
  }

  const at = deps.now().toISOString();
  let stored: StoredMessage | undefined;
  try {
    stored = await recordAcceptance(data, ref, channel.type, channelMessageId, at);
    // Instagram reports no `sent` status: its success response is the send.
    if (channel.type === 'instagram') {
      stored = (await data.messages.applyStatus(ref, 'sent', at)) ?? stored;
    }
  } catch (err) {
    // Meta has the message; say which one, so it can be reconciled (its statuses are parked).
    deps.log.error('message sent but not recorded', {
      tenantId: data.tenantId,
      messageId: draft.id,
      channelMessageId,
      error: (err as Error).name,
    });
    throw err;
  }
  deps.log.info('message sent', {
    tenantId: data.tenantId,
    channelId: channel.id,
    messageId: draft.id,
    type: draft.type,
  });
  return {
    id: draft.id,
    conversationId: target.conversationId,
    channelMessageId,
    status: toResponseStatus(stored?.status),
  };
}

function toResponseStatus(status: string | undefined): SendMessageResponse['status'] {
  return status === 'sent' || status === 'delivered' || status === 'read' || status === 'failed'
    ? status
    : 'pending';
}

async function failSend(
  deps: OutboundDeps,
  data: TenantData,
  channel: ChannelWithSecret,
  ref: MessageRef,
  messageId: string,
  err: unknown,
): Promise<never> {
  const at = deps.now().toISOString();
  if (!(err instanceof GraphApiError || err instanceof GraphTransportError)) {
    await data.messages.markSendFailed(ref, at, [{ code: 0, title: 'Internal error' }], {
      code: 'internal_error',
      message: 'The message could not be sent.',
    });
    throw err;
  }
  const appError = graphFailureToAppError(err, {
    channel: channel.type,
    extra: { messageId },
  });
  await data.messages.markSendFailed(ref, at, [toMetaError(err)], {
    code: appError.code,
    message: appError.message,
  });
  deps.log.warn('message send failed', {
    tenantId: data.tenantId,
    channelId: channel.id,
    messageId,
    code: appError.code,
    metaCode: err instanceof GraphApiError ? err.code : err.reason,
  });
  return failOnGraph(data, channel, err, { messageId });
}

/**
 * A retry of an idempotent send whose first attempt died midway. Whatever it stored is the answer:
 * a message Meta accepted is reported as it stands; one still pending is marked failed rather than
 * sent again, since the first attempt may have reached the customer (Meta has no idempotency key).
 * Undefined when the first attempt stored nothing: then the send simply runs.
 */
async function resume(
  deps: OutboundDeps,
  data: TenantData,
  target: Target,
  reservation: Reservation,
): Promise<SendMessageResponse | undefined> {
  const key = data.messages.keyOf({
    customerId: target.customerId,
    timestamp: reservation.at,
    id: reservation.id,
  });
  const existing = await data.messages.get(key);
  if (!existing) return undefined;
  if (existing.channelMessageId) {
    return {
      id: existing.id,
      conversationId: existing.conversationId,
      channelMessageId: existing.channelMessageId,
      status: toResponseStatus(existing.status),
    };
  }
  const ref: MessageRef = {
    key,
    customerId: existing.customerId,
    conversationId: existing.conversationId,
  };
  await data.messages.markSendFailed(
    ref,
    deps.now().toISOString(),
    [{ code: 0, title: 'Interrupted' }],
    {
      code: 'meta_unavailable',
      message:
        'The first attempt of this request was interrupted; the message may or may not have reached the customer.',
    },
  );
  return { id: existing.id, conversationId: existing.conversationId, status: 'failed' };
}

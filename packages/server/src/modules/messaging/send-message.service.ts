import type {
  MediaKind,
  SendMessageRequest,
  SendMessageResponse,
  SentTemplate,
} from '@switchboard/contracts';
import type { ChannelWithSecret } from '../channels/channel.repo';
import { conversationIdOf, type Conversation } from './conversation.repo';
import { conversationOwnerOf, type Customer } from './customer.repo';
import type { MessageRef, OutboundDraft, StoredMessage } from './message.repo';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import type { MessageType } from './meta/inbound-event';
import type {
  OutboundContent,
  TemplateButtonContent,
  TemplateHeaderContent,
} from './meta/graph-client';
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
import type { CachedTemplate } from './template-cache.repo';
import type { StoredMedia } from './media/media-keys';
import { safeFileName } from './media/media-keys';
import type { UploadedMediaItem } from './media/media.repo';
import type { OutboundDeps } from './outbound-deps';
import { recordAcceptance, storePendingOutbound } from './outbound-message.service';
import {
  emitConversationUpdated,
  emitMessageCreated,
  emitMessageUpdated,
  type MessageChange,
} from '../live/live-events';
import type { Reservation } from '../../engine/data/idempotent-request';

// POST /send-message: reply on WhatsApp or Instagram. The order matters:
//   1. resolve conversation, channel and recipient; refuse early what Meta would refuse (closed
//      24-hour window, a channel whose token Meta already rejected, content the channel lacks, an
//      upload of another kind, a template's header or buttons that do not fit it);
//   2. take a throughput token for the sender;
//   3. WhatsApp, media by upload id: make sure Meta has the file (`POST /{phone-number-id}/media`,
//      once per number and 30 days: Meta's id is kept on the upload). Instagram: a signed URL of
//      our copy, which Meta fetches;
//   4. store the message `pending` (it shows in the thread at once);
//   5. call the Graph API;
//   6. record Meta's id and ref (status webhooks then land on it) — or mark it `failed` with the
//      error, and answer with a clear API error.

/** WhatsApp's customer service window: free-form messages only within 24 h of the customer's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Meta keeps an uploaded file 30 days; past 29 it is uploaded again rather than risk a dead id. */
export const META_MEDIA_REUSE_MS = 29 * 24 * 60 * 60 * 1000;

export type SentBy = NonNullable<OutboundDraft['sentBy']>;

type Target = {
  conversationId: string;
  conversation?: Conversation;
  customerId: string;
  channel: ChannelWithSecret;
  recipient: string;
};

/** An upload a request names (`media.id`, or a template header's `id`), loaded and checked. */
type UploadRef = { upload: UploadedMediaItem; at: 'media' | 'template.header' };

export function recipientOf(
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
    candidates.map((ch) => conversationIdOf(ch.id, conversationOwnerOf(customer, ch.type))),
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
  const conversationId = conversationIdOf(channel.id, conversationOwnerOf(customer, channel.type));
  return {
    conversationId,
    conversation: conversations.find((conv) => conv.id === conversationId),
    customerId: customer.id,
    channel,
    recipient,
  };
}

function invalid(message: string, param: string): AppError {
  return new AppError('invalid_parameter', message, { param });
}

/** Refuses, before anything is stored, what the channel has no way to send. */
function checkContentForChannel(request: SendMessageRequest, channel: ChannelWithSecret): void {
  if (request.reaction && request.replyTo) {
    throw invalid(
      'A reaction names its message in reaction.messageId; replyTo does not apply.',
      'replyTo',
    );
  }
  const interactive = request.interactive;
  if (interactive) checkInteractiveIds(interactive);
  if (channel.type === 'whatsapp') return;
  if (request.template) {
    throw invalid(
      'Templates are a WhatsApp feature; reply on Instagram with text or media.',
      'template',
    );
  }
  if (request.media?.type === 'sticker') {
    throw invalid('Stickers are a WhatsApp feature; send the image instead.', 'media.type');
  }
  if (request.media?.caption || request.media?.filename) {
    throw invalid(
      'Instagram media messages carry no caption or filename; send the text separately.',
      'media.caption',
    );
  }
  if (interactive?.type === 'list') {
    throw invalid(
      'Instagram has no list messages; send up to 3 buttons instead (shown as quick replies).',
      'interactive.type',
    );
  }
  if (interactive && (interactive.header || interactive.footer)) {
    throw invalid(
      'Instagram quick replies carry only the body text: no header or footer.',
      interactive.header ? 'interactive.header' : 'interactive.footer',
    );
  }
  const text = request.text ?? interactive?.body;
  if (text && Buffer.byteLength(text) > 1000) {
    throw invalid(
      'Instagram text messages are at most 1000 bytes.',
      request.text ? 'text' : 'interactive.body',
    );
  }
}

/** Meta refuses duplicate button or row ids, and a list of several sections without titles. */
function checkInteractiveIds(interactive: NonNullable<SendMessageRequest['interactive']>): void {
  const ids =
    interactive.type === 'buttons'
      ? interactive.buttons.map((b) => b.id)
      : interactive.sections.flatMap((s) => s.rows.map((r) => r.id));
  if (new Set(ids).size !== ids.length) {
    throw invalid(
      interactive.type === 'buttons'
        ? 'Each button needs its own id.'
        : 'Each row of the list needs its own id.',
      interactive.type === 'buttons' ? 'interactive.buttons' : 'interactive.sections',
    );
  }
  if (interactive.type === 'buttons') {
    const titles = interactive.buttons.map((b) => b.title.toLowerCase());
    if (new Set(titles).size !== titles.length) {
      throw invalid('Each button needs its own title.', 'interactive.buttons');
    }
  }
  if (
    interactive.type === 'list' &&
    interactive.sections.length > 1 &&
    interactive.sections.some((s) => !s.title)
  ) {
    throw invalid(
      'A list with more than one section needs a title on every section.',
      'interactive.sections',
    );
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

/** A message of this conversation that Meta knows (it has Meta's id), by our id. */
async function messageOfConversation(
  data: TenantData,
  target: Target,
  messageId: string,
  param: string,
  what: string,
): Promise<StoredMessage> {
  // A conversation moved by a merge keeps its earlier messages in the partitions it came from.
  let found: StoredMessage | undefined;
  for (const owner of [target.customerId, ...(target.conversation?.formerCustomerIds ?? [])]) {
    found = await data.messages.findByIdForCustomer(owner, messageId);
    if (found) break;
  }
  if (!found || found.conversationId !== target.conversationId || !found.channelMessageId) {
    throw invalid(
      `${what} must be the id of a sent or received message in this conversation.`,
      param,
    );
  }
  return found;
}

/**
 * An upload named by the request: another tenant's id is simply not there (404, like a missing
 * one); its kind must be the kind the request says.
 */
async function uploadOf(
  data: TenantData,
  mediaId: string,
  kind: MediaKind,
  at: UploadRef['at'],
): Promise<UploadRef> {
  const upload = await data.media.get(mediaId);
  if (!upload) throw new NotFoundError('Media');
  if (upload.type !== kind) {
    throw invalid(
      `The upload ${mediaId} is ${article(upload.type)} (${upload.mimeType}), not ${article(kind)}.`,
      `${at}.type`,
    );
  }
  return { upload, at };
}

function article(kind: MediaKind): string {
  return kind === 'image' || kind === 'audio' ? `an ${kind}` : `a ${kind}`;
}

// ---------------------------------------------------------------- templates

type FoundTemplate = { template: CachedTemplate; text?: string };

/** Checks the template against the channel's approved list (refreshing once on a miss) and renders its text. */
async function findTemplate(
  deps: OutboundDeps,
  data: TenantData,
  channel: ChannelWithSecret,
  template: NonNullable<SendMessageRequest['template']>,
): Promise<FoundTemplate> {
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
  checkTemplateFit(found, template);
  return { template: found, text: renderTemplateText(found, template.parameters) };
}

const variable = /\{\{\s*(\w+)\s*\}\}/;

function componentOf(template: CachedTemplate, type: string): Record<string, unknown> | undefined {
  return template.components.find((c) => String(c.type).toUpperCase() === type);
}

/**
 * The header and button parameters must fit the approved template (Meta refuses the message
 * otherwise, 132012 / 131008): a media header needs its media, a text header with a variable its
 * text, a URL button with a variable its suffix; nothing is given for what has no variable.
 */
function checkTemplateFit(
  template: CachedTemplate,
  request: NonNullable<SendMessageRequest['template']>,
): void {
  const header = componentOf(template, 'HEADER');
  const format = String(header?.format ?? '').toUpperCase();
  const needsHeader =
    format === 'IMAGE' ||
    format === 'VIDEO' ||
    format === 'DOCUMENT' ||
    (format === 'TEXT' && variable.test(String(header?.text ?? '')));
  if (needsHeader && !request.header) {
    throw invalid(
      `The template "${template.name}" has ${format === 'TEXT' ? 'a header variable' : `${article(format.toLowerCase() as MediaKind)} header`}: give template.header.`,
      'template.header',
    );
  }
  if (request.header) {
    if (!needsHeader) {
      throw invalid(
        `The template "${template.name}" has no header to fill; leave template.header out.`,
        'template.header',
      );
    }
    if (request.header.type !== format.toLowerCase()) {
      throw invalid(
        `The template "${template.name}" has a ${format.toLowerCase()} header, not ${request.header.type}.`,
        'template.header.type',
      );
    }
  }
  const listed = componentOf(template, 'BUTTONS')?.buttons;
  const buttons = Array.isArray(listed) ? (listed as Record<string, unknown>[]) : [];
  const given = request.buttons ?? [];
  if (new Set(given.map((b) => b.index)).size !== given.length) {
    throw invalid('Give each button index once.', 'template.buttons');
  }
  for (const param of given) {
    const button = buttons[param.index];
    const type = String(button?.type ?? '').toUpperCase();
    const fits =
      param.subType === 'url'
        ? type === 'URL' && variable.test(String(button?.url ?? ''))
        : type === 'QUICK_REPLY';
    if (!fits) {
      throw invalid(
        button
          ? `Button ${param.index} of "${template.name}" is ${type.toLowerCase() || 'another kind'}${type === 'URL' ? ' without a variable' : ''}: it takes no ${param.subType === 'url' ? 'URL suffix' : 'payload'}.`
          : `The template "${template.name}" has no button ${param.index}.`,
        'template.buttons',
      );
    }
  }
  buttons.forEach((button, index) => {
    const dynamicUrl =
      String(button.type ?? '').toUpperCase() === 'URL' && variable.test(String(button.url ?? ''));
    if (dynamicUrl && !given.some((b) => b.index === index && b.subType === 'url')) {
      throw invalid(
        `Button ${index} of "${template.name}" is a URL with a variable: give its suffix in template.buttons.`,
        'template.buttons',
      );
    }
  });
}

/** The header variable's name, for named-parameter templates (`{{order_id}}`). */
function headerParameterName(template: CachedTemplate): string | undefined {
  if (template.parameterFormat !== 'NAMED') return undefined;
  const text = String(componentOf(template, 'HEADER')?.text ?? '');
  return variable.exec(text)?.[1];
}

function sentButtons(
  buttons: NonNullable<SendMessageRequest['template']>['buttons'],
): SentTemplate['buttons'] {
  return buttons?.map((b) => ({
    index: b.index,
    subType: b.subType,
    value: b.subType === 'url' ? b.text : b.payload,
  }));
}

function buttonContent(
  buttons: NonNullable<SendMessageRequest['template']>['buttons'],
): TemplateButtonContent[] | undefined {
  return buttons?.map((b) =>
    b.subType === 'url'
      ? { subType: 'url', index: b.index, text: b.text }
      : { subType: 'quick_reply', index: b.index, payload: b.payload },
  );
}

// ---------------------------------------------------------------- media

/** How the stored message holds an upload we sent: ready, with our copy's key. */
function storedMediaOf(
  upload: UploadedMediaItem,
  extra: { caption?: string; filename?: string } = {},
): StoredMedia {
  const filename = extra.filename ?? upload.filename;
  return {
    id: upload.id,
    key: upload.key,
    mimeType: upload.mimeType,
    size: upload.size,
    sha256: upload.sha256,
    status: 'ready',
    ...(filename ? { filename } : {}),
    ...(extra.caption ? { caption: extra.caption } : {}),
  };
}

/** Meta's id of the upload on this number: the cached one while Meta keeps it, else a new upload. */
async function whatsappMediaId(
  deps: OutboundDeps,
  data: TenantData,
  channel: ChannelWithSecret,
  token: string,
  upload: UploadedMediaItem,
  opts: { fresh?: boolean } = {},
): Promise<{ id: string; cached: boolean }> {
  const phoneNumberId = channel.phoneNumberId ?? '';
  const now = deps.now();
  const cached = upload.metaIds[phoneNumberId];
  if (
    !opts.fresh &&
    cached &&
    now.getTime() - Date.parse(cached.uploadedAt) < META_MEDIA_REUSE_MS
  ) {
    return { id: cached.id, cached: true };
  }
  const blob = deps.blobs ? await deps.blobs.get(upload.key) : undefined;
  if (!blob) {
    throw new AppError(
      'media_not_ready',
      'The uploaded file is no longer stored. Upload it again.',
      { mediaId: upload.id },
    );
  }
  let id: string;
  try {
    ({ id } = await deps.graph.uploadWhatsAppMedia(token, {
      phoneNumberId,
      bytes: blob.body,
      mimeType: upload.mimeType,
      filename: safeFileName(upload.filename, upload.mimeType),
    }));
  } catch (err) {
    if (err instanceof GraphApiError || err instanceof GraphTransportError) {
      if (
        err instanceof GraphApiError &&
        (err.kind === 'token_invalid' || err.kind === 'permission_denied')
      ) {
        await data.channels.setStatus(channel.id, 'needs_reconnect');
      }
      deps.log.warn('media upload to Meta failed', {
        tenantId: data.tenantId,
        channelId: channel.id,
        mediaId: upload.id,
        metaCode: err instanceof GraphApiError ? err.code : err.reason,
      });
      throw graphFailureToAppError(err, {
        channel: 'whatsapp',
        operation: 'media_upload',
        extra: { mediaId: upload.id },
      });
    }
    throw err;
  }
  upload.metaIds[phoneNumberId] = { id, uploadedAt: now.toISOString() };
  await data.media.setMetaId(upload.id, phoneNumberId, upload.metaIds[phoneNumberId]!);
  return { id, cached: false };
}

/** Instagram fetches attachments by URL: a signed, absolute URL of our copy. */
async function instagramMediaUrl(deps: OutboundDeps, upload: UploadedMediaItem): Promise<string> {
  if (!deps.mediaUrl) throw new Error('outbound deps without mediaUrl: cannot send an upload');
  return deps.mediaUrl(upload.key);
}

/** Meta no longer knows a media id we cached (it expired early, or was deleted): upload again. */
function isStaleMediaId(err: unknown): boolean {
  return err instanceof GraphApiError && (err.code === 100 || err.code === 131053);
}

// ---------------------------------------------------------------- the send

type Prepared = {
  content: OutboundContent;
  /** The upload the content references, when it is one of ours. */
  upload?: UploadRef;
  /** What the stored message records. */
  type: MessageType;
  text?: string;
  media?: StoredMedia;
  template?: SentTemplate;
  outboundInteractive?: OutboundDraft['outboundInteractive'];
  reaction?: OutboundDraft['reaction'];
};

/** Everything about the request that needs no call to Meta, checked and shaped. */
async function prepare(
  deps: OutboundDeps,
  data: TenantData,
  target: Target,
  request: SendMessageRequest,
): Promise<Prepared> {
  const { channel } = target;
  if (request.media) {
    const media = request.media;
    const upload = media.id ? await uploadOf(data, media.id, media.type, 'media') : undefined;
    const caption = media.caption;
    return {
      content: {
        kind: 'media',
        mediaType: media.type,
        url: media.url,
        caption,
        filename:
          media.filename ?? (media.type === 'document' ? upload?.upload.filename : undefined),
      },
      upload,
      type: media.type,
      text: caption,
      media: upload
        ? storedMediaOf(upload.upload, { caption, filename: media.filename })
        : {
            url: media.url,
            ...(caption ? { caption } : {}),
            ...(media.filename ? { filename: media.filename } : {}),
          },
    };
  }
  if (request.template) {
    const template = request.template;
    const found = await findTemplate(deps, data, channel, template);
    const header = template.header;
    const upload =
      header && header.type !== 'text' && header.id
        ? await uploadOf(data, header.id, header.type, 'template.header')
        : undefined;
    const headerContent: TemplateHeaderContent | undefined = !header
      ? undefined
      : header.type === 'text'
        ? { type: 'text', text: header.text, parameterName: headerParameterName(found.template) }
        : {
            type: header.type,
            link: header.url,
            filename:
              header.filename ?? (header.type === 'document' ? upload?.upload.filename : undefined),
          };
    const sent: SentTemplate = {
      name: template.name,
      language: template.language,
      ...(template.parameters ? { parameters: template.parameters } : {}),
      ...(header
        ? {
            header:
              header.type === 'text' ? { type: 'text', text: header.text } : { type: header.type },
          }
        : {}),
      ...(template.buttons?.length ? { buttons: sentButtons(template.buttons) } : {}),
    };
    return {
      content: {
        kind: 'template',
        name: template.name,
        language: template.language,
        parameters: template.parameters,
        header: headerContent,
        buttons: buttonContent(template.buttons),
      },
      upload,
      type: 'template',
      text: found.text,
      template: sent,
      ...(header && header.type !== 'text'
        ? {
            media: upload
              ? storedMediaOf(upload.upload, { filename: header.filename })
              : { url: header.url, ...(header.filename ? { filename: header.filename } : {}) },
          }
        : {}),
    };
  }
  if (request.interactive) {
    return {
      content: { kind: 'interactive', interactive: request.interactive },
      type: 'interactive',
      text: request.interactive.body,
      outboundInteractive: request.interactive,
    };
  }
  if (request.reaction) {
    const reacted = await messageOfConversation(
      data,
      target,
      request.reaction.messageId,
      'reaction.messageId',
      'reaction.messageId',
    );
    const emoji = request.reaction.emoji;
    return {
      content: { kind: 'reaction', messageId: reacted.channelMessageId, emoji },
      type: 'reaction',
      reaction: {
        messageId: reacted.channelMessageId,
        action: emoji ? 'react' : 'unreact',
        // Instagram shows every reaction as a heart: record what the customer sees.
        ...(emoji ? { emoji: channel.type === 'instagram' ? '❤️' : emoji } : {}),
      },
    };
  }
  const text = request.text ?? '';
  return { content: { kind: 'text', text }, type: 'text', text };
}

/** Puts Meta's side of an upload into the content: its media id (WhatsApp) or our URL (Instagram). */
async function withUpload(
  deps: OutboundDeps,
  data: TenantData,
  channel: ChannelWithSecret,
  token: string,
  prepared: Prepared,
  opts: { fresh?: boolean } = {},
): Promise<{ content: OutboundContent; cachedId: boolean }> {
  const ref = prepared.upload;
  const content = prepared.content;
  if (!ref) return { content, cachedId: false };
  if (channel.type === 'instagram') {
    const url = await instagramMediaUrl(deps, ref.upload);
    return { content: content.kind === 'media' ? { ...content, url } : content, cachedId: false };
  }
  const meta = await whatsappMediaId(deps, data, channel, token, ref.upload, opts);
  if (content.kind === 'media')
    return { content: { ...content, id: meta.id }, cachedId: meta.cached };
  if (content.kind === 'template' && content.header && content.header.type !== 'text') {
    return {
      content: { ...content, header: { ...content.header, id: meta.id, link: undefined } },
      cachedId: meta.cached,
    };
  }
  return { content, cachedId: false };
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
  const quoted = request.replyTo
    ? await messageOfConversation(data, target, request.replyTo, 'replyTo', 'replyTo')
    : undefined;
  const replyToChannelMessageId = quoted?.channelMessageId;
  const prepared = await prepare(deps, data, target, request);

  const token = await deps.cipher.decrypt(channel.tokenCiphertext, { tenantId: data.tenantId });
  const senderId = channel.type === 'whatsapp' ? channel.phoneNumberId : channel.accountId;
  await deps.limiter.acquire(`${channel.type}:${senderId}`);
  // Before anything is stored: a file Meta will not take leaves no message behind.
  let { content, cachedId } = await withUpload(deps, data, channel, token, prepared);

  const draft: OutboundDraft = {
    id: reservation.id,
    customerId: target.customerId,
    conversationId: target.conversationId,
    channel: channel.type,
    channelId: channel.id,
    direction: 'outbound',
    type: prepared.type,
    timestamp: reservation.at,
    ...(prepared.text !== undefined ? { text: prepared.text } : {}),
    ...(prepared.media ? { media: prepared.media } : {}),
    ...(prepared.template ? { template: prepared.template } : {}),
    ...(prepared.outboundInteractive ? { outboundInteractive: prepared.outboundInteractive } : {}),
    ...(prepared.reaction ? { reaction: prepared.reaction } : {}),
    ...(replyToChannelMessageId
      ? { context: { messageId: replyToChannelMessageId }, replyTo: request.replyTo }
      : {}),
    ...(sentBy ? { sentBy } : {}),
    status: 'pending',
    createdAt: now.toISOString(),
  };
  const ref = await storePendingOutbound(data, draft);
  await emitSendEvent(deps, data, ref);

  const callMeta = async (): Promise<string | undefined> => {
    if (channel.type === 'whatsapp') {
      const sent = await deps.graph.sendWhatsApp(token, {
        phoneNumberId: channel.phoneNumberId ?? '',
        to: target.recipient,
        content,
        replyToChannelMessageId,
      });
      return sent.channelMessageId;
    }
    if (content.kind === 'reaction') {
      // Instagram reactions are sender actions: Meta answers with no message id.
      await deps.graph.sendInstagramAction(token, {
        accountId: channel.accountId ?? '',
        recipientId: target.recipient,
        ...(content.emoji
          ? { action: 'react', messageId: content.messageId }
          : { action: 'unreact', messageId: content.messageId }),
      });
      return undefined;
    }
    const sent = await deps.graph.sendInstagram(token, {
      accountId: channel.accountId ?? '',
      recipientId: target.recipient,
      content: content as Exclude<OutboundContent, { kind: 'template' } | { kind: 'reaction' }>,
      replyToChannelMessageId,
    });
    return sent.channelMessageId;
  };

  let channelMessageId: string | undefined;
  try {
    try {
      channelMessageId = await callMeta();
    } catch (err) {
      // Meta forgot an upload we had its id for: upload it again, once.
      if (!cachedId || !isStaleMediaId(err)) throw err;
      deps.log.info('Meta no longer has an uploaded file; uploading it again', {
        tenantId: data.tenantId,
        mediaId: prepared.upload?.upload.id,
      });
      ({ content, cachedId } = await withUpload(deps, data, channel, token, prepared, {
        fresh: true,
      }));
      channelMessageId = await callMeta();
    }
  } catch (err) {
    return failSend(deps, data, channel, ref, draft.id, err);
  }

  const at = deps.now().toISOString();
  let stored: StoredMessage | undefined;
  try {
    stored = channelMessageId
      ? await recordAcceptance(data, ref, channel.type, channelMessageId, at)
      : undefined;
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
  await emitSendEvent(
    deps,
    data,
    ref,
    channelMessageId
      ? { kind: 'accepted', channelMessageId }
      : { kind: 'status', status: stored?.status ?? 'sent' },
  );
  deps.log.info('message sent', {
    tenantId: data.tenantId,
    channelId: channel.id,
    messageId: draft.id,
    type: draft.type,
  });
  return {
    id: draft.id,
    conversationId: target.conversationId,
    ...(channelMessageId ? { channelMessageId } : {}),
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
    await emitSendEvent(deps, data, ref, { kind: 'status', status: 'failed' });
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
  await emitSendEvent(deps, data, ref, { kind: 'status', status: 'failed' });
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
  await emitSendEvent(deps, data, ref, { kind: 'status', status: 'failed' });
  return { id: existing.id, conversationId: existing.conversationId, status: 'failed' };
}

/**
 * The send's workspace events, from the message as stored: `message.created` (and the
 * conversation's new preview) for the pending message, `message.updated` once Meta's id or a
 * failure landed. The message is already recorded, so a sink's failure is logged, not thrown:
 * the API answer says what happened, and screens refetch what they missed.
 */
async function emitSendEvent(
  deps: OutboundDeps,
  data: TenantData,
  ref: MessageRef,
  change?: MessageChange,
): Promise<void> {
  const events = deps.events;
  if (!events) return;
  try {
    const message = await data.messages.get(ref.key);
    if (!message) return;
    if (change) {
      await emitMessageUpdated(events, data.tenantId, message, change);
      return;
    }
    await emitMessageCreated(events, data.tenantId, message);
    await emitConversationUpdated(events, data, message.conversationId, 'message', message.id);
  } catch (error) {
    deps.log.warn('send event not delivered', { tenantId: data.tenantId, error: String(error) });
  }
}

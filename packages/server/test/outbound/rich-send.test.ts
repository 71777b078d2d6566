import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../helpers/harness';
import { samples, upload } from './media-fixtures';
import {
  igInbound,
  igTenant,
  messageById,
  messagesOf,
  send,
  startOutboundSandbox,
  waInbound,
  waTenant,
} from './outbound-harness';

// Everything but text and plain media: interactive reply buttons and lists (WhatsApp), quick
// replies (Instagram), reactions, Instagram replies to a message, and templates with a media
// header and dynamic buttons. The exact JSON reaches the stand-in, which holds it to Meta's limits,
// and the stored message records what was sent.

let t: TestSandbox;
beforeAll(async () => {
  t = await startOutboundSandbox();
});
afterAll(async () => {
  await t?.stop();
});

const stand = () => t.sb.metaStandIn!;
const sentBody = (channelMessageId: string) =>
  stand().sent.find((s) => s.channelMessageId === channelMessageId)?.body as any;

describe('WhatsApp interactive messages', () => {
  it('sends reply buttons in Meta’s shape and records them', async () => {
    // Prepare
    const tenant = await waTenant(t);
    const { conversation, from } = await waInbound(t, tenant);
    const interactive = {
      type: 'buttons',
      header: 'Pedido #1042',
      body: 'Podemos entregar amanhã às 10h?',
      footer: 'Loja Sandbox',
      buttons: [
        { id: 'deliver-yes', title: 'Sim' },
        { id: 'deliver-later', title: 'Outro horário' },
      ],
    } as const;

    // Act
    const res = await send(t, tenant.token, { conversationId: conversation.id, interactive });

    // Assess
    expect(res.status).toBe(202);
    expect(sentBody(res.json.channelMessageId)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: from,
      type: 'interactive',
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Pedido #1042' },
        body: { text: 'Podemos entregar amanhã às 10h?' },
        footer: { text: 'Loja Sandbox' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'deliver-yes', title: 'Sim' } },
            { type: 'reply', reply: { id: 'deliver-later', title: 'Outro horário' } },
          ],
        },
      },
    });
    const stored = await messageById(t, tenant.token, conversation.id, res.json.id);
    expect(stored).toMatchObject({
      type: 'interactive',
      text: 'Podemos entregar amanhã às 10h?',
      outboundInteractive: interactive,
    });
  });

  it('sends a list, and refuses what Meta would (untitled sections, duplicate ids)', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      interactive: {
        type: 'list',
        body: 'Escolha um horário para a entrega',
        button: 'Ver horários',
        sections: [
          {
            title: 'Manhã',
            rows: [
              { id: 'am-9', title: '9h – 10h', description: 'Sábado' },
              { id: 'am-11', title: '11h – 12h' },
            ],
          },
          { title: 'Tarde', rows: [{ id: 'pm-3', title: '15h – 16h' }] },
        ],
      },
    });
    expect(res.status).toBe(202);
    expect(sentBody(res.json.channelMessageId).interactive).toEqual({
      type: 'list',
      body: { text: 'Escolha um horário para a entrega' },
      action: {
        button: 'Ver horários',
        sections: [
          {
            title: 'Manhã',
            rows: [
              { id: 'am-9', title: '9h – 10h', description: 'Sábado' },
              { id: 'am-11', title: '11h – 12h' },
            ],
          },
          { title: 'Tarde', rows: [{ id: 'pm-3', title: '15h – 16h' }] },
        ],
      },
    });

    const untitled = await send(t, tenant.token, {
      conversationId: conversation.id,
      interactive: {
        type: 'list',
        body: 'x',
        button: 'Ver',
        sections: [{ rows: [{ id: 'a', title: 'A' }] }, { rows: [{ id: 'b', title: 'B' }] }],
      },
    });
    expect(untitled.status).toBe(400);
    expect(untitled.json.error).toMatchObject({
      code: 'invalid_parameter',
      param: 'interactive.sections',
    });
    const duplicate = await send(t, tenant.token, {
      conversationId: conversation.id,
      interactive: {
        type: 'buttons',
        body: 'x',
        buttons: [
          { id: 'same', title: 'A' },
          { id: 'same', title: 'B' },
        ],
      },
    });
    expect(duplicate.status).toBe(400);
    const tooMany = await send(t, tenant.token, {
      conversationId: conversation.id,
      interactive: {
        type: 'buttons',
        body: 'x',
        buttons: ['a', 'b', 'c', 'd'].map((id) => ({ id, title: id })),
      },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.code).toBe('validation_failed');
  });
});

describe('Instagram quick replies and replies', () => {
  it('sends buttons as quick replies, and refuses lists', async () => {
    const tenant = await igTenant(t);
    const { conversation, senderId } = await igInbound(t, tenant);
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      interactive: {
        type: 'buttons',
        body: 'Qual numeração?',
        buttons: [
          { id: 'size-41', title: '41' },
          { id: 'size-42', title: '42' },
        ],
      },
    });
    expect(res.status).toBe(202);
    expect(sentBody(res.json.channelMessageId)).toEqual({
      recipient: { id: senderId },
      message: {
        text: 'Qual numeração?',
        quick_replies: [
          { content_type: 'text', title: '41', payload: 'size-41' },
          { content_type: 'text', title: '42', payload: 'size-42' },
        ],
      },
    });
    const list = await send(t, tenant.token, {
      conversationId: conversation.id,
      interactive: {
        type: 'list',
        body: 'x',
        button: 'Ver',
        sections: [{ rows: [{ id: 'a', title: 'A' }] }],
      },
    });
    expect(list.status).toBe(400);
    expect(list.json.error).toMatchObject({ code: 'invalid_parameter', param: 'interactive.type' });
    expect(list.json.error.message).toMatch(/no list messages/);
  });

  it('replies to a specific message with reply_to', async () => {
    const tenant = await igTenant(t);
    const { conversation, senderId } = await igInbound(t, tenant);
    const inbound = (await messagesOf(t, tenant.token, conversation.id)).find(
      (m) => m.direction === 'inbound',
    );
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      text: 'Temos sim, no 42!',
      replyTo: inbound.id,
    });
    expect(res.status).toBe(202);
    expect(sentBody(res.json.channelMessageId)).toEqual({
      recipient: { id: senderId },
      reply_to: { mid: inbound.channelMessageId },
      message: { text: 'Temos sim, no 42!' },
    });
    expect(await messageById(t, tenant.token, conversation.id, res.json.id)).toMatchObject({
      replyTo: inbound.id,
      context: { messageId: inbound.channelMessageId },
    });
  });
});

describe('reactions', () => {
  it('WhatsApp: reacts to the customer’s message by its wamid, and removes it', async () => {
    const tenant = await waTenant(t);
    const { conversation, from, message } = await waInbound(t, tenant);
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      reaction: { messageId: message.id, emoji: '👍' },
    });
    expect(res.status).toBe(202);
    expect(sentBody(res.json.channelMessageId)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: from,
      type: 'reaction',
      reaction: { message_id: message.channelMessageId, emoji: '👍' },
    });
    expect(await messageById(t, tenant.token, conversation.id, res.json.id)).toMatchObject({
      type: 'reaction',
      reaction: { messageId: message.channelMessageId, emoji: '👍', action: 'react' },
    });
    const removed = await send(t, tenant.token, {
      conversationId: conversation.id,
      reaction: { messageId: message.id, emoji: '' },
    });
    expect(removed.status).toBe(202);
    expect(sentBody(removed.json.channelMessageId).reaction).toEqual({
      message_id: message.channelMessageId,
      emoji: '',
    });
  });

  it('refuses a reaction to a message of another conversation', async () => {
    const tenant = await waTenant(t);
    const first = await waInbound(t, tenant);
    const second = await waInbound(t, tenant);
    const res = await send(t, tenant.token, {
      conversationId: second.conversation.id,
      reaction: { messageId: first.message.id, emoji: '❤️' },
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({
      code: 'invalid_parameter',
      param: 'reaction.messageId',
    });
  });

  it('Instagram: a heart by sender action, recorded as sent', async () => {
    const tenant = await igTenant(t);
    const { conversation, senderId } = await igInbound(t, tenant);
    const inbound = (await messagesOf(t, tenant.token, conversation.id)).find(
      (m) => m.direction === 'inbound',
    );
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      reaction: { messageId: inbound.id, emoji: '😂' },
    });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: 'sent' });
    expect(res.json.channelMessageId).toBeUndefined();
    const action = stand().outbound.actions.find(
      (a) => a.channel === 'instagram' && a.recipientId === senderId && a.action === 'react',
    );
    expect(action?.body).toEqual({
      recipient: { id: senderId },
      sender_action: 'react',
      payload: { message_id: inbound.channelMessageId, reaction: 'love' },
    });
    expect(await messageById(t, tenant.token, conversation.id, res.json.id)).toMatchObject({
      type: 'reaction',
      status: 'sent',
      reaction: { messageId: inbound.channelMessageId, action: 'react', emoji: '❤️' },
    });
  });
});

describe('templates with a media header and dynamic buttons', () => {
  it('sends the image header (by upload), the body and the URL and quick-reply buttons', async () => {
    // Prepare: the conversation is days old (templates need no window); an image uploaded.
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant, { ageSeconds: 3 * 24 * 3600 });
    const image = await upload(t, tenant.token, samples.jpeg, { filename: 'pedido.jpg' });

    // Act
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      template: {
        name: 'order_shipped',
        language: 'en_US',
        parameters: ['Ana', '#1042'],
        header: { type: 'image', id: image.json.id },
        buttons: [
          { subType: 'url', index: 0, text: '1042' },
          { subType: 'quick_reply', index: 1, payload: 'talk-1042' },
        ],
      },
    });

    // Assess: the exact components; the image is Meta's upload of our bytes.
    expect(res.status).toBe(202);
    const metaImage = stand().outbound.uploads.find(
      (u) => u.phoneNumberId === tenant.phoneNumberId && u.mimeType === 'image/jpeg',
    );
    expect(metaImage).toBeDefined();
    expect(sentBody(res.json.channelMessageId).template).toEqual({
      name: 'order_shipped',
      language: { code: 'en_US', policy: 'deterministic' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { id: metaImage!.id } }] },
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'text', text: '#1042' },
          ],
        },
        {
          type: 'button',
          sub_type: 'url',
          index: '0',
          parameters: [{ type: 'text', text: '1042' }],
        },
        {
          type: 'button',
          sub_type: 'quick_reply',
          index: '1',
          parameters: [{ type: 'payload', payload: 'talk-1042' }],
        },
      ],
    });
    const stored = await messageById(t, tenant.token, conversation.id, res.json.id);
    expect(stored).toMatchObject({
      type: 'template',
      text: 'Hi Ana, your order #1042 is on its way.',
      template: {
        name: 'order_shipped',
        language: 'en_US',
        parameters: ['Ana', '#1042'],
        header: { type: 'image' },
        buttons: [
          { index: 0, subType: 'url', value: '1042' },
          { index: 1, subType: 'quick_reply', value: 'talk-1042' },
        ],
      },
      media: { id: image.json.id, status: 'ready', mimeType: 'image/jpeg' },
    });
  });

  it('sends a header by link, and refuses a template whose header or URL button is not filled', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant, { ageSeconds: 3 * 24 * 3600 });
    const byLink = await send(t, tenant.token, {
      conversationId: conversation.id,
      template: {
        name: 'order_shipped',
        language: 'en_US',
        parameters: ['Ana', '#1042'],
        header: { type: 'image', url: 'https://cdn.example.com/pedido.jpg' },
        buttons: [{ subType: 'url', index: 0, text: '1042' }],
      },
    });
    expect(byLink.status).toBe(202);
    expect(sentBody(byLink.json.channelMessageId).template.components[0]).toEqual({
      type: 'header',
      parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/pedido.jpg' } }],
    });

    const noHeader = await send(t, tenant.token, {
      conversationId: conversation.id,
      template: {
        name: 'order_shipped',
        language: 'en_US',
        parameters: ['Ana', '#1042'],
        buttons: [{ subType: 'url', index: 0, text: '1042' }],
      },
    });
    expect(noHeader.status).toBe(400);
    expect(noHeader.json.error).toMatchObject({
      code: 'invalid_parameter',
      param: 'template.header',
    });
    const noSuffix = await send(t, tenant.token, {
      conversationId: conversation.id,
      template: {
        name: 'order_shipped',
        language: 'en_US',
        parameters: ['Ana', '#1042'],
        header: { type: 'image', url: 'https://cdn.example.com/pedido.jpg' },
      },
    });
    expect(noSuffix.status).toBe(400);
    expect(noSuffix.json.error).toMatchObject({
      code: 'invalid_parameter',
      param: 'template.buttons',
    });
    const video = await upload(t, tenant.token, samples.mp4);
    const wrongKind = await send(t, tenant.token, {
      conversationId: conversation.id,
      template: {
        name: 'order_shipped',
        language: 'en_US',
        parameters: ['Ana', '#1042'],
        header: { type: 'image', id: video.json.id },
        buttons: [{ subType: 'url', index: 0, text: '1042' }],
      },
    });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.json.error).toMatchObject({ param: 'template.header.type' });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type TestSandbox } from '../helpers/harness';
import {
  deliver,
  igInbound,
  igTenant,
  messageById,
  messagesOf,
  newWaId,
  send,
  startOutboundSandbox,
  waInbound,
  waTenant,
} from './outbound-harness';
import { waStatusEntry } from '../factories/meta';

// The whole loop in the sandbox, with no Meta: a customer writes (signed webhook) → an agent
// replies (POST /send-message) → the reply is stored pending → the built-in stand-in accepts it
// and answers with a wamid → its signed status webhooks come back through /webhooks/meta → the
// thread shows sent, delivered, read.

let t: TestSandbox;
beforeAll(async () => {
  t = await startOutboundSandbox();
});
afterAll(async () => {
  await t?.stop();
});

describe('WhatsApp reply loop', () => {
  it('stores the reply pending, then records Meta’s id and sent → delivered → read from the status webhooks', async () => {
    // Prepare: a customer wrote a minute ago.
    const tenant = await waTenant(t);
    const {
      conversation,
      from,
      message: inbound,
    } = await waInbound(t, tenant, {
      text: 'Vocês entregam hoje?',
    });
    expect(conversation.unreadCount).toBe(1);

    // Act: reply, quoting the customer's message.
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      text: 'Sim! Até as 18h 🚚',
      replyTo: inbound.id,
    });

    // Assess: 202 with our id and Meta's wamid; the stand-in got Meta's request shape.
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ conversationId: conversation.id, status: 'pending' });
    expect(res.json.id).toMatch(/^msg_/);
    expect(res.json.channelMessageId).toMatch(/^wamid\./);
    const sent = t.sb.metaStandIn!.sent.find(
      (s) => s.channelMessageId === res.json.channelMessageId,
    );
    expect(sent?.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: from,
      type: 'text',
      text: { body: 'Sim! Até as 18h 🚚' },
      context: { message_id: inbound.channelMessageId },
    });
    const read = await waitFor(
      async () => {
        const m = await messageById(t, tenant.token, conversation.id, res.json.id);
        return m?.status === 'read' && m;
      },
      { what: 'read status', timeoutMs: 10_000 },
    );
    expect(read).toMatchObject({
      direction: 'outbound',
      type: 'text',
      text: 'Sim! Até as 18h 🚚',
      channelMessageId: res.json.channelMessageId,
      replyTo: inbound.id,
      sentBy: { kind: 'user' },
    });
    const after = await t.api.request('GET', `/conversations/${conversation.id}`, {
      token: tenant.token,
    });
    expect(after.json.lastMessagePreview).toBe('Sim! Até as 18h 🚚');
    expect(after.json.lastMessageDirection).toBe('outbound');
  });

  it('shows the reply in the thread while Meta has not answered yet', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    // Meta is slow: the send waits on it; the thread already has the message, pending.
    t.sb.metaStandIn!.holdNext(1_000);
    const pending = send(t, tenant.token, { conversationId: conversation.id, text: 'Um momento…' });
    const seen = await waitFor(async () =>
      (await messagesOf(t, tenant.token, conversation.id)).find((m) => m.direction === 'outbound'),
    );
    expect(seen).toMatchObject({ status: 'pending', text: 'Um momento…' });
    expect(seen.channelMessageId).toBeUndefined();
    const inbox = await t.api.request('GET', `/conversations/${conversation.id}`, {
      token: tenant.token,
    });
    expect(inbox.json.lastMessagePreview).toBe('Um momento…');
    const res = await pending;
    expect(res.status).toBe(202);
    expect(res.json.id).toBe(seen.id);
  });

  it('sends media by link with caption and filename', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      media: {
        type: 'document',
        url: 'https://cdn.example.com/orcamento.pdf',
        caption: 'Orçamento',
        filename: 'orcamento.pdf',
      },
    });
    expect(res.status).toBe(202);
    const m = await waitFor(async () => {
      const found = await messageById(t, tenant.token, conversation.id, res.json.id);
      return found?.status === 'read' && found;
    });
    expect(m).toMatchObject({
      type: 'document',
      text: 'Orçamento',
      media: { url: 'https://cdn.example.com/orcamento.pdf', filename: 'orcamento.pdf' },
    });
  });

  it('marks the message failed when Meta later reports it undeliverable (131026)', async () => {
    const tenant = await waTenant(t);
    const { conversation, from } = await waInbound(t, tenant);
    t.sb.metaStandIn!.markUndeliverable(from);
    const res = await send(t, tenant.token, { conversationId: conversation.id, text: 'Olá?' });
    expect(res.status).toBe(202);
    const failed = await waitFor(async () => {
      const m = await messageById(t, tenant.token, conversation.id, res.json.id);
      return m?.status === 'failed' && m;
    });
    expect(failed.errors[0].code).toBe(131026);
  });

  it('keeps a late status webhook from rolling a read message back', async () => {
    const tenant = await waTenant(t);
    const { conversation, from } = await waInbound(t, tenant);
    const res = await send(t, tenant.token, { conversationId: conversation.id, text: 'Pronto!' });
    await waitFor(
      async () =>
        (await messageById(t, tenant.token, conversation.id, res.json.id))?.status === 'read',
    );
    await deliver(t, [
      waStatusEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        wamid: res.json.channelMessageId,
        recipientId: from,
        status: 'delivered',
        timestamp: Math.floor(Date.now() / 1000),
      }),
    ]);
    expect((await messageById(t, tenant.token, conversation.id, res.json.id)).status).toBe('read');
  });
});

describe('24-hour window and templates', () => {
  it('answers window_closed for a free-form message 24 h after the customer last wrote, without calling Meta', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant, { ageSeconds: 25 * 3600 });
    const before = t.sb.metaStandIn!.sent.length;
    const res = await send(t, tenant.token, { conversationId: conversation.id, text: 'Ainda aí?' });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('window_closed');
    expect(res.json.error.lastInboundAt).toBe(conversation.lastInboundAt);
    const media = await send(t, tenant.token, {
      conversationId: conversation.id,
      media: { type: 'image', url: 'https://cdn.example.com/p.jpg' },
    });
    expect(media.json.error.code).toBe('window_closed');
    expect(t.sb.metaStandIn!.sent.length).toBe(before);
    // Nothing half-written: no outbound message in the thread.
    expect(
      (await messagesOf(t, tenant.token, conversation.id)).filter(
        (m) => m.direction === 'outbound',
      ),
    ).toEqual([]);
  });

  it('lists the approved templates and sends one with parameters outside the window', async () => {
    const tenant = await waTenant(t);
    const { conversation, from } = await waInbound(t, tenant, { ageSeconds: 3 * 24 * 3600 });
    const list = await t.api.request('GET', `/channels/${tenant.channelId}/templates`, {
      token: tenant.token,
    });
    expect(list.status).toBe(200);
    expect(list.json.items.map((i: any) => `${i.name}/${i.language}`).sort()).toEqual([
      'appointment_reminder/en_US',
      'hello_world/en_US',
      'order_shipped/en_US',
      'order_update/pt_BR',
    ]);
    expect(list.json.items.every((i: any) => i.status === 'APPROVED')).toBe(true);

    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      template: { name: 'order_update', language: 'pt_BR', parameters: ['Ana', '#1042'] },
    });
    expect(res.status).toBe(202);
    const sent = t.sb.metaStandIn!.sent.find(
      (s) => s.channelMessageId === res.json.channelMessageId,
    );
    expect(sent?.body).toMatchObject({
      to: from,
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'pt_BR' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Ana' },
              { type: 'text', text: '#1042' },
            ],
          },
        ],
      },
    });
    const m = await waitFor(async () => {
      const found = await messageById(t, tenant.token, conversation.id, res.json.id);
      return found?.status === 'read' && found;
    });
    expect(m).toMatchObject({
      type: 'template',
      text: 'Olá Ana, seu pedido #1042 saiu para entrega.',
    });
    expect(m.template).toEqual({
      name: 'order_update',
      language: 'pt_BR',
      parameters: ['Ana', '#1042'],
    });
  });

  it('starts a conversation by customer and channel with a template, and refuses unknown templates', async () => {
    const tenant = await waTenant(t);
    const { from } = await waInbound(t, tenant, { ageSeconds: 2 * 24 * 3600 });
    const res = await send(t, tenant.token, {
      customerId: `wa-${from}`,
      channel: 'whatsapp',
      template: {
        name: 'appointment_reminder',
        language: 'en_US',
        parameters: { first_name: 'Ana', date: 'Friday 10:00' },
      },
    });
    expect(res.status).toBe(202);
    const unknown = await send(t, tenant.token, {
      customerId: `wa-${from}`,
      channel: 'whatsapp',
      template: { name: 'summer_promo', language: 'en_US' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.code).toBe('template_not_found');
    const wrongParams = await send(t, tenant.token, {
      customerId: `wa-${from}`,
      channel: 'whatsapp',
      template: { name: 'order_update', language: 'pt_BR', parameters: ['only one'] },
    });
    expect(wrongParams.status).toBe(400);
    expect(wrongParams.json.error.code).toBe('invalid_parameter');
    expect(wrongParams.json.error.messageId).toMatch(/^msg_/);
  });

  it('maps Meta’s own 131047 to window_closed and keeps the failed message with its error', async () => {
    const tenant = await waTenant(t);
    const { conversation, from } = await waInbound(t, tenant);
    t.sb.metaStandIn!.closeWindow(from);
    const res = await send(t, tenant.token, { conversationId: conversation.id, text: 'Oi?' });
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: 'window_closed', meta: { code: 131047 } });
    const failed = await messageById(t, tenant.token, conversation.id, res.json.error.messageId);
    expect(failed).toMatchObject({ status: 'failed', failure: { code: 'window_closed' } });
    expect(failed.errors[0].code).toBe(131047);
  });
});

describe('Instagram', () => {
  it('replies, is sent on Meta’s answer, and read when the customer sees it', async () => {
    const tenant = await igTenant(t);
    const { conversation, senderId } = await igInbound(t, tenant);
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      text: 'Temos sim! 👟',
    });
    expect(res.status).toBe(202);
    expect(res.json.status).toBe('sent');
    const sent = t.sb.metaStandIn!.sent.find(
      (s) => s.channelMessageId === res.json.channelMessageId,
    );
    expect(sent).toMatchObject({
      channel: 'instagram',
      senderId: tenant.accountId,
      body: { recipient: { id: senderId }, message: { text: 'Temos sim! 👟' } },
    });
    await waitFor(
      async () =>
        (await messageById(t, tenant.token, conversation.id, res.json.id))?.status === 'read',
    );
    // Instagram downloads an attachment link at once (the stand-in too): a URL it can reach.
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    const uploaded = await t.api.request('POST', '/media', {
      token: tenant.token,
      raw: png,
      headers: { 'content-type': 'image/png' },
    });
    const media = await send(t, tenant.token, {
      conversationId: conversation.id,
      media: { type: 'image', url: uploaded.json.url },
    });
    expect(media.status).toBe(202);
    const unreachable = await send(t, tenant.token, {
      conversationId: conversation.id,
      media: { type: 'image', url: `${t.sb.url}/assets/nothing-here.jpg` },
    });
    expect(unreachable.status).toBe(400);
    expect(unreachable.json.error).toMatchObject({
      code: 'invalid_parameter',
      meta: { code: 100, subcode: 2018008 },
    });
  });

  it('maps Instagram’s outside-window error and refuses WhatsApp-only content', async () => {
    const tenant = await igTenant(t);
    const { conversation, senderId } = await igInbound(t, tenant);
    t.sb.metaStandIn!.closeWindow(senderId);
    const closed = await send(t, tenant.token, { conversationId: conversation.id, text: 'Oi?' });
    expect(closed.status).toBe(422);
    expect(closed.json.error).toMatchObject({
      code: 'window_closed',
      meta: { code: 10, subcode: 2534022 },
    });
    const template = await send(t, tenant.token, {
      conversationId: conversation.id,
      template: { name: 'hello_world', language: 'en_US' },
    });
    expect(template.status).toBe(400);
    expect(template.json.error.code).toBe('invalid_parameter');
    const templates = await t.api.request('GET', `/channels/${tenant.channelId}/templates`, {
      token: tenant.token,
    });
    expect(templates.status).toBe(400);
  });
});

describe('request validation', () => {
  it('refuses bodies that are not exactly one content addressed one way', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    for (const body of [
      { conversationId: conversation.id },
      {
        conversationId: conversation.id,
        text: 'a',
        media: { type: 'image', url: 'https://x.test/a.jpg' },
      },
      { text: 'no address' },
      { conversationId: conversation.id, customerId: 'wa-1', channel: 'whatsapp', text: 'both' },
      { customerId: 'wa-1', text: 'no channel' },
      { conversationId: conversation.id, media: { type: 'image', url: 'ftp://x.test/a.jpg' } },
      { conversationId: conversation.id, text: 'x', extra: true },
    ]) {
      const res = await send(t, tenant.token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
    }
    const unknownCustomer = await send(t, tenant.token, {
      customerId: `wa-${newWaId()}`,
      channel: 'whatsapp',
      text: 'x',
    });
    expect(unknownCustomer.status).toBe(404);
  });
});

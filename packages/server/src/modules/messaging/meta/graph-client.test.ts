import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../engine/errors';
import { GraphClient, graphConfigFromEnv, type GraphConfig } from './graph-client';
import {
  GraphApiError,
  GraphTransportError,
  graphFailureToAppError,
  type GraphFailure,
} from './graph-errors';

// Contract tests: the Graph client against a tiny 127.0.0.1 server answering Meta's documented
// request/response bodies (WhatsApp Cloud API messages, Instagram messaging, phone number, message
// templates) and error bodies, including every error the API maps.

type Canned = { status: number; body: unknown; headers?: Record<string, string>; delayMs?: number };
type Seen = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: any;
  raw: Buffer;
};

let server: Server;
let base: string;
let queue: Canned[] = [];
let seen: Seen[] = [];
let sleeps: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      const json = /json/.test(req.headers['content-type'] ?? '');
      seen.push({
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text && json ? JSON.parse(text) : undefined,
        raw,
      });
      const next = queue.shift() ?? {
        status: 500,
        body: { error: { message: 'no canned answer', code: 1 } },
      };
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
        res.end(typeof next.body === 'string' ? next.body : JSON.stringify(next.body));
      };
      if (next.delayMs) setTimeout(send, next.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  queue = [];
  seen = [];
  sleeps = [];
});

function client(overrides: Partial<GraphConfig> = {}): GraphClient {
  return new GraphClient({
    baseUrl: base,
    instagramBaseUrl: `${base}/ig-host`,
    version: 'v26.0',
    timeoutMs: 1_000,
    maxAttempts: 3,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    ...overrides,
  });
}

const token = 'EAAGm0PX4ZCpsBAFakeTokenForTests';
const waOk = (wamid = 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA') => ({
  status: 200,
  body: {
    messaging_product: 'whatsapp',
    contacts: [{ input: '16505551234', wa_id: '16505551234' }],
    messages: [{ id: wamid }],
  },
});

function metaError(
  status: number,
  error: Record<string, unknown>,
  headers?: Record<string, string>,
): Canned {
  return { status, body: { error: { fbtrace_id: 'AbCdEfGhIjK', ...error } }, headers };
}

async function failure(promise: Promise<unknown>): Promise<GraphFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GraphApiError || err instanceof GraphTransportError) return err;
    throw err;
  }
  throw new Error('expected a Graph failure');
}

describe('WhatsApp Cloud API: POST /{version}/{phone-number-id}/messages', () => {
  const send = (content: Parameters<GraphClient['sendWhatsApp']>[1]['content'], reply?: string) =>
    client().sendWhatsApp(token, {
      phoneNumberId: '106540352242922',
      to: '16505551234',
      content,
      replyToChannelMessageId: reply,
    });

  it('sends text with the bearer token and reads the wamid', async () => {
    queue.push(waOk());
    const out = await send({
      kind: 'text',
      text: 'Olá! Seu pedido saiu 🚚 https://example.com/t/1',
    });
    expect(out).toEqual({
      channelMessageId: 'wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA',
      waId: '16505551234',
      messageStatus: undefined,
    });
    const [req] = seen;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v26.0/106540352242922/messages');
    expect(req?.headers.authorization).toBe(`Bearer ${token}`);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.query.has('access_token')).toBe(false);
    expect(req?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'text',
      text: { preview_url: true, body: 'Olá! Seu pedido saiu 🚚 https://example.com/t/1' },
    });
  });

  it('quotes a message with context.message_id', async () => {
    queue.push(waOk());
    await send({ kind: 'text', text: 'Sim!' }, 'wamid.QUOTED');
    expect(seen[0]?.body.context).toEqual({ message_id: 'wamid.QUOTED' });
    expect(seen[0]?.body.text).toEqual({ preview_url: false, body: 'Sim!' });
  });

  it.each([
    ['image', { link: 'https://cdn.example.com/p.jpg', caption: 'Foto' }],
    ['video', { link: 'https://cdn.example.com/v.mp4', caption: 'Foto' }],
    ['document', { link: 'https://cdn.example.com/p.jpg', caption: 'Foto', filename: 'nota.pdf' }],
    ['audio', { link: 'https://cdn.example.com/p.jpg' }],
  ] as const)('sends %s by link', async (mediaType, expected) => {
    queue.push(waOk());
    const url =
      mediaType === 'video' ? 'https://cdn.example.com/v.mp4' : 'https://cdn.example.com/p.jpg';
    await send({ kind: 'media', mediaType, url, caption: 'Foto', filename: 'nota.pdf' });
    expect(seen[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: mediaType,
      [mediaType]: expected,
    });
  });

  it('sends media by Meta media id: captions where the kind takes one, none for stickers', async () => {
    queue.push(waOk(), waOk(), waOk());
    await send({ kind: 'media', mediaType: 'image', id: '1037543291543636', caption: 'Foto' });
    await send({ kind: 'media', mediaType: 'sticker', id: '1037543291543637', caption: 'no' });
    await send({
      kind: 'media',
      mediaType: 'document',
      id: '1037543291543638',
      caption: 'Nota',
      filename: 'nota.pdf',
    });
    expect(seen.map((r) => r.body.type)).toEqual(['image', 'sticker', 'document']);
    expect(seen[0]?.body.image).toEqual({ id: '1037543291543636', caption: 'Foto' });
    expect(seen[1]?.body.sticker).toEqual({ id: '1037543291543637' });
    expect(seen[2]?.body.document).toEqual({
      id: '1037543291543638',
      caption: 'Nota',
      filename: 'nota.pdf',
    });
  });

  it('sends reply buttons and lists in Meta’s interactive shape', async () => {
    queue.push(waOk(), waOk());
    await send({
      kind: 'interactive',
      interactive: {
        type: 'buttons',
        header: 'Pedido #1042',
        body: 'Confirma a entrega amanhã?',
        footer: 'Loja Sandbox',
        buttons: [
          { id: 'yes', title: 'Sim' },
          { id: 'no', title: 'Não' },
        ],
      },
    });
    await send({
      kind: 'interactive',
      interactive: {
        type: 'list',
        body: 'Escolha um horário',
        button: 'Horários',
        sections: [
          {
            title: 'Manhã',
            rows: [{ id: 'am-9', title: '9h', description: 'Das 9h às 10h' }],
          },
          { title: 'Tarde', rows: [{ id: 'pm-2', title: '14h' }] },
        ],
      },
    });
    expect(seen[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'interactive',
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Pedido #1042' },
        body: { text: 'Confirma a entrega amanhã?' },
        footer: { text: 'Loja Sandbox' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'yes', title: 'Sim' } },
            { type: 'reply', reply: { id: 'no', title: 'Não' } },
          ],
        },
      },
    });
    expect(seen[1]?.body.interactive).toEqual({
      type: 'list',
      body: { text: 'Escolha um horário' },
      action: {
        button: 'Horários',
        sections: [
          {
            title: 'Manhã',
            rows: [{ id: 'am-9', title: '9h', description: 'Das 9h às 10h' }],
          },
          { title: 'Tarde', rows: [{ id: 'pm-2', title: '14h' }] },
        ],
      },
    });
  });

  it('reacts to a message by its wamid (an empty emoji removes it), never as a quote', async () => {
    queue.push(waOk(), waOk());
    await send({ kind: 'reaction', messageId: 'wamid.THEIRS', emoji: '👍' }, 'wamid.IGNORED');
    await send({ kind: 'reaction', messageId: 'wamid.THEIRS', emoji: '' });
    expect(seen[0]?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'reaction',
      reaction: { message_id: 'wamid.THEIRS', emoji: '👍' },
    });
    expect(seen[1]?.body.reaction).toEqual({ message_id: 'wamid.THEIRS', emoji: '' });
  });

  it('fills a template’s header, body and dynamic buttons as components', async () => {
    queue.push(waOk(), waOk());
    await send({
      kind: 'template',
      name: 'order_shipped',
      language: 'en_US',
      parameters: ['Ana', '#1042'],
      header: { type: 'image', id: '1037543291543636' },
      buttons: [
        { subType: 'quick_reply', index: 1, payload: 'talk-1042' },
        { subType: 'url', index: 0, text: '1042' },
      ],
    });
    await send({
      kind: 'template',
      name: 'receipt',
      language: 'en_US',
      parameters: { order: '#9' },
      header: { type: 'text', text: '#9', parameterName: 'order' },
    });
    expect(seen[0]?.body.template).toEqual({
      name: 'order_shipped',
      language: { code: 'en_US', policy: 'deterministic' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { id: '1037543291543636' } }] },
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
    expect(seen[1]?.body.template.components[0]).toEqual({
      type: 'header',
      parameters: [{ type: 'text', parameter_name: 'order', text: '#9' }],
    });
    queue.push(waOk());
    await send({
      kind: 'template',
      name: 'invoice',
      language: 'en_US',
      header: { type: 'document', link: 'https://cdn.example.com/f.pdf', filename: 'f.pdf' },
    });
    expect(seen[2]?.body.template.components).toEqual([
      {
        type: 'header',
        parameters: [
          {
            type: 'document',
            document: { link: 'https://cdn.example.com/f.pdf', filename: 'f.pdf' },
          },
        ],
      },
    ]);
  });

  it('sends the read receipt and the typing indicator with exactly Meta’s fields', async () => {
    queue.push({ status: 200, body: { success: true } }, { status: 200, body: { success: true } });
    const c = client();
    await c.markWhatsAppRead(token, { phoneNumberId: '106540352242922', messageId: 'wamid.IN' });
    await c.markWhatsAppRead(token, {
      phoneNumberId: '106540352242922',
      messageId: 'wamid.IN',
      typing: true,
    });
    expect(seen[0]?.path).toBe('/v26.0/106540352242922/messages');
    expect(seen[0]?.raw.toString()).toBe(
      '{"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"}',
    );
    expect(seen[1]?.body).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.IN',
      typing_indicator: { type: 'text' },
    });
  });

  it('uploads media as multipart (messaging_product, type, file) and reads the id', async () => {
    queue.push({ status: 200, body: { id: '1037543291543636' } });
    const bytes = Buffer.from('%PDF-1.4 sandbox');
    const out = await client().uploadWhatsAppMedia(token, {
      phoneNumberId: '106540352242922',
      bytes,
      mimeType: 'application/pdf',
      filename: 'nota.pdf',
    });
    expect(out).toEqual({ id: '1037543291543636' });
    const [req] = seen;
    expect(req?.path).toBe('/v26.0/106540352242922/media');
    expect(req?.headers.authorization).toBe(`Bearer ${token}`);
    expect(req?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(new Uint8Array(req!.raw), {
      headers: { 'content-type': req!.headers['content-type']! },
    }).formData();
    expect(form.get('messaging_product')).toBe('whatsapp');
    expect(form.get('type')).toBe('application/pdf');
    const file = form.get('file') as File;
    expect(file.name).toBe('nota.pdf');
    expect(file.type).toBe('application/pdf');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(bytes);
  });

  it('sends templates with positional and named body parameters', async () => {
    queue.push({
      status: 200,
      body: { ...waOk().body, messages: [{ id: 'wamid.T1', message_status: 'accepted' }] },
    });
    queue.push(waOk('wamid.T2'));
    const first = await send({
      kind: 'template',
      name: 'order_update',
      language: 'pt_BR',
      parameters: ['Ana', '#1042'],
    });
    expect(first.messageStatus).toBe('accepted');
    await send({
      kind: 'template',
      name: 'appointment_reminder',
      language: 'en_US',
      parameters: { first_name: 'Ana', date: 'Friday' },
    });
    expect(seen[0]?.body.template).toEqual({
      name: 'order_update',
      language: { code: 'pt_BR', policy: 'deterministic' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Ana' },
            { type: 'text', text: '#1042' },
          ],
        },
      ],
    });
    expect(seen[1]?.body.template.components[0].parameters).toEqual([
      { type: 'text', parameter_name: 'first_name', text: 'Ana' },
      { type: 'text', parameter_name: 'date', text: 'Friday' },
    ]);
    queue.push(waOk());
    await send({ kind: 'template', name: 'hello_world', language: 'en_US' });
    expect(seen[2]?.body.template).toEqual({
      name: 'hello_world',
      language: { code: 'en_US', policy: 'deterministic' },
    });
  });
});

describe('Instagram: POST /{version}/{ig-id}/messages', () => {
  it('sends text and media by link to the Instagram host and reads message_id', async () => {
    queue.push({
      status: 200,
      body: { recipient_id: '7362514098123456', message_id: 'aWdfZAG1faXRlbToxOklH' },
    });
    queue.push({
      status: 200,
      body: { recipient_id: '7362514098123456', message_id: 'aWdfZAG1faXRlbToxOklI' },
    });
    const ig = client();
    const out = await ig.sendInstagram(token, {
      accountId: '17841455566677788',
      recipientId: '7362514098123456',
      content: { kind: 'text', text: 'Temos sim!' },
    });
    expect(out).toEqual({
      channelMessageId: 'aWdfZAG1faXRlbToxOklH',
      recipientId: '7362514098123456',
    });
    await ig.sendInstagram(token, {
      accountId: '17841455566677788',
      recipientId: '7362514098123456',
      content: { kind: 'media', mediaType: 'document', url: 'https://cdn.example.com/a.pdf' },
    });
    expect(seen[0]?.path).toBe('/ig-host/v26.0/17841455566677788/messages');
    expect(seen[0]?.body).toEqual({
      recipient: { id: '7362514098123456' },
      message: { text: 'Temos sim!' },
    });
    expect(seen[1]?.body).toEqual({
      recipient: { id: '7362514098123456' },
      message: { attachment: { type: 'file', payload: { url: 'https://cdn.example.com/a.pdf' } } },
    });
  });
});

describe('Instagram: quick replies, replies and sender actions', () => {
  const igOk = { status: 200, body: { recipient_id: '7362514098123456', message_id: 'aWdfZAG1' } };
  it('sends buttons as quick replies, and replies to a message with reply_to', async () => {
    queue.push(igOk, igOk);
    const ig = client();
    await ig.sendInstagram(token, {
      accountId: '17841455566677788',
      recipientId: '7362514098123456',
      content: {
        kind: 'interactive',
        interactive: {
          type: 'buttons',
          body: 'Qual tamanho?',
          buttons: [
            { id: 'size-41', title: '41' },
            { id: 'size-42', title: '42' },
          ],
        },
      },
    });
    await ig.sendInstagram(token, {
      accountId: '17841455566677788',
      recipientId: '7362514098123456',
      content: { kind: 'text', text: 'Temos sim!' },
      replyToChannelMessageId: 'aWdfZAG1MID',
    });
    expect(seen[0]?.body).toEqual({
      recipient: { id: '7362514098123456' },
      message: {
        text: 'Qual tamanho?',
        quick_replies: [
          { content_type: 'text', title: '41', payload: 'size-41' },
          { content_type: 'text', title: '42', payload: 'size-42' },
        ],
      },
    });
    expect(seen[1]?.body).toEqual({
      recipient: { id: '7362514098123456' },
      reply_to: { mid: 'aWdfZAG1MID' },
      message: { text: 'Temos sim!' },
    });
  });

  it('marks seen, types, reacts and unreacts as sender actions', async () => {
    for (let i = 0; i < 4; i++) queue.push({ status: 200, body: { recipient_id: '736' } });
    const ig = client();
    const base = { accountId: '17841455566677788', recipientId: '736' };
    await ig.sendInstagramAction(token, { ...base, action: 'mark_seen' });
    await ig.sendInstagramAction(token, { ...base, action: 'typing_on' });
    await ig.sendInstagramAction(token, { ...base, action: 'react', messageId: 'mid.1' });
    await ig.sendInstagramAction(token, { ...base, action: 'unreact', messageId: 'mid.1' });
    expect(seen[0]?.path).toBe('/ig-host/v26.0/17841455566677788/messages');
    expect(seen.map((r) => r.body)).toEqual([
      { recipient: { id: '736' }, sender_action: 'mark_seen' },
      { recipient: { id: '736' }, sender_action: 'typing_on' },
      {
        recipient: { id: '736' },
        sender_action: 'react',
        payload: { message_id: 'mid.1', reaction: 'love' },
      },
      { recipient: { id: '736' }, sender_action: 'unreact', payload: { message_id: 'mid.1' } },
    ]);
  });

  it('tries a receipt once when asked to, even on a retryable error', async () => {
    queue.push(metaError(500, { message: 'boom', code: 2, is_transient: true }));
    const err = await failure(
      client().sendInstagramAction(token, {
        accountId: '1',
        recipientId: '2',
        action: 'mark_seen',
        maxAttempts: 1,
      }),
    );
    expect(err).toBeInstanceOf(GraphApiError);
    expect(seen).toHaveLength(1);
  });
});

describe('reads', () => {
  it('looks up a phone number with the fields it needs', async () => {
    queue.push({
      status: 200,
      body: {
        verified_name: 'Lucky Shrub',
        display_phone_number: '+1 555-010-9988',
        quality_rating: 'GREEN',
        id: '106540352242922',
      },
    });
    const number = await client().getPhoneNumber(token, '106540352242922');
    expect(number.verified_name).toBe('Lucky Shrub');
    expect(seen[0]?.method).toBe('GET');
    expect(seen[0]?.path).toBe('/v26.0/106540352242922');
    expect(seen[0]?.query.get('fields')).toBe(
      'id,display_phone_number,verified_name,quality_rating',
    );
  });

  it('lists templates page by page with the after cursor, staying on the configured base', async () => {
    const template = (name: string, status: string) => ({
      name,
      parameter_format: 'POSITIONAL',
      components: [{ type: 'BODY', text: 'Hi {{1}}' }],
      language: 'en_US',
      status,
      category: 'UTILITY',
      id: `id-${name}`,
    });
    queue.push({
      status: 200,
      body: {
        data: [template('a', 'APPROVED'), template('b', 'REJECTED')],
        paging: {
          cursors: { before: 'QVFIUk', after: 'QVFIUm' },
          next: 'https://graph.facebook.com/v26.0/102290129340398/message_templates?after=QVFIUm',
        },
      },
    });
    queue.push({
      status: 200,
      body: { data: [template('c', 'APPROVED')], paging: { cursors: { before: 'x', after: 'y' } } },
    });
    const list = await client().listTemplates(token, '102290129340398');
    expect(list.map((t) => `${t.name}:${t.status}`)).toEqual([
      'a:APPROVED',
      'b:REJECTED',
      'c:APPROVED',
    ]);
    expect(seen.map((s) => s.path)).toEqual([
      '/v26.0/102290129340398/message_templates',
      '/v26.0/102290129340398/message_templates',
    ]);
    expect(seen[1]?.query.get('after')).toBe('QVFIUm');
  });

  it("lists a WABA's phone numbers page by page (GET /{waba-id}/phone_numbers)", async () => {
    const number = (id: string) => ({
      verified_name: 'Lucky Shrub',
      code_verification_status: 'VERIFIED',
      display_phone_number: '+1 555-010-9988',
      quality_rating: 'GREEN',
      platform_type: 'CLOUD_API',
      throughput: { level: 'STANDARD' },
      id,
    });
    queue.push({
      status: 200,
      body: {
        data: [number('106540352242922')],
        paging: {
          cursors: { before: 'QVFIUk', after: 'QVFIUm' },
          next: 'https://graph.facebook.com/v26.0/102290129340398/phone_numbers?after=QVFIUm',
        },
      },
    });
    queue.push({
      status: 200,
      body: { data: [number('106540352242923')], paging: { cursors: { before: 'a', after: 'b' } } },
    });
    const list = await client().listPhoneNumbers(token, '102290129340398');
    expect(list.map((n) => n.id)).toEqual(['106540352242922', '106540352242923']);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /v26.0/102290129340398/phone_numbers',
      'GET /v26.0/102290129340398/phone_numbers',
    ]);
    expect(seen[0]?.query.get('fields')).toBe(
      'id,display_phone_number,verified_name,quality_rating',
    );
    expect(seen[1]?.query.get('after')).toBe('QVFIUm');
    expect(seen[0]?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it("maps a WABA the token cannot see to Meta's code 100 (not found)", async () => {
    queue.push(
      metaError(400, {
        message:
          "Unsupported get request. Object with ID '102290129340398' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
      }),
    );
    const err = await failure(client().listPhoneNumbers(token, '102290129340398'));
    expect(err).toBeInstanceOf(GraphApiError);
    expect((err as GraphApiError).kind).toBe('not_found');
    expect(seen).toHaveLength(1);
  });

  it('asks the Instagram host who the token belongs to (GET /me)', async () => {
    queue.push({
      status: 200,
      body: { id: '7120000000000000', user_id: '17841405793187218', username: 'lucky_shrub' },
    });
    const me = await client().getInstagramMe('IGAAFakeInstagramUserToken');
    expect(me).toEqual({
      id: '7120000000000000',
      user_id: '17841405793187218',
      username: 'lucky_shrub',
    });
    expect(seen[0]?.path).toBe('/ig-host/v26.0/me');
    expect(seen[0]?.query.get('fields')).toBe('id,user_id,username,name');
    expect(seen[0]?.headers.authorization).toBe('Bearer IGAAFakeInstagramUserToken');
  });
});

describe('errors, retries and timeouts', () => {
  const send = (c = client()) =>
    c.sendWhatsApp(token, {
      phoneNumberId: '106540352242922',
      to: '16505551234',
      content: { kind: 'text', text: 'hi' },
    });
  const waErr = (code: number, message: string, details: string, status = 400, subcode?: number) =>
    metaError(status, {
      message,
      type: 'OAuthException',
      code,
      ...(subcode ? { error_subcode: subcode } : {}),
      error_data: { messaging_product: 'whatsapp', details },
    });

  const mapped: [string, Canned, string, number, number][] = [
    [
      '131047 re-engagement',
      waErr(
        131047,
        '(#131047) Re-engagement message',
        'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      ),
      'window_closed',
      422,
      1,
    ],
    [
      'Instagram 10/2534022 outside window',
      metaError(403, {
        message: 'This message is sent outside of allowed window.',
        type: 'IGApiException',
        code: 10,
        error_subcode: 2534022,
      }),
      'window_closed',
      422,
      1,
    ],
    [
      'Messenger-platform 10/2018278 outside window',
      metaError(400, {
        message: '(#10) This message is sent outside of allowed window.',
        type: 'OAuthException',
        code: 10,
        error_subcode: 2018278,
      }),
      'window_closed',
      422,
      1,
    ],
    [
      '131026 undeliverable',
      waErr(131026, '(#131026) Message Undeliverable.', 'Message Undeliverable.'),
      'undeliverable',
      422,
      1,
    ],
    [
      'Instagram 551 unavailable',
      metaError(400, {
        message: 'This person isn’t available right now.',
        type: 'OAuthException',
        code: 551,
        error_subcode: 1545041,
      }),
      'undeliverable',
      422,
      1,
    ],
    [
      '100 invalid parameter',
      waErr(100, '(#100) Invalid parameter', "Param text['body'] is required."),
      'invalid_parameter',
      400,
      1,
    ],
    [
      '190 expired token',
      metaError(401, {
        message: 'Error validating access token: Session has expired on Friday, 02-Jan-26.',
        type: 'OAuthException',
        code: 190,
        error_subcode: 463,
      }),
      'channel_token_invalid',
      422,
      1,
    ],
    [
      '132001 template missing',
      waErr(
        132001,
        '(#132001) Template name does not exist in the translation',
        'template name (x) does not exist in en_US',
        404,
      ),
      'template_not_found',
      422,
      1,
    ],
    [
      '130429 throughput',
      waErr(
        130429,
        '(#130429) Rate limit hit',
        'Message failed to send because there were too many messages sent from this phone number in a short period of time',
      ),
      'rate_limited',
      429,
      3,
    ],
    [
      '131056 pair rate limit',
      waErr(
        131056,
        '(#131056) (Business Account, Consumer Account) pair rate limit hit',
        'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
      ),
      'rate_limited',
      429,
      3,
    ],
    [
      '80007 WABA rate limit',
      waErr(
        80007,
        '(#80007) Rate limit issues',
        'The WhatsApp Business Account has reached its rate limit.',
      ),
      'rate_limited',
      429,
      3,
    ],
    [
      '4 app rate limit',
      metaError(400, {
        message: '(#4) Application request limit reached',
        type: 'OAuthException',
        code: 4,
        is_transient: true,
      }),
      'rate_limited',
      429,
      3,
    ],
    [
      '5xx without a body',
      { status: 502, body: '<html>Sorry, something went wrong.</html>' },
      'meta_unavailable',
      503,
      3,
    ],
  ];

  it.each(mapped)(
    '%s → %s (HTTP %i) after %i attempt(s)',
    async (_name, canned, code, status, attempts) => {
      for (let i = 0; i < 3; i++) queue.push(canned);
      const err = await failure(send());
      const appError = graphFailureToAppError(err, {
        channel: 'whatsapp',
        extra: { messageId: 'msg_1' },
      });
      expect(appError).toBeInstanceOf(AppError);
      expect(appError.code).toBe(code);
      expect(appError.status).toBe(status);
      expect(appError.details?.messageId).toBe('msg_1');
      expect(seen).toHaveLength(attempts);
      if (code === 'rate_limited') expect(appError.details?.retryAfterSeconds).toBeGreaterThan(0);
    },
  );

  it('maps Meta refusing a file (131053, or a parameter error on an upload) to media_type_not_accepted', async () => {
    queue.push(waErr(131053, '(#131053) Media upload error', 'Unsupported file type'));
    const rejected = graphFailureToAppError(await failure(send()), { channel: 'whatsapp' });
    expect(rejected.code).toBe('media_type_not_accepted');
    expect(rejected.status).toBe(415);
    queue.push(
      metaError(400, {
        message:
          "(#100) Param file must be a file with one of the following types: image/jpeg. Received file of type 'image/gif'.",
        type: 'OAuthException',
        code: 100,
      }),
    );
    const upload = await failure(
      client().uploadWhatsAppMedia(token, {
        phoneNumberId: '1',
        bytes: Buffer.from('GIF89a'),
        mimeType: 'image/gif',
        filename: 'a.gif',
      }),
    );
    const mapped = graphFailureToAppError(upload, {
      channel: 'whatsapp',
      operation: 'media_upload',
    });
    expect(mapped.code).toBe('media_type_not_accepted');
    expect(mapped.message).toContain("Received file of type 'image/gif'");
    // The same code on a send is a parameter of the message.
    expect(graphFailureToAppError(upload, { channel: 'whatsapp' }).code).toBe('invalid_parameter');
  });

  it('retries a rate limit with jittered exponential backoff, then succeeds', async () => {
    queue.push(waErr(130429, '(#130429) Rate limit hit', 'too many messages'));
    queue.push({
      status: 500,
      body: {
        error: {
          message: 'An unexpected error has occurred.',
          type: 'OAuthException',
          code: 2,
          is_transient: true,
        },
      },
    });
    queue.push(waOk('wamid.AFTER_RETRY'));
    const out = await send();
    expect(out.channelMessageId).toBe('wamid.AFTER_RETRY');
    expect(seen).toHaveLength(3);
    // random() = 0.5 of min(2000, 250 * 2^(n-1)): 125 then 250.
    expect(sleeps).toEqual([125, 250]);
  });

  it('waits out a short Retry-After, and hands back a long one instead of waiting', async () => {
    queue.push({
      ...waErr(130429, '(#130429) Rate limit hit', 'too many'),
      headers: { 'retry-after': '1' },
    });
    queue.push(waOk());
    await send();
    expect(sleeps).toEqual([1000]);
    sleeps = [];
    seen = [];
    queue.push({
      ...waErr(80007, '(#80007) Rate limit issues', 'WABA limit'),
      headers: { 'retry-after': '30' },
    });
    const err = await failure(send());
    expect(seen).toHaveLength(1);
    expect(graphFailureToAppError(err, { channel: 'whatsapp' }).details?.retryAfterSeconds).toBe(
      30,
    );
  });

  it('starts no retry that would end past the call’s time budget', async () => {
    queue.push(waErr(130429, '(#130429) Rate limit hit', 'too many'));
    queue.push(waOk());
    const err = await failure(send(client({ budgetMs: 50 })));
    expect(err).toBeInstanceOf(GraphApiError);
    expect(seen).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('times out: a POST is not sent twice, a GET is retried', async () => {
    queue.push({ ...waOk(), delayMs: 400 });
    const err = await failure(send(client({ timeoutMs: 100 })));
    expect(err).toBeInstanceOf(GraphTransportError);
    expect((err as GraphTransportError).reason).toBe('timeout');
    expect(seen).toHaveLength(1);
    expect(graphFailureToAppError(err, { channel: 'whatsapp' }).code).toBe('meta_unavailable');
    await new Promise((r) => setTimeout(r, 400));
    seen = [];
    queue.push({ status: 200, body: { id: '1' }, delayMs: 400 });
    queue.push({ status: 200, body: { id: '106540352242922' } });
    const number = await client({ timeoutMs: 100 }).getPhoneNumber(token, '106540352242922');
    expect(number.id).toBe('106540352242922');
    expect(seen).toHaveLength(2);
  });

  it('retries an unreachable Graph API, then reports it', async () => {
    const closed = new GraphClient({
      baseUrl: 'http://127.0.0.1:1',
      instagramBaseUrl: 'http://127.0.0.1:1',
      version: 'v26.0',
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    });
    const err = await failure(closed.getPhoneNumber(token, '1'));
    expect((err as GraphTransportError).reason).toBe('network');
    expect(sleeps).toHaveLength(2);
  });

  it('rejects a success body that is not Meta’s shape', async () => {
    queue.push({
      status: 200,
      body: { messaging_product: 'whatsapp', contacts: [], messages: [] },
    });
    const err = await failure(send());
    expect(graphFailureToAppError(err, { channel: 'whatsapp' }).code).toBe('meta_error');
  });
});

describe('configuration', () => {
  it('defaults to graph.facebook.com / graph.instagram.com and a current version', () => {
    const config = graphConfigFromEnv({});
    expect(config).toEqual({
      baseUrl: 'https://graph.facebook.com',
      instagramBaseUrl: 'https://graph.instagram.com',
      version: 'v26.0',
    });
  });

  it('sends every call to META_GRAPH_BASE_URL with META_GRAPH_VERSION when set', () => {
    expect(
      graphConfigFromEnv({
        META_GRAPH_BASE_URL: 'http://127.0.0.1:9999/',
        META_GRAPH_VERSION: 'v25.0',
      }),
    ).toEqual({
      baseUrl: 'http://127.0.0.1:9999',
      instagramBaseUrl: 'http://127.0.0.1:9999',
      version: 'v25.0',
    });
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../engine/log';
import { startMetaStandIn, type MetaStandIn } from './server';

// The stand-in holds our requests to Meta's contract: what Meta refuses, it refuses with Meta's
// error body. Called over HTTP as the Graph client would, without the sandbox.

let stand: MetaStandIn;
let files: Server;
let filesUrl: string;
const token = 'EAAGm0PX4ZCpsBAFakeTokenForTests';
const pn = '106540352242922';
const jpeg = Buffer.concat([Buffer.from('ffd8ffe000104a464946', 'hex'), Buffer.alloc(64)]);

beforeAll(async () => {
  stand = await startMetaStandIn({ appSecret: 'secret', log: silentLogger, statusDelayMs: 5 });
  files = createServer((req, res) => {
    if (req.url === '/photo.jpg') {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(jpeg);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', () => r()));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await stand?.stop();
  files?.closeAllConnections();
  await new Promise((r) => files?.close(r));
});

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${stand.baseUrl}/v26.0/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function uploadFile(bytes: Uint8Array, type: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.append('messaging_product', 'whatsapp');
  form.append('type', type);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), 'file');
  const res = await fetch(`${stand.baseUrl}/v26.0/${pn}/media`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, json: (await res.json()) as any };
}

const wa = (extra: Record<string, unknown>) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '5511987654321',
  ...extra,
});

describe('WhatsApp media uploads', () => {
  it('takes a supported type within its limit and answers Meta’s id', async () => {
    const res = await uploadFile(jpeg, 'image/jpeg');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: expect.stringMatching(/^\d{16}$/) });
    expect(stand.outbound.uploads.find((u) => u.id === res.json.id)).toMatchObject({
      phoneNumberId: pn,
      mimeType: 'image/jpeg',
      size: jpeg.length,
    });
  });

  it('refuses a type WhatsApp does not take, and a file over its kind’s limit', async () => {
    const gif = await uploadFile(Buffer.from('GIF89a'), 'image/gif');
    expect(gif.status).toBe(400);
    expect(gif.json.error).toMatchObject({ code: 100, type: 'OAuthException' });
    expect(gif.json.error.message).toContain("Received file of type 'image/gif'");
    const big = await uploadFile(Buffer.alloc(5 * 1024 * 1024 + 1), 'image/jpeg');
    expect(big.status).toBe(400);
    expect(big.json.error).toMatchObject({ code: 131053 });
    const noProduct = await uploadFile(jpeg, 'image/jpeg', { messaging_product: 'messenger' });
    expect(noProduct.json.error.code).toBe(100);
  });

  it('sends by an id only this number uploaded, of the kind it is', async () => {
    const { json } = await uploadFile(jpeg, 'image/jpeg');
    const ok = await post(`${pn}/messages`, wa({ type: 'image', image: { id: json.id } }));
    expect(ok.status).toBe(200);
    const asVideo = await post(`${pn}/messages`, wa({ type: 'video', video: { id: json.id } }));
    expect(asVideo.json.error.error_data.details).toContain('media attachment ID');
    const otherNumber = await post(
      '999000111/messages',
      wa({ type: 'image', image: { id: json.id } }),
    );
    expect(otherNumber.json.error.code).toBe(100);
    stand.outbound.expireUpload(json.id);
    const expired = await post(`${pn}/messages`, wa({ type: 'image', image: { id: json.id } }));
    expect(expired.status).toBe(400);
  });
});

describe('WhatsApp interactive, reactions and templates', () => {
  const buttons = (n: number, title = 'Sim') => ({
    type: 'button',
    body: { text: 'Confirma?' },
    action: {
      buttons: Array.from({ length: n }, (_, i) => ({
        type: 'reply',
        reply: { id: `b${i}`, title: `${title}${i}` },
      })),
    },
  });

  it('holds interactive messages to Meta’s limits', async () => {
    expect(
      (await post(`${pn}/messages`, wa({ type: 'interactive', interactive: buttons(3) }))).status,
    ).toBe(200);
    const four = await post(`${pn}/messages`, wa({ type: 'interactive', interactive: buttons(4) }));
    expect(four.json.error.code).toBe(100);
    const longTitle = await post(
      `${pn}/messages`,
      wa({ type: 'interactive', interactive: buttons(1, 'x'.repeat(20)) }),
    );
    expect(longTitle.json.error.code).toBe(100);
    const rows = Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` }));
    const elevenRows = await post(
      `${pn}/messages`,
      wa({
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Escolha' },
          action: {
            button: 'Ver',
            sections: [
              { title: 'A', rows },
              { title: 'B', rows: rows.map((r) => ({ ...r, id: `${r.id}b` })) },
            ],
          },
        },
      }),
    );
    expect(elevenRows.json.error.error_data.details).toMatch(/row count/);
  });

  it('takes a reaction, not as a reply', async () => {
    const reaction = { message_id: 'wamid.X', emoji: '👍' };
    expect((await post(`${pn}/messages`, wa({ type: 'reaction', reaction }))).status).toBe(200);
    const quoted = await post(
      `${pn}/messages`,
      wa({ type: 'reaction', reaction, context: { message_id: 'wamid.Y' } }),
    );
    expect(quoted.json.error.code).toBe(100);
  });

  it('requires an image header and the URL button’s suffix of a template that has them', async () => {
    const template = (components: unknown[]) =>
      wa({
        type: 'template',
        template: { name: 'order_shipped', language: { code: 'en_US' }, components },
      });
    const body = {
      type: 'body',
      parameters: [
        { type: 'text', text: 'Ana' },
        { type: 'text', text: '#1' },
      ],
    };
    const header = {
      type: 'header',
      parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/p.jpg' } }],
    };
    const url = {
      type: 'button',
      sub_type: 'url',
      index: '0',
      parameters: [{ type: 'text', text: '1042' }],
    };
    expect((await post(`${pn}/messages`, template([header, body, url]))).status).toBe(200);
    const noHeader = await post(`${pn}/messages`, template([body, url]));
    expect(noHeader.json.error.code).toBe(132012);
    const noSuffix = await post(`${pn}/messages`, template([header, body]));
    expect(noSuffix.json.error.code).toBe(131008);
    const unknownImage = await post(
      `${pn}/messages`,
      template([
        { type: 'header', parameters: [{ type: 'image', image: { id: '404' } }] },
        body,
        url,
      ]),
    );
    expect(unknownImage.json.error.code).toBe(100);
  });

  it('answers read receipts and typing indicators with success, and records them', async () => {
    const read = await post(`${pn}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.IN',
    });
    expect(read).toEqual({ status: 200, json: { success: true } });
    const typing = await post(`${pn}/messages`, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: 'wamid.IN',
      typing_indicator: { type: 'text' },
    });
    expect(typing.json).toEqual({ success: true });
    const bad = await post(`${pn}/messages`, {
      messaging_product: 'whatsapp',
      status: 'delivered',
      message_id: 'wamid.IN',
    });
    expect(bad.json.error.code).toBe(100);
    expect(stand.outbound.actions.filter((a) => a.senderId === pn).map((a) => a.action)).toEqual([
      'read',
      'typing',
    ]);
  });
});

describe('Instagram', () => {
  const ig = '17841455566677788';

  it('takes sender actions, hearts only', async () => {
    const recipient = { id: '7362514098123456' };
    expect((await post(`${ig}/messages`, { recipient, sender_action: 'mark_seen' })).json).toEqual({
      recipient_id: recipient.id,
    });
    const react = await post(`${ig}/messages`, {
      recipient,
      sender_action: 'react',
      payload: { message_id: 'mid.1', reaction: 'love' },
    });
    expect(react.status).toBe(200);
    const thumbs = await post(`${ig}/messages`, {
      recipient,
      sender_action: 'react',
      payload: { message_id: 'mid.1', reaction: 'like' },
    });
    expect(thumbs.json.error.code).toBe(100);
    const noPayload = await post(`${ig}/messages`, { recipient, sender_action: 'react' });
    expect(noPayload.json.error.code).toBe(100);
  });

  it('downloads an attachment URL, and refuses one it cannot fetch', async () => {
    const recipient = { id: '7362514098123457' };
    const attach = (url: string) => ({
      recipient,
      message: { attachment: { type: 'image', payload: { url } } },
    });
    const ok = await post(`${ig}/messages`, attach(`${filesUrl}/photo.jpg`));
    expect(ok.status).toBe(200);
    expect(stand.outbound.fetched.at(-1)).toMatchObject({ status: 200, size: jpeg.length });
    const missing = await post(`${ig}/messages`, attach(`${filesUrl}/gone.jpg`));
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatchObject({ code: 100, error_subcode: 2018008 });
  });

  it('holds quick replies to Instagram’s limits', async () => {
    const recipient = { id: '7362514098123458' };
    const quick = (titles: string[]) => ({
      recipient,
      message: {
        text: 'Qual?',
        quick_replies: titles.map((title) => ({ content_type: 'text', title, payload: title })),
      },
    });
    expect((await post(`${ig}/messages`, quick(['41', '42']))).status).toBe(200);
    expect((await post(`${ig}/messages`, quick(['x'.repeat(21)]))).json.error.code).toBe(100);
  });
});

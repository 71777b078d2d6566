import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../helpers/harness';
import { download, kinds, mediaItems, samples, sha256, upload } from './media-fixtures';
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

// Upload, then send by the upload's id: on WhatsApp the file goes to Meta's media store once per
// number (the stand-in must receive an id it issued, for a file with our bytes), on Instagram by a
// signed URL of our copy (the stand-in downloads it and must get the original bytes). The stored
// message shows the attachment as ready, with a signed URL of our copy.

let t: TestSandbox;
beforeAll(async () => {
  t = await startOutboundSandbox();
});
afterAll(async () => {
  await t?.stop();
});

const stand = () => t.sb.metaStandIn!;

describe('POST /media', () => {
  it('stores the file and answers its id, kind (from the bytes), size, sha256 and a signed URL', async () => {
    // Prepare
    const tenant = await waTenant(t);

    // Act: a PDF declared as something else, named by the query.
    const res = await upload(t, tenant.token, samples.pdf, {
      contentType: 'image/png',
      filename: 'Orçamento março.pdf',
    });

    // Assess
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.stringMatching(/^med_/),
      type: 'document',
      mimeType: 'application/pdf',
      size: samples.pdf.length,
      filename: 'Orçamento março.pdf',
      sha256: sha256(samples.pdf),
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/assets\//),
    });
    const copy = await download(res.json.url);
    expect(copy.status).toBe(200);
    expect(copy.type).toBe('application/pdf');
    expect(copy.bytes.equals(samples.pdf)).toBe(true);
    expect(await mediaItems(t, tenant.id)).toHaveLength(1);
  });

  it('takes multipart/form-data with a file part, named by the part', async () => {
    const tenant = await waTenant(t);
    const form = new FormData();
    form.append('file', new Blob([samples.jpeg], { type: 'image/jpeg' }), 'foto.jpg');
    const res = await fetch(`${t.sb.url}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}` },
      body: form,
    });
    const json = (await res.json()) as any;
    expect(res.status).toBe(201);
    expect(json).toMatchObject({ type: 'image', mimeType: 'image/jpeg', filename: 'foto.jpg' });
    const noFile = new FormData();
    noFile.append('caption', 'no file here');
    const refused = await fetch(`${t.sb.url}/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.token}` },
      body: noFile,
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).error.code).toBe('bad_request');
  });
});

describe('WhatsApp: send an upload by id', () => {
  it.each(kinds)('$kind: uploaded to Meta, sent by Meta’s media id', async (sample) => {
    // Prepare: a customer wrote; an agent uploaded a file.
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const uploaded = await upload(t, tenant.token, sample.bytes, { filename: sample.filename });
    expect(uploaded.status).toBe(201);
    expect(uploaded.json.type).toBe(sample.kind);
    const caption = sample.kind === 'audio' || sample.kind === 'sticker' ? undefined : 'Veja';

    // Act
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      media: { type: sample.kind, id: uploaded.json.id, ...(caption ? { caption } : {}) },
    });

    // Assess: Meta got our bytes on this number, and the message names the id Meta issued.
    expect(res.status).toBe(202);
    const metaUpload = stand().outbound.uploads.find(
      (u) => u.phoneNumberId === tenant.phoneNumberId && u.sha256 === sha256(sample.bytes),
    );
    expect(metaUpload).toMatchObject({ mimeType: sample.mimeType, size: sample.bytes.length });
    const sent = stand().sent.find((s) => s.channelMessageId === res.json.channelMessageId);
    expect(sent?.body).toMatchObject({ type: sample.kind });
    expect(sent?.body[sample.kind]).toEqual({
      id: metaUpload!.id,
      ...(caption ? { caption } : {}),
      ...(sample.filename ? { filename: sample.filename } : {}),
    });
    const stored = await messageById(t, tenant.token, conversation.id, res.json.id);
    expect(stored).toMatchObject({
      type: sample.kind,
      direction: 'outbound',
      media: {
        id: uploaded.json.id,
        status: 'ready',
        mimeType: sample.mimeType,
        size: sample.bytes.length,
        sha256: sha256(sample.bytes),
        ...(caption ? { caption } : {}),
        ...(sample.filename ? { filename: sample.filename } : {}),
      },
    });
    expect(stored.media.key).toBeUndefined();
    const copy = await download(stored.media.url);
    expect(copy.status).toBe(200);
    expect(copy.bytes.equals(sample.bytes)).toBe(true);
  });

  it('uploads a file to a number once, and again when Meta has forgotten it', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const uploaded = await upload(t, tenant.token, samples.jpeg);
    const onThisNumber = () =>
      stand().outbound.uploads.filter(
        (u) => u.phoneNumberId === tenant.phoneNumberId && u.sha256 === sha256(samples.jpeg),
      );
    const sendIt = () =>
      send(t, tenant.token, {
        conversationId: conversation.id,
        media: { type: 'image', id: uploaded.json.id },
      });

    expect((await sendIt()).status).toBe(202);
    expect((await sendIt()).status).toBe(202);
    expect(onThisNumber()).toHaveLength(1);

    // Meta deleted it (30 days, or early): the send that names it is refused, then re-uploaded.
    stand().outbound.expireUpload(onThisNumber()[0]!.id);
    const again = await sendIt();
    expect(again.status).toBe(202);
    const [first, second] = onThisNumber();
    expect(second).toBeDefined();
    const sent = stand().sent.find((s) => s.channelMessageId === again.json.channelMessageId);
    expect(sent?.body.image).toEqual({ id: second!.id });
    expect(first!.id).not.toBe(second!.id);
  });

  it('answers 404 for another workspace’s upload and stores no message', async () => {
    const owner = await waTenant(t);
    const intruder = await waTenant(t);
    const { conversation } = await waInbound(t, intruder);
    const theirs = await upload(t, owner.token, samples.png);
    const before = await messagesOf(t, intruder.token, conversation.id);

    const res = await send(t, intruder.token, {
      conversationId: conversation.id,
      media: { type: 'image', id: theirs.json.id },
    });

    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('not_found');
    expect(await messagesOf(t, intruder.token, conversation.id)).toHaveLength(before.length);
    const unknown = await send(t, intruder.token, {
      conversationId: conversation.id,
      media: { type: 'image', id: 'med_doesnotexist0000000' },
    });
    expect(unknown.status).toBe(404);
  });

  it('refuses an upload sent as another kind than it is', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const image = await upload(t, tenant.token, samples.png);
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      media: { type: 'video', id: image.json.id },
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_parameter', param: 'media.type' });
  });
});

describe('Instagram: send an upload by id', () => {
  const igKinds = kinds.filter((k) => k.kind !== 'sticker');
  const attachmentType = { image: 'image', audio: 'audio', video: 'video', document: 'file' };

  it.each(igKinds)(
    '$kind: Instagram fetches our signed URL and gets the original bytes',
    async (sample) => {
      // Prepare
      const tenant = await igTenant(t);
      const { conversation, senderId } = await igInbound(t, tenant);
      const uploaded = await upload(t, tenant.token, sample.bytes, { filename: sample.filename });

      // Act
      const res = await send(t, tenant.token, {
        conversationId: conversation.id,
        media: { type: sample.kind, id: uploaded.json.id },
      });

      // Assess
      expect(res.status).toBe(202);
      expect(res.json.status).toBe('sent');
      const sent = stand().sent.find((s) => s.channelMessageId === res.json.channelMessageId);
      const url: string = (sent?.body as any).message.attachment.payload.url;
      expect(sent?.body).toEqual({
        recipient: { id: senderId },
        message: {
          attachment: {
            type: attachmentType[sample.kind as keyof typeof attachmentType],
            payload: { url },
          },
        },
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/assets\//);
      const fetched = stand().outbound.fetched.find((f) => f.url === url);
      expect(fetched).toMatchObject({
        status: 200,
        contentType: sample.mimeType,
        size: sample.bytes.length,
        sha256: sha256(sample.bytes),
      });
      const stored = await messageById(t, tenant.token, conversation.id, res.json.id);
      expect(stored.media).toMatchObject({ id: uploaded.json.id, status: 'ready' });
    },
  );

  it('refuses stickers and captions, which Instagram has not', async () => {
    const tenant = await igTenant(t);
    const { conversation } = await igInbound(t, tenant);
    const sticker = await upload(t, tenant.token, samples.webp);
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      media: { type: 'sticker', id: sticker.json.id },
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'invalid_parameter', param: 'media.type' });
  });
});

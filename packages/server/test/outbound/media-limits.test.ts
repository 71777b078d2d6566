import { mediaLimits } from '@switchboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../helpers/harness';
import { grown, mediaBlobs, mediaItems, samples, upload } from './media-fixtures';
import { messagesOf, send, startOutboundSandbox, waInbound, waTenant } from './outbound-harness';

// What Meta would refuse is refused at the upload, before anything is stored: over the limit for
// its kind (413 media_too_large), a type Meta does not take or cannot be told (415
// media_type_not_accepted, whatever the Content-Type says). Never a 5xx, never a MEDIA item or a
// blob, never a message.

let t: TestSandbox;
beforeAll(async () => {
  t = await startOutboundSandbox();
});
afterAll(async () => {
  await t?.stop();
});

describe('POST /media refuses what Meta would refuse, storing nothing', () => {
  const oversize = [
    { kind: 'image', bytes: samples.jpeg, contentType: 'image/jpeg' },
    { kind: 'sticker', bytes: samples.webp, contentType: 'image/webp' },
    { kind: 'audio', bytes: samples.m4a, contentType: 'audio/mp4' },
    { kind: 'video', bytes: samples.mp4, contentType: 'video/mp4' },
  ] as const;

  it.each(oversize)('$kind one byte over Meta’s limit: 413 media_too_large', async (sample) => {
    // Prepare
    const tenant = await waTenant(t);
    const limit = mediaLimits[sample.kind].maxBytes;

    // Act: exactly the limit is taken, one byte more is not.
    const atLimit = await upload(t, tenant.token, grown(sample.bytes, limit), sample);
    const blobsOfAccepted = mediaBlobs(t, tenant.id);
    const over = await upload(t, tenant.token, grown(sample.bytes, limit + 1), sample);

    // Assess
    expect(atLimit.status).toBe(201);
    expect(atLimit.json.type).toBe(sample.kind);
    expect(over.status).toBe(413);
    expect(over.json.error).toMatchObject({
      code: 'media_too_large',
      type: sample.kind,
      maxBytes: limit,
      size: limit + 1,
    });
    expect(await mediaItems(t, tenant.id)).toHaveLength(1);
    expect(blobsOfAccepted.length).toBeGreaterThan(0);
    expect(mediaBlobs(t, tenant.id)).toEqual(blobsOfAccepted);
  });

  it('a document over 100 MB: 413 at the edge, nothing stored', async () => {
    const tenant = await waTenant(t);
    const res = await upload(
      t,
      tenant.token,
      grown(samples.pdf, mediaLimits.document.maxBytes + 1),
      { contentType: 'application/pdf' },
    );
    expect(res.status).toBe(413);
    expect(['payload_too_large', 'media_too_large']).toContain(res.json.error.code);
    expect(await mediaItems(t, tenant.id)).toEqual([]);
    expect(mediaBlobs(t, tenant.id)).toEqual([]);
  });

  it.each([
    ['a GIF sent as an image', samples.gif, 'image/gif'],
    ['a GIF that claims to be a JPEG', samples.gif, 'image/jpeg'],
    ['a Windows executable', samples.exe, 'application/octet-stream'],
    ['an .exe that claims to be a PDF', samples.exe, 'application/pdf'],
    ['bytes of no known format', Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x13, 0x37]), 'image/png'],
  ])('%s: 415 media_type_not_accepted', async (_what, bytes, contentType) => {
    const tenant = await waTenant(t);
    const res = await upload(t, tenant.token, bytes, { contentType, filename: 'file.jpg' });
    expect(res.status).toBe(415);
    expect(res.json.error.code).toBe('media_type_not_accepted');
    expect(await mediaItems(t, tenant.id)).toEqual([]);
    expect(mediaBlobs(t, tenant.id)).toEqual([]);
  });

  it('refuses an empty body, JSON and forms without a file', async () => {
    const tenant = await waTenant(t);
    const empty = await upload(t, tenant.token, new Uint8Array(0));
    expect(empty.status).toBe(400);
    expect(empty.json.error.code).toBe('bad_request');
    const json = await upload(t, tenant.token, Buffer.from('{"file":"x"}'), {
      contentType: 'application/json',
    });
    expect(json.status).toBe(415);
    expect(json.json.error.code).toBe('unsupported_media_type');
    const broken = await upload(t, tenant.token, Buffer.from('--x\r\nnot a form'), {
      contentType: 'multipart/form-data; boundary=x',
    });
    expect(broken.status).toBe(400);
    expect(await mediaItems(t, tenant.id)).toEqual([]);
  });

  it('never half-writes a message: a refused upload cannot be sent', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const refused = await upload(t, tenant.token, samples.gif);
    expect(refused.status).toBe(415);
    const before = await messagesOf(t, tenant.token, conversation.id);
    const res = await send(t, tenant.token, {
      conversationId: conversation.id,
      media: { type: 'image', id: 'med_neveruploaded000000' },
    });
    expect(res.status).toBe(404);
    expect(await messagesOf(t, tenant.token, conversation.id)).toHaveLength(before.length);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../helpers/harness';
import { igTenant, waTenant, type IgTenant, type WaTenant } from '../outbound/outbound-harness';
import { fixtures, pad } from './fixtures';
import {
  conversationOf,
  messageOf,
  sendInstagramMedia,
  sendWhatsAppMedia,
  settledMessage,
  startMediaSandbox,
  waitForMediaDrain,
  type IgMediaKind,
  type WaMediaKind,
} from './media-harness';

// The inbound media loop through the sandbox and its Meta stand-in, for every kind on both
// channels: the webhook's message is visible at once with its media pending, the MediaFetcher
// fetches it from the stand-in (WhatsApp: media lookup with the channel's token, then the
// authorised download; Instagram: the CDN URL), and the message then carries a signed URL of our
// own copy that answers the original bytes with their type.

let t: TestSandbox;
let wa: WaTenant;
let ig: IgTenant;

beforeAll(async () => {
  t = await startMediaSandbox();
  wa = await waTenant(t);
  ig = await igTenant(t);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

async function fetchMedia(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

describe('WhatsApp media, every kind', () => {
  const cases: {
    kind: WaMediaKind;
    bytes: Buffer;
    mimeType: string;
    served: string;
    disposition: 'inline' | 'attachment';
    extra?: Record<string, unknown>;
  }[] = [
    {
      kind: 'image',
      bytes: fixtures.jpeg(),
      mimeType: 'image/jpeg',
      served: 'image/jpeg',
      disposition: 'inline',
    },
    {
      kind: 'audio',
      bytes: fixtures.ogg(),
      mimeType: 'audio/ogg; codecs=opus',
      served: 'audio/ogg',
      disposition: 'inline',
      extra: { voice: true },
    },
    {
      kind: 'video',
      bytes: fixtures.mp4(),
      mimeType: 'video/mp4',
      served: 'video/mp4',
      disposition: 'inline',
    },
    {
      kind: 'document',
      bytes: fixtures.pdf(),
      mimeType: 'application/pdf',
      served: 'application/pdf',
      disposition: 'attachment',
      extra: { filename: 'orçamento 2026.pdf' },
    },
    {
      kind: 'sticker',
      bytes: fixtures.webp(),
      mimeType: 'image/webp',
      served: 'image/webp',
      disposition: 'inline',
    },
  ];

  it.each(cases)(
    '$kind: pending at once, then ready with a signed URL of our copy',
    async ({ kind, bytes, mimeType, served, disposition, extra }) => {
      // Prepare: the media lookup is held, so the message is seen before its media is fetched
      t.sb.metaStandIn!.holdNext(1_500);

      // Act
      const sent = await sendWhatsAppMedia(t, wa, kind, bytes, {
        mimeType,
        caption: kind === 'audio' || kind === 'sticker' ? undefined : `a ${kind}`,
        filename: extra?.filename as string | undefined,
      });

      // Assess: stored and shown at once, pending, with no URL yet
      const conversation = await conversationOf(t, wa.token, wa.channelId, sent.from);
      const pending = await messageOf(t, wa.token, conversation.id, sent.wamid);
      expect(pending).toMatchObject({ type: kind, media: { id: sent.mediaId, status: 'pending' } });
      expect(pending.media.url).toBeUndefined();

      const message = await settledMessage(t, wa.token, conversation.id, sent.wamid);
      expect(message.media).toMatchObject({
        status: 'ready',
        mimeType: served,
        size: bytes.length,
        ...(extra ?? {}),
      });
      expect(message.media.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/assets\//);
      expect(message.media.url.startsWith(t.sb.url)).toBe(true);

      const { res, body } = await fetchMedia(message.media.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(served);
      expect(body.equals(bytes)).toBe(true);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain('sandbox');
      expect(res.headers.get('content-disposition')).toMatch(
        new RegExp(`^${disposition}; filename="`),
      );
      if (kind === 'document') {
        expect(res.headers.get('content-disposition')).toBe(
          'attachment; filename="orc_amento_2026.pdf"',
        );
      }
    },
  );

  it('answers byte ranges, so a voice note or a video can seek', async () => {
    // Prepare
    const bytes = pad(fixtures.mp4(), 4_000);
    const sent = await sendWhatsAppMedia(t, wa, 'video', bytes, { mimeType: 'video/mp4' });
    const conversation = await conversationOf(t, wa.token, wa.channelId, sent.from);
    const { media } = await settledMessage(t, wa.token, conversation.id, sent.wamid);

    // Act
    const part = await fetchMedia(media.url, { range: 'bytes=100-199' });
    const tail = await fetchMedia(media.url, { range: 'bytes=-10' });
    const bad = await fetchMedia(media.url, { range: 'bytes=9000-' });

    // Assess
    expect(part.res.status).toBe(206);
    expect(part.res.headers.get('content-range')).toBe(`bytes 100-199/${bytes.length}`);
    expect(part.body.equals(bytes.subarray(100, 200))).toBe(true);
    expect(tail.res.status).toBe(206);
    expect(tail.body.equals(bytes.subarray(bytes.length - 10))).toBe(true);
    expect(bad.res.status).toBe(200);
    expect(bad.body.length).toBe(bytes.length);
  });
});

describe('Instagram media, every kind, re-hosted', () => {
  const cases: { kind: IgMediaKind; bytes: Buffer; mimeType: string; type: string }[] = [
    { kind: 'image', bytes: fixtures.jpeg(), mimeType: 'image/jpeg', type: 'image' },
    { kind: 'video', bytes: fixtures.mp4(), mimeType: 'video/mp4', type: 'video' },
    { kind: 'audio', bytes: fixtures.m4a(), mimeType: 'audio/mp4', type: 'audio' },
    { kind: 'share', bytes: fixtures.png(), mimeType: 'image/png', type: 'share' },
    { kind: 'story_mention', bytes: fixtures.mp4(), mimeType: 'video/mp4', type: 'story_mention' },
  ];

  it.each(cases)(
    '$kind: our own copy, not the CDN URL, still served once the CDN copy expired',
    async ({ kind, bytes, mimeType, type }) => {
      // Act
      const sent = await sendInstagramMedia(t, ig, kind, [{ bytes, mimeType }]);

      // Assess
      const conversation = await conversationOf(t, ig.token, ig.channelId, sent.senderId);
      const message = await settledMessage(t, ig.token, conversation.id, sent.mid);
      expect(message).toMatchObject({
        type,
        media: { status: 'ready', mimeType, size: bytes.length },
      });
      expect(message.media.url).not.toBe(sent.urls[0]);
      expect(message.media.url).not.toContain('ig-cdn');
      expect(JSON.stringify(message)).not.toContain('ig-cdn');

      t.sb.metaStandIn!.media.expire(sent.urls[0]!);
      expect((await fetch(sent.urls[0]!)).status).toBe(403);
      const { res, body } = await fetchMedia(message.media.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(mimeType);
      expect(body.equals(bytes)).toBe(true);
    },
  );

  it('re-hosts every attachment of a multi-image message', async () => {
    // Act
    const sent = await sendInstagramMedia(t, ig, 'image', [
      { bytes: fixtures.jpeg(), mimeType: 'image/jpeg' },
      { bytes: fixtures.png(), mimeType: 'image/png' },
    ]);

    // Assess
    const conversation = await conversationOf(t, ig.token, ig.channelId, sent.senderId);
    const message = await settledMessage(t, ig.token, conversation.id, sent.mid);
    expect(message.attachments).toHaveLength(2);
    expect(message.attachments.map((m: any) => m.mimeType)).toEqual(['image/jpeg', 'image/png']);
    expect(message.media.url).toBe(message.attachments[0].url);
    const second = await fetchMedia(message.attachments[1].url);
    expect(second.body.equals(fixtures.png())).toBe(true);
    // The first attachment (repeated as `media`) was fetched once.
    const cdn = t.sb.metaStandIn!.media.requests.filter((r) => r.kind === 'cdn');
    expect(cdn.filter((r) => sent.urls[0]!.includes(r.id))).toHaveLength(1);
  });
});

describe('media that cannot be fetched is a visible state, never a retry storm', () => {
  it('WhatsApp: an expired media id is failed / expired after one look-up', async () => {
    // Prepare
    const bytes = fixtures.jpeg();

    // Act
    const sent = await sendWhatsAppMedia(t, wa, 'image', bytes, {
      mimeType: 'image/jpeg',
      register: { expired: true },
    });

    // Assess
    const conversation = await conversationOf(t, wa.token, wa.channelId, sent.from);
    const message = await settledMessage(t, wa.token, conversation.id, sent.wamid);
    expect(message.media).toMatchObject({ status: 'failed', failureReason: 'expired' });
    expect(message.media.url).toBeUndefined();
    await waitForMediaDrain(t);
    await new Promise((r) => setTimeout(r, 1_500));
    const asked = t.sb.metaStandIn!.media.requests.filter((r) => r.id === sent.mediaId);
    expect(asked).toEqual([{ kind: 'lookup', id: sent.mediaId, status: 400 }]);
  });

  it('Instagram: an expired CDN URL is failed / expired after one request', async () => {
    // Act
    const sent = await sendInstagramMedia(t, ig, 'image', [
      { bytes: fixtures.jpeg(), mimeType: 'image/jpeg', expired: true },
    ]);

    // Assess
    const conversation = await conversationOf(t, ig.token, ig.channelId, sent.senderId);
    const message = await settledMessage(t, ig.token, conversation.id, sent.mid);
    expect(message.media).toMatchObject({ status: 'failed', failureReason: 'expired' });
    await waitForMediaDrain(t);
    const cdn = t.sb.metaStandIn!.media.requests.filter(
      (r) => r.kind === 'cdn' && sent.urls[0]!.includes(r.id),
    );
    expect(cdn).toHaveLength(1);
    expect(cdn[0]!.status).toBe(403);
  });

  it('too large as Meta announced it: failed without a download', async () => {
    // Prepare: stickers are limited to 500 KB
    const bytes = pad(fixtures.webp(), 600 * 1024);

    // Act
    const sent = await sendWhatsAppMedia(t, wa, 'sticker', bytes, { mimeType: 'image/webp' });

    // Assess
    const conversation = await conversationOf(t, wa.token, wa.channelId, sent.from);
    const message = await settledMessage(t, wa.token, conversation.id, sent.wamid);
    expect(message.media).toMatchObject({ status: 'failed', failureReason: 'too_large' });
    const downloads = t.sb.metaStandIn!.media.requests.filter(
      (r) => r.kind === 'download' && r.id === sent.mediaId,
    );
    expect(downloads).toHaveLength(0);
  });

  it('too large when the download is bigger than Meta announced: failed', async () => {
    // Prepare: Meta says 1 000 bytes, sends 300 KB
    const bytes = pad(fixtures.jpeg(), 300 * 1024);

    // Act
    const sent = await sendWhatsAppMedia(t, wa, 'image', bytes, {
      mimeType: 'image/jpeg',
      register: { fileSize: 1_000 },
    });

    // Assess
    const conversation = await conversationOf(t, wa.token, wa.channelId, sent.from);
    const message = await settledMessage(t, wa.token, conversation.id, sent.wamid);
    expect(message.media).toMatchObject({ status: 'failed', failureReason: 'too_large' });
  });

  it('bytes that do not match Meta’s sha256, or are not the kind the message says: corrupt', async () => {
    // Act
    const wrongHash = await sendWhatsAppMedia(t, wa, 'image', fixtures.jpeg(), {
      mimeType: 'image/jpeg',
      register: { sha256: 'ab'.repeat(32) },
    });
    const notAnImage = await sendWhatsAppMedia(t, wa, 'image', fixtures.pdf(), {
      mimeType: 'image/jpeg',
    });

    // Assess
    for (const sent of [wrongHash, notAnImage]) {
      const conversation = await conversationOf(t, wa.token, wa.channelId, sent.from);
      const message = await settledMessage(t, wa.token, conversation.id, sent.wamid);
      expect(message.media).toMatchObject({ status: 'failed', failureReason: 'corrupt' });
    }
  });

  it('a transient failure (Meta answers 500) is retried with backoff, then ready', async () => {
    // Prepare: the next two Graph calls fail as Meta's temporary errors do
    t.sb.metaStandIn!.failNext(
      {
        httpStatus: 500,
        code: 2,
        message: 'An unexpected error has occurred. Please retry your request later.',
        type: 'OAuthException',
      },
      2,
    );

    // Act
    const sent = await sendWhatsAppMedia(t, wa, 'image', fixtures.jpeg(), {
      mimeType: 'image/jpeg',
    });

    // Assess
    const conversation = await conversationOf(t, wa.token, wa.channelId, sent.from);
    const message = await settledMessage(t, wa.token, conversation.id, sent.wamid, 20_000);
    expect(message.media.status).toBe('ready');
  });

  it('still failing at the last receive: failed / unavailable, not pending forever', async () => {
    // Prepare: every receive (8, the queue's maxReceiveCount) meets a Meta outage
    t.sb.metaStandIn!.failNext(
      {
        httpStatus: 503,
        code: 2,
        message: 'Service temporarily unavailable',
        type: 'OAuthException',
      },
      8,
    );

    // Act
    const sent = await sendWhatsAppMedia(t, wa, 'image', fixtures.jpeg(), {
      mimeType: 'image/jpeg',
    });

    // Assess
    const conversation = await conversationOf(t, wa.token, wa.channelId, sent.from);
    const message = await settledMessage(t, wa.token, conversation.id, sent.wamid, 30_000);
    expect(message.media).toMatchObject({ status: 'failed', failureReason: 'unavailable' });
    await waitForMediaDrain(t);
    const dlq = await t.api.request('GET', '/admin/dlq/MediaQueue', { token: t.adminToken });
    expect(dlq.status).toBe(200);
    expect(dlq.json.items).toEqual([]);
  }, 40_000);
});

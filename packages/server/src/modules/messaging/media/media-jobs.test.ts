import { describe, expect, it } from 'vitest';
import { hasPendingMedia, mediaJobId, pendingMedia, withPendingMedia } from './media-jobs';

describe('pending media as the processor stores it', () => {
  it('WhatsApp: pending by Meta’s media id; the webhook’s download URL is not kept', () => {
    // Act
    const media = pendingMedia('whatsapp', {
      id: '9001',
      url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=9001',
      mimeType: 'image/jpeg',
      sha256: 'abc=',
    });

    // Assess
    expect(media).toEqual({
      id: '9001',
      mimeType: 'image/jpeg',
      sha256: 'abc=',
      status: 'pending',
    });
  });

  it('Instagram: the CDN URL only as the internal sourceUrl; nothing to fetch stays as it is', () => {
    // Act
    const cdn = pendingMedia('instagram', { url: 'https://scontent.cdninstagram.com/a.jpg' });
    const none = pendingMedia('instagram', { caption: 'a template card' });

    // Assess
    expect(cdn).toEqual({
      sourceUrl: 'https://scontent.cdninstagram.com/a.jpg',
      status: 'pending',
    });
    expect(none).toEqual({ caption: 'a template card' });
  });

  it('marks a message pending when any of its attachments is', () => {
    // Act
    const stored = withPendingMedia('instagram', {
      channelMessageId: 'mid.1',
      direction: 'inbound',
      type: 'image',
      timestamp: '2026-01-01T00:00:00.000Z',
      media: { url: 'https://a.example/1.jpg' },
      attachments: [{ url: 'https://a.example/1.jpg' }, { url: 'https://a.example/2.jpg' }],
    });

    // Assess
    expect(stored.pending).toBe(true);
    expect(stored.attachments).toHaveLength(2);
    expect(hasPendingMedia(stored)).toBe(true);
    expect(hasPendingMedia({ media: { status: 'ready' } })).toBe(false);
  });

  it('names the same message’s job with the same id', () => {
    // Prepare
    const job = {
      v: 1 as const,
      kind: 'media' as const,
      tenantId: 'tn_a',
      channelId: 'ch_1',
      channel: 'whatsapp' as const,
      customerId: 'wa-1',
      timestamp: '2026-01-01T00:00:00.000Z',
      messageId: 'msg_1',
    };

    // Act / Assess
    expect(mediaJobId(job)).toBe(mediaJobId({ ...job }));
    expect(mediaJobId(job)).not.toBe(mediaJobId({ ...job, messageId: 'msg_2' }));
  });
});

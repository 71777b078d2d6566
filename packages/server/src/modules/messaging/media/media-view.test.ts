import { describe, expect, it } from 'vitest';
import { mediaView, messageViews, type SignMediaUrl } from './media-view';

const sign: SignMediaUrl = async (key) => `https://cdn.example/${key}?sig=x`;

describe('media views', () => {
  it('never shows the blob key or Meta’s URL, and signs our copy', async () => {
    // Act
    const ready = await mediaView(
      {
        status: 'ready',
        key: 'tenants/tn_a/media/med_1/file.jpg',
        sourceUrl: 'https://scontent.cdninstagram.com/x.jpg',
        url: 'https://scontent.cdninstagram.com/x.jpg',
        mimeType: 'image/jpeg',
        size: 10,
      },
      sign,
    );
    const pending = await mediaView(
      { status: 'pending', sourceUrl: 'https://scontent.cdninstagram.com/x.jpg' },
      sign,
      { keepUrl: true },
    );

    // Assess
    expect(ready).toEqual({
      status: 'ready',
      url: 'https://cdn.example/tenants/tn_a/media/med_1/file.jpg?sig=x',
      mimeType: 'image/jpeg',
      size: 10,
    });
    expect(pending).toEqual({ status: 'pending' });
  });

  it('keeps an outbound link the sender gave, never an inbound URL', async () => {
    // Prepare
    const link = 'https://shop.example/catalogue.pdf';
    const base = { id: 'msg_1', customerId: 'c', media: { url: link } };

    // Act
    const [outbound, inbound] = await messageViews(
      [
        { ...base, direction: 'outbound' as const },
        { ...base, direction: 'inbound' as const },
      ],
      sign,
    );

    // Assess
    expect(outbound!.media).toEqual({ url: link });
    expect(inbound!.media).toEqual({});
  });

  it('signs an attachment repeated as `media` once, so both show the same URL', async () => {
    // Prepare
    let calls = 0;
    const counting: SignMediaUrl = async (key) => `u${++calls}:${key}`;
    const copy = { status: 'ready' as const, key: 'tenants/t/media/m/a.jpg' };

    // Act
    const [view] = await messageViews(
      [{ direction: 'inbound' as const, media: copy, attachments: [copy, { ...copy, key: 'k2' }] }],
      counting,
    );

    // Assess
    expect(view!.media!.url).toBe(view!.attachments![0]!.url);
    expect(calls).toBe(2);
  });
});

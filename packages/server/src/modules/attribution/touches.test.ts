import { describe, expect, it } from 'vitest';
import { touchFromMessage, touchFromSubmission, utmOf } from './touches';

describe('touchFromSubmission', () => {
  it('uses utm_source, lower-cased, with medium and campaign', () => {
    const touch = touchFromSubmission({
      submissionId: 's1',
      formId: 'f1',
      at: '2026-12-03T10:00:00.000Z',
      utm: { utm_source: 'Newsletter', utm_medium: 'Email', utm_campaign: 'Dez', other: 'x' },
    });
    expect(touch).toEqual({
      id: 'sub-s1',
      kind: 'form',
      at: '2026-12-03T10:00:00.000Z',
      source: 'newsletter',
      medium: 'email',
      campaign: 'Dez',
      utm: { source: 'Newsletter', medium: 'Email', campaign: 'Dez' },
      formId: 'f1',
    });
  });

  it('falls back to a referring site, never the page’s own host, then to direct', () => {
    const base = { submissionId: 's2', at: '2026-12-03T10:00:00.000Z' };
    expect(
      touchFromSubmission({
        ...base,
        referrer: 'https://www.google.com/',
        pageUrl: 'https://a.example/',
      }),
    ).toMatchObject({ source: 'google.com', medium: 'referral' });
    expect(
      touchFromSubmission({
        ...base,
        referrer: 'https://a.example/x',
        pageUrl: 'https://a.example/',
      }),
    ).toMatchObject({ source: 'direct' });
    expect(touchFromSubmission({ ...base, referrer: 'not a url' }).source).toBe('direct');
    expect(utmOf({ utm_source: '  ' })).toBeUndefined();
  });
});

describe('touchFromMessage', () => {
  const at = '2026-12-03T10:00:00.000Z';
  const ids = { messageId: 'msg_1', conversationId: 'cv_1' };

  it('a click-to-WhatsApp ad on Instagram, and a post on Facebook', () => {
    const ad = touchFromMessage({
      channel: 'whatsapp',
      message: {
        type: 'text',
        timestamp: at,
        referral: {
          source_type: 'ad',
          source_url: 'https://www.instagram.com/p/x',
          source_id: '1',
        },
      },
      ...ids,
    });
    expect(ad).toMatchObject({
      kind: 'whatsapp_ad',
      source: 'instagram',
      medium: 'paid_social',
      campaign: '1',
    });
    const post = touchFromMessage({
      channel: 'whatsapp',
      message: {
        type: 'text',
        timestamp: at,
        referral: { source_type: 'post', source_url: 'https://fb.me/x' },
      },
      ...ids,
    });
    expect(post).toMatchObject({ source: 'facebook', medium: 'social' });
  });

  it('nothing for a plain message, and non-text referral values are ignored', () => {
    expect(
      touchFromMessage({ channel: 'whatsapp', message: { type: 'text', timestamp: at }, ...ids }),
    ).toBeUndefined();
    const odd = touchFromMessage({
      channel: 'whatsapp',
      message: { type: 'text', timestamp: at, referral: { headline: 42, ctwa_clid: { x: 1 } } },
      ...ids,
    });
    expect(odd?.ad).toEqual({});
  });

  it('an ig.me link that is not an ad', () => {
    expect(
      touchFromMessage({
        channel: 'instagram',
        message: {
          type: 'text',
          timestamp: at,
          referral: { ref: 'bio-link', source: 'SHORTLINK' },
        },
        ...ids,
      }),
    ).toMatchObject({
      kind: 'instagram_ad',
      medium: 'social',
      campaign: 'bio-link',
      ad: { sourceType: 'link', ref: 'bio-link' },
    });
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  envelope,
  igReadEntry,
  igTextEntry,
  metaJson,
  signMeta,
  signedMetaRequest,
  waTextEntry,
} from '../../../../test/factories/meta';
import { MetaPayloadError, normalizeEntry } from './normalize';
import { IG, WA } from './normalize.test-support';
import { metaEnvelopeSchema } from './webhook-envelope';

// The channel cases live in whatsapp/normalize-whatsapp.test.ts and
// instagram/normalize-instagram.test.ts; this file covers the entry point and the envelope.

describe('envelope and entry validation', () => {
  it('accepts every factory envelope and unknown fields', () => {
    const ok = metaEnvelopeSchema.safeParse({ ...envelope(WA, [waTextEntry()]), extra: true });
    expect(ok.success).toBe(true);
    expect(metaEnvelopeSchema.safeParse(envelope(IG, [igTextEntry(), igReadEntry()])).success).toBe(
      true,
    );
  });

  it.each([
    ['null', null],
    ['array', []],
    ['missing entry', { object: WA }],
    ['empty entry', { object: WA, entry: [] }],
    ['unknown object', { object: 'user', entry: [{ id: '1', changes: [] }] }],
    ['numeric entry id', { object: IG, entry: [{ id: 1784, messaging: [] }] }],
    ['entry without id', { object: IG, entry: [{ messaging: [] }] }],
    ['changes not an array', { object: WA, entry: [{ id: '1', changes: {} }] }],
    ['a different webhook', { action: 'opened', repository: { id: 1 } }],
  ])('rejects a non-envelope: %s', (_name, body) => {
    expect(metaEnvelopeSchema.safeParse(body).success).toBe(false);
  });

  it('normalizeEntry throws MetaPayloadError only for structural problems', () => {
    expect(() => normalizeEntry(WA, null)).toThrow(MetaPayloadError);
    expect(() => normalizeEntry(WA, { id: 5 })).toThrow(MetaPayloadError);
    expect(() => normalizeEntry('user', { id: '1' })).toThrow(MetaPayloadError);
    try {
      normalizeEntry(IG, 'nope');
    } catch (error) {
      expect((error as Error).name).toBe('MetaPayloadError');
    }
    expect(normalizeEntry(WA, { id: '1' })).toEqual([
      { kind: 'ignored', reason: 'whatsapp entry without changes' },
    ]);
  });
});

describe('metaJson and signMeta', () => {
  const body = envelope(IG, [igTextEntry({ text: 'Olá / tênis 👟 — ok' })]);

  it('parses back to the same object', () => {
    expect(JSON.parse(metaJson(body))).toEqual(body);
  });

  it('escapes non-ASCII as lowercase \\uXXXX (surrogate pairs for emoji) and / as \\/', () => {
    const raw = metaJson(body);
    expect(raw).toContain('\\u');
    expect(raw).toContain('\\/');
    expect(raw).toContain('Ol\\u00e1 \\/ t\\u00eanis \\ud83d\\udc5f \\u2014 ok');
    expect(/[\u0080-\uffff]/.test(raw)).toBe(false);
    expect(raw).not.toMatch(/(?<!\\)\//);
  });

  it('signs the exact bytes with HMAC-SHA256', () => {
    // RFC-style known vector for HMAC-SHA256.
    expect(signMeta('The quick brown fox jumps over the lazy dog', 'key')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
    const raw = metaJson(body);
    expect(signMeta(Buffer.from(raw), 's3cret')).toBe(signMeta(raw, 's3cret'));
    // Re-serialising the parsed body changes the bytes, so the signature no longer matches.
    expect(signMeta(JSON.stringify(JSON.parse(raw)), 's3cret')).not.toBe(signMeta(raw, 's3cret'));
    const req = signedMetaRequest(body, 's3cret');
    expect(req.headers['x-hub-signature-256']).toBe(
      `sha256=${createHmac('sha256', 's3cret').update(raw).digest('hex')}`,
    );
  });
});

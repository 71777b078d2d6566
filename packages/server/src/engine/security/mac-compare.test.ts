import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HmacAssetSigner } from '../local/hmac-asset-signer';
import { HmacUploadSigner } from '../local/hmac-upload-signer';
import { macMatches } from './mac-compare';

// A 32-byte MAC is 43 base64url characters whose last one carries 4 bits and 2 spare ones. A
// decoder drops the spare bits, so four different last characters decode to the same bytes; a
// signature check must refuse every spelling but the one the signer wrote.

const mac = createHmac('sha256', 'k').update('message').digest();
const text = mac.toString('base64url');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The other spellings of `text` that decode to the same bytes. */
function sameBytesSpellings(encoded: string, encoding: 'base64url' | 'base64'): string[] {
  const head = encoded.slice(0, -1);
  return [...ALPHABET]
    .map((c) => head + c)
    .filter(
      (s) => s !== encoded && Buffer.from(s, encoding).equals(Buffer.from(encoded, encoding)),
    );
}

describe('macMatches', () => {
  it('takes the signer’s own text', () => {
    expect(macMatches(text, mac)).toBe(true);
    expect(macMatches(mac.toString('base64'), mac, 'base64')).toBe(true);
  });

  it('refuses a last character that decodes to the same bytes', () => {
    const others = sameBytesSpellings(text, 'base64url');
    expect(others).toHaveLength(3);
    for (const other of others) expect(macMatches(other, mac)).toBe(false);
  });

  it('refuses another length, another encoding’s text and the empty string', () => {
    expect(macMatches(text.slice(0, -1), mac)).toBe(false);
    expect(macMatches(`${text}=`, mac)).toBe(false);
    expect(macMatches('', mac)).toBe(false);
    const std = mac.toString('base64');
    if (std !== text) expect(macMatches(std, mac)).toBe(false);
  });
});

describe('sandbox signed URLs refuse a re-spelled signature', () => {
  const key = async () => Buffer.alloc(32, 7).toString('base64url');
  const now = new Date('2026-12-03T00:00:00Z');

  it('asset URLs', async () => {
    const signer = new HmacAssetSigner(key);
    const url = new URL(await signer.sign('t1/logo.png', 60, now), 'http://x');
    const [exp, sig] = [url.searchParams.get('exp')!, url.searchParams.get('sig')!];
    expect(await signer.verify('t1/logo.png', exp, sig, now)).toBe('valid');
    for (const other of sameBytesSpellings(sig, 'base64url')) {
      expect(await signer.verify('t1/logo.png', exp, other, now)).toBe('invalid');
    }
  });

  it('direct-upload URLs', async () => {
    const signer = new HmacUploadSigner(key);
    const target = {
      tenantId: 't1',
      uploadId: 'med_00000000000000000000',
      key: 'media/t1/med_00000000000000000000/_upload',
      contentType: 'application/pdf',
      size: 1024,
    };
    const url = new URL(await signer.sign(target, 60, now), 'http://x');
    const [exp, sig] = [url.searchParams.get('exp')!, url.searchParams.get('sig')!];
    expect(await signer.verify(target, exp, sig, now)).toBe('valid');
    for (const other of sameBytesSpellings(sig, 'base64url')) {
      expect(await signer.verify(target, exp, other, now)).toBe('invalid');
    }
  });
});

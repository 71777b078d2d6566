import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  hotp,
  newTotpSecret,
  otpauthUri,
  totp,
  verifyTotp,
  type TotpAlgorithm,
} from './totp';

// RFC 6238 appendix B: the seeds are the ASCII digits repeated to the hash's key length, codes
// are 8 digits with a 30-second step.
const seeds: Record<TotpAlgorithm, Buffer> = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
};

const vectors: [seconds: number, sha1: string, sha256: string, sha512: string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(vectors)('at T=%i matches the RFC test vectors', (seconds, sha1, sha256, sha512) => {
    const at = seconds * 1000;
    expect(totp(seeds.sha1, at, { digits: 8, algorithm: 'sha1' })).toBe(sha1);
    expect(totp(seeds.sha256, at, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
    expect(totp(seeds.sha512, at, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
  });

  it('gives 6 digits by default: the last six of the 8-digit vector', () => {
    expect(totp(seeds.sha1, 59_000)).toBe('287082');
    expect(totp(seeds.sha1, 1111111109_000)).toBe('081804');
  });

  it('matches RFC 4226 appendix D (HOTP)', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314'];
    expected.forEach((code, counter) => expect(hotp(seeds.sha1, counter)).toBe(code));
  });

  it('accepts the code of one step either side, and says which step it was', () => {
    const at = 1111111111_000;
    const step = Math.floor(at / 30_000);
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, at), at)).toBe(step);
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, at - 30_000), at)).toBe(step - 1);
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, at + 30_000), at)).toBe(step + 1);
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, at - 60_000), at)).toBeUndefined();
    expect(verifyTotp(seeds.sha1, totp(seeds.sha1, at + 60_000), at)).toBeUndefined();
  });

  it('refuses anything that is not six digits', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 345', '１２３４５６']) {
      expect(verifyTotp(seeds.sha1, code, 59_000)).toBeUndefined();
    }
  });
});

describe('base32 (RFC 4648)', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('%j ⇄ %s', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
    expect(base32Decode(`${encoded.toLowerCase()}===`).toString()).toBe(plain);
  });

  it('round-trips a new secret of 160 bits', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
  });

  it('refuses characters outside the alphabet', () => {
    expect(() => base32Decode('MZXW1')).toThrow();
  });
});

describe('otpauth URI', () => {
  it('names the issuer and account and carries the secret and parameters', () => {
    const uri = new URL(
      otpauthUri({ issuer: 'Switchboard', accountName: 'ana@example.com', secret: 'MZXW6YTBOI' }),
    );
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Switchboard:ana@example.com');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: 'MZXW6YTBOI',
      issuer: 'Switchboard',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

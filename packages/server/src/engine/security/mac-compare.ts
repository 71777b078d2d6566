import { timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` is exactly the base64url (or base64) text of the MAC `expected`, compared in constant time.
 * Comparing the text, not decoded bytes: a decoder ignores the spare low bits of the last
 * character, so `…Q` and `…R` can decode to the same MAC, and a URL changed in its signature
 * would still pass.
 */
export function macMatches(
  given: string,
  expected: Buffer,
  encoding: 'base64url' | 'base64' = 'base64url',
): boolean {
  const want = Buffer.from(expected.toString(encoding));
  const got = Buffer.from(given);
  return got.length === want.length && timingSafeEqual(got, want);
}

import { createHash, randomBytes } from 'node:crypto';

// Crockford base32: sortable-safe, no ambiguous letters, URL-safe.
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** A random id with a type prefix: `tn_8x2k...`. */
export function randomId(prefix: string): string {
  return `${prefix}_${base32(randomBytes(15), 20)}`;
}

/** The same parts always give the same id: how redelivered webhooks land on the same records. */
export function stableId(prefix: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return `${prefix}_${base32(digest, 20)}`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), what every authenticator app
// speaks: HMAC-SHA1 of the 30-second step counter, dynamically truncated to 6 digits. Written here
// on node:crypto rather than pulled in as a dependency: it is these few lines.

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type TotpOptions = { digits?: number; periodSeconds?: number; algorithm?: TotpAlgorithm };

export const totpDefaults = { digits: 6, periodSeconds: 30, algorithm: 'sha1' } as const;

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding: how otpauth:// URIs and apps carry the secret. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += base32Alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += base32Alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** Case, spaces and `=` padding are ignored; any other character outside the alphabet throws. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const index = base32Alphabet.indexOf(char);
    if (index < 0) throw new Error('not base32');
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 4226: HMAC of the 8-byte big-endian counter, dynamic truncation, `digits` decimal digits. */
export function hotp(
  secret: Uint8Array,
  counter: number,
  digits: number = totpDefaults.digits,
  algorithm: TotpAlgorithm = totpDefaults.algorithm,
): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The step counter `atMs` falls in. */
export function totpStep(atMs: number, periodSeconds: number = totpDefaults.periodSeconds): number {
  return Math.floor(atMs / 1000 / periodSeconds);
}

/** The code an authenticator app shows at `atMs`. */
export function totp(secret: Uint8Array, atMs: number, opts: TotpOptions = {}): string {
  const { digits, periodSeconds, algorithm } = { ...totpDefaults, ...opts };
  return hotp(secret, totpStep(atMs, periodSeconds), digits, algorithm);
}

/**
 * The step whose code `code` is, looking one step either side of now (clock drift, a code typed
 * as it rolled over), or undefined. Compared in constant time. The caller refuses a step at or
 * before the last one it accepted, so a code works once.
 */
export function verifyTotp(
  secret: Uint8Array,
  code: string,
  atMs: number,
  opts: TotpOptions & { window?: number } = {},
): number | undefined {
  const { digits, periodSeconds, algorithm } = { ...totpDefaults, ...opts };
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return undefined;
  const now = totpStep(atMs, periodSeconds);
  const window = opts.window ?? 1;
  let matched: number | undefined;
  for (let step = now - window; step <= now + window; step++) {
    // No early exit: every candidate is computed and compared whatever matches.
    const candidate = Buffer.from(hotp(secret, step, digits, algorithm));
    if (timingSafeEqual(candidate, Buffer.from(code)) && matched === undefined) matched = step;
  }
  return matched;
}

/** 160 random bits (RFC 4226's recommended length for SHA-1), base32. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20));
}

/** `otpauth://totp/Issuer:account?…`, the Key URI Format authenticator apps import. */
export function otpauthUri(input: { issuer: string; accountName: string; secret: string }): string {
  const label = `${encodeURIComponent(input.issuer)}:${encodeURIComponent(input.accountName)}`;
  const params = new URLSearchParams({
    secret: input.secret,
    issuer: input.issuer,
    algorithm: 'SHA1',
    digits: String(totpDefaults.digits),
    period: String(totpDefaults.periodSeconds),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}

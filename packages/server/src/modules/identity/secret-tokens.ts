import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomId } from '../../engine/ids';

// Bearer secrets we mint (API keys, refresh tokens, invitations, password resets): 256 random bits, shown once,
// stored only as SHA-256. A fast hash is right here: unlike passwords, they cannot be guessed.

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

function secret(): string {
  return randomBytes(32).toString('base64url');
}

export function newRefreshToken(): string {
  return `rt_${secret()}`;
}

export function newInviteToken(): string {
  return `inv_${secret()}`;
}

export function newPasswordResetToken(): string {
  return `pr_${secret()}`;
}

export function newSignupToken(): string {
  return `su_${secret()}`;
}

const apiKeyPattern = /^sk_live_(ak_[0-9a-z]{20})_([A-Za-z0-9_-]{43})$/;

/** `sk_live_<keyId>_<secret>`: the id part is visible in lists and finds the record in one read. */
export function newApiKey(): { keyId: string; key: string; prefix: string } {
  const keyId = randomId('ak');
  const prefix = `sk_live_${keyId}`;
  return { keyId, prefix, key: `${prefix}_${secret()}` };
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith('sk_');
}

export function parseApiKey(value: string): { keyId: string } | undefined {
  const match = apiKeyPattern.exec(value);
  return match ? { keyId: match[1]! } : undefined;
}

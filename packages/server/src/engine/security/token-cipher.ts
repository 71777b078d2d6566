import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Encrypts channel tokens at rest: KMS in AWS, AES-256-GCM with a local key in the sandbox. */
export type TokenCipher = {
  encrypt(plaintext: string, context: Record<string, string>): Promise<string>;
  decrypt(ciphertext: string, context: Record<string, string>): Promise<string>;
};

/** The encryption context (tenant and channel) is bound as AAD, so a ciphertext moved elsewhere fails. */
function aadOf(context: Record<string, string>): Buffer {
  return Buffer.from(
    Object.keys(context)
      .sort()
      .map((k) => `${k}=${context[k]}`)
      .join('&'),
  );
}

export class LocalTokenCipher implements TokenCipher {
  private readonly key: Buffer;
  constructor(keyBase64: string) {
    this.key = Buffer.from(keyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('channel token key must be 32 bytes');
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64');
  }

  async encrypt(plaintext: string, context: Record<string, string>): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aadOf(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${iv.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  async decrypt(ciphertext: string, context: Record<string, string>): Promise<string> {
    const [version, iv, body, tag] = ciphertext.split('.');
    if (version !== 'v1' || !iv || !body || !tag) throw new Error('unknown ciphertext format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(aadOf(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}

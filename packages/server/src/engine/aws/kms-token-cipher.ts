import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { TokenCipher } from '../security/token-cipher';

const prefix = 'kms1.';

/**
 * TokenCipher over KMS Encrypt/Decrypt. The context (tenant, channel) is the KMS encryption
 * context: it is logged by CloudTrail and a ciphertext moved to another tenant fails to decrypt.
 * Channel tokens are far below KMS's 4 KiB plaintext limit, so no envelope is needed.
 */
export class KmsTokenCipher implements TokenCipher {
  constructor(
    private readonly kms: Pick<KMSClient, 'send'>,
    private readonly keyId: string,
  ) {}

  async encrypt(plaintext: string, context: Record<string, string>): Promise<string> {
    const out = await this.kms.send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: Buffer.from(plaintext, 'utf8'),
        EncryptionContext: context,
      }),
    );
    if (!out.CiphertextBlob) throw new Error('KMS returned no ciphertext');
    return `${prefix}${Buffer.from(out.CiphertextBlob).toString('base64url')}`;
  }

  async decrypt(ciphertext: string, context: Record<string, string>): Promise<string> {
    if (!ciphertext.startsWith(prefix)) throw new Error('unknown ciphertext format');
    const out = await this.kms.send(
      new DecryptCommand({
        // Pinning the key stops a crafted ciphertext from steering us to another key.
        KeyId: this.keyId,
        CiphertextBlob: Buffer.from(ciphertext.slice(prefix.length), 'base64url'),
        EncryptionContext: context,
      }),
    );
    if (!out.Plaintext) throw new Error('KMS returned no plaintext');
    return Buffer.from(out.Plaintext).toString('utf8');
  }
}

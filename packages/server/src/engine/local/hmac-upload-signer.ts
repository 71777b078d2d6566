import { createHmac } from 'node:crypto';
import { macMatches } from '../security/mac-compare';
import type { AssetCheck } from '../ports/asset-urls';
import type { UploadTarget, UploadUrlSigner } from '../ports/upload-urls';

/**
 * The sandbox's stand-in for S3 presigned PUTs: `/media/uploads/<id>/content?tenant=&size=&exp=&sig=`,
 * `sig` the base64url HMAC-SHA256 of `"PUT\n<id>\n<key>\n<content type>\n<size>\n<exp>"`, verified
 * by the API's upload route. The key is the assets signing key (the SecretStore's); the `PUT` line
 * keeps these MACs apart from asset URLs' (`GET\n…`).
 */
export class HmacUploadSigner implements UploadUrlSigner {
  constructor(private readonly key: () => Promise<string>) {}

  private async mac(target: UploadTarget, exp: string): Promise<Buffer> {
    const { uploadId, key, contentType, size } = target;
    return createHmac('sha256', Buffer.from(await this.key(), 'base64url'))
      .update(['PUT', uploadId, key, contentType, String(size), exp].join('\n'))
      .digest();
  }

  async sign(target: UploadTarget, ttlSeconds: number, now = new Date()): Promise<string> {
    const exp = String(Math.floor(now.getTime() / 1000) + ttlSeconds);
    const sig = (await this.mac(target, exp)).toString('base64url');
    const query = new URLSearchParams({
      tenant: target.tenantId,
      size: String(target.size),
      exp,
      sig,
    });
    return `/media/uploads/${encodeURIComponent(target.uploadId)}/content?${query.toString()}`;
  }

  async verify(target: UploadTarget, exp: string, sig: string, now: Date): Promise<AssetCheck> {
    if (!/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'invalid';
    const expected = await this.mac(target, exp);
    if (!macMatches(sig, expected)) return 'invalid';
    return Number(exp) * 1000 <= now.getTime() ? 'expired' : 'valid';
  }
}

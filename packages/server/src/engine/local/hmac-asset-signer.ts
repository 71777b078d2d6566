import { createHmac } from 'node:crypto';
import { macMatches } from '../security/mac-compare';
import type { AssetCheck, AssetUrlSigner } from '../ports/asset-urls';

/**
 * The sandbox's stand-in for CloudFront signed URLs: `/assets/<URL-encoded key>?exp=<epoch s>&sig=<base64url
 * HMAC-SHA256 of "GET\n<key>\n<exp>">`, verified by the API's asset route. The key comes from the
 * SecretStore (generated once, kept under the data dir).
 */
export class HmacAssetSigner implements AssetUrlSigner {
  constructor(private readonly key: () => Promise<string>) {}

  private async mac(key: string, exp: string): Promise<Buffer> {
    return createHmac('sha256', Buffer.from(await this.key(), 'base64url'))
      .update(`GET\n${key}\n${exp}`)
      .digest();
  }

  async sign(key: string, ttlSeconds: number, now = new Date()): Promise<string> {
    const exp = String(Math.floor(now.getTime() / 1000) + ttlSeconds);
    const sig = (await this.mac(key, exp)).toString('base64url');
    // One path segment (the route is `/assets/{path}`): the key's slashes travel as %2F.
    return `/assets/${encodeURIComponent(key)}?exp=${exp}&sig=${sig}`;
  }

  async verify(key: string, exp: string, sig: string, now: Date): Promise<AssetCheck> {
    if (!/^\d{1,12}$/.test(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'invalid';
    const expected = await this.mac(key, exp);
    if (!macMatches(sig, expected)) return 'invalid';
    return Number(exp) * 1000 <= now.getTime() ? 'expired' : 'valid';
  }
}

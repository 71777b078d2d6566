import { createSign } from 'node:crypto';
import type { AssetUrlSigner } from '../ports/asset-urls';
import { encodeAssetPath } from '../ports/asset-urls';

/**
 * CloudFront signed URLs with a canned policy (node:crypto; `@aws-sdk/cloudfront-signer` is not
 * installed). The policy is `{"Statement":[{"Resource":"<url>","Condition":{"DateLessThan":
 * {"AWS:EpochTime":<exp>}}}]}` without whitespace, signed with RSA-SHA1 by the private key whose
 * public half is in the distribution's key group, base64 with `+=/` replaced by `-_~`.
 */
export class CloudFrontSigner implements AssetUrlSigner {
  constructor(
    private readonly opts: {
      domainName: string;
      keyPairId: string;
      /** PEM of the RSA private key (Secrets Manager `assetsSigningKey`), loaded on first use. */
      privateKey: () => Promise<string>;
    },
  ) {}

  async sign(key: string, ttlSeconds: number, now = new Date()): Promise<string> {
    const url = `https://${this.opts.domainName}/${encodeAssetPath(key)}`;
    const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
    const policy = cannedPolicy(url, expires);
    const signature = createSign('RSA-SHA1')
      .update(policy)
      .sign(await this.opts.privateKey(), 'base64');
    const params = new URLSearchParams({
      Expires: String(expires),
      Signature: cloudFrontBase64(signature),
      'Key-Pair-Id': this.opts.keyPairId,
    });
    return `${url}?${params.toString()}`;
  }
}

export function cannedPolicy(url: string, expiresEpochSeconds: number): string {
  return JSON.stringify({
    Statement: [
      { Resource: url, Condition: { DateLessThan: { 'AWS:EpochTime': expiresEpochSeconds } } },
    ],
  });
}

/** CloudFront's URL-safe base64: `+` -> `-`, `=` -> `_`, `/` -> `~`. */
export function cloudFrontBase64(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

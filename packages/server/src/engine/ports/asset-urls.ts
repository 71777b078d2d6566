// Time-limited URLs for tenant assets (logos, published form configs): CloudFront signed URLs in
// AWS, HMAC-signed `/assets/...` URLs served by the API in the sandbox. The signature covers the
// full object key, and keys start with `tenants/<tenantId>/`, so a URL for one tenant's asset can
// never be bent into another's.

export type AssetCheck = 'valid' | 'expired' | 'invalid';

export type AssetUrlSigner = {
  /**
   * A URL granting GET of the blob `key` for `ttlSeconds`. May be relative (`/assets/...`): the
   * HTTP layer resolves it against the API's own origin.
   */
  sign(key: string, ttlSeconds: number, now?: Date): Promise<string>;
  /** Present only where the API itself serves assets (the sandbox); CloudFront checks its own. */
  verify?(key: string, expires: string, signature: string, now: Date): Promise<AssetCheck>;
};

/** Where a tenant's assets live in the blob store. */
export const tenantAssetPrefix = (tenantId: string) => `tenants/${tenantId}/`;

/** Keys the asset route may serve: a tenant prefix and plain path segments, nothing else. */
export const assetKeyPattern =
  /^tenants\/[A-Za-z0-9_-]{1,64}\/(?:branding|forms|media)\/(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\/){0,2}[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

export function encodeAssetPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

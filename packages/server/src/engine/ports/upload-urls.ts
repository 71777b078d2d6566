import type { AssetCheck } from './asset-urls';

// Direct uploads (`POST /media/uploads`): a URL that lets whoever holds it write one blob, of one
// declared type and size, for a short time, with no other credential. On AWS an S3 presigned PUT
// on the media bucket (the bytes never cross API Gateway or Lambda); in the sandbox an
// HMAC-signed URL on its own API (`PUT /media/uploads/{id}/content`).

/** What one upload URL grants: writing `key`, with exactly this Content-Type and size. */
export type UploadTarget = {
  tenantId: string;
  uploadId: string;
  /** The staging blob key (`tenants/<tenantId>/media/<uploadId>/_upload`). */
  key: string;
  contentType: string;
  size: number;
};

export type UploadUrlSigner = {
  /**
   * A URL granting one PUT of `target` for `ttlSeconds`. May be relative (`/media/uploads/...`):
   * the HTTP layer resolves it against the API's own origin.
   */
  sign(target: UploadTarget, ttlSeconds: number, now?: Date): Promise<string>;
  /** Present only where the API itself takes the bytes (the sandbox); S3 checks its own. */
  verify?(target: UploadTarget, expires: string, signature: string, now: Date): Promise<AssetCheck>;
};

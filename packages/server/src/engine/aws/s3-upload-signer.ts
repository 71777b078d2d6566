import { PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { UploadTarget, UploadUrlSigner } from '../ports/upload-urls';

/**
 * Direct uploads on AWS: an S3 presigned PUT of the staging key on the media bucket. The bytes go
 * from the browser to S3, never through API Gateway (10 MB) or Lambda (6 MB). `content-type` and
 * `content-length` are signed headers, so the PUT must carry exactly the declared type and size
 * (S3 answers 403 `SignatureDoesNotMatch` otherwise). Encryption is the bucket's default (its KMS
 * key); the URL is signed with the function's own credentials, whose role may put under
 * `tenants/*\/media/*` and nowhere else.
 */
/**
 * The client to presign with. By default the SDK adds a CRC32 checksum to every PutObject, and a
 * presigned URL would carry the checksum of an empty body (`x-amz-checksum-crc32=AAAAAA==`): S3
 * would then refuse the browser's real bytes. Checksums only when an operation requires them.
 */
export function s3UploadClient(config: S3ClientConfig = {}): S3Client {
  return new S3Client({ ...config, requestChecksumCalculation: 'WHEN_REQUIRED' });
}

export class S3UploadSigner implements UploadUrlSigner {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async sign(target: UploadTarget, ttlSeconds: number, now = new Date()): Promise<string> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: target.key,
      ContentType: target.contentType,
      ContentLength: target.size,
    });
    return getSignedUrl(this.s3, command, {
      expiresIn: ttlSeconds,
      signingDate: now,
      signableHeaders: new Set(['content-type', 'content-length']),
    });
  }
}

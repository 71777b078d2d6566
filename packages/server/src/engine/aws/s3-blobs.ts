import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BlobStore } from '../ports/blobs';

/** BlobStore over one S3 bucket; encryption is the bucket's default (set by the stack). */
export class S3BlobStore implements BlobStore {
  constructor(
    private readonly s3: Pick<S3Client, 'send'>,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async get(key: string): Promise<{ body: Uint8Array; contentType: string } | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return undefined;
      return {
        body: await out.Body.transformToByteArray(),
        contentType: out.ContentType ?? 'application/octet-stream',
      };
    } catch (err) {
      if (err instanceof NoSuchKey) return undefined;
      throw err;
    }
  }
}

/** One key space over several stores: the first matching prefix wins, otherwise `fallback`. */
export function prefixRoutedBlobs(
  routes: { prefix: string; store: BlobStore }[],
  fallback: BlobStore,
): BlobStore {
  const storeOf = (key: string) => routes.find((r) => key.startsWith(r.prefix))?.store ?? fallback;
  return {
    put: async (key, body, contentType) => storeOf(key).put(key, body, contentType),
    get: async (key) => storeOf(key).get(key),
  };
}

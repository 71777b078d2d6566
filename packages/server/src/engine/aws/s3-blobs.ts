import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BlobLister, BlobPutOptions, BlobStore, StoredBlob } from '../ports/blobs';

/**
 * BlobStore over one S3 bucket; encryption is the bucket's default (set by the stack). The put
 * options become the object's own `Content-Disposition` and `Cache-Control`, which S3 (and
 * CloudFront in front of it) answer with on every GET.
 */
export class S3BlobStore implements BlobStore, BlobLister {
  constructor(
    private readonly s3: Pick<S3Client, 'send'>,
    private readonly bucket: string,
  ) {}

  async put(
    key: string,
    body: Uint8Array | string,
    contentType: string,
    opts: BlobPutOptions = {},
  ): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ...(opts.contentDisposition ? { ContentDisposition: opts.contentDisposition } : {}),
        ...(opts.cacheControl ? { CacheControl: opts.cacheControl } : {}),
      }),
    );
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return undefined;
      return {
        body: await out.Body.transformToByteArray(),
        contentType: out.ContentType ?? 'application/octet-stream',
        ...(out.ContentDisposition ? { contentDisposition: out.ContentDisposition } : {}),
        ...(out.CacheControl ? { cacheControl: out.CacheControl } : {}),
      };
    } catch (err) {
      if (err instanceof NoSuchKey) return undefined;
      throw err;
    }
  }

  /** ListObjectsV2, every page (S3 answers keys in UTF-8 binary order). */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of out.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }
}

/** Where a key goes: every key under a prefix, or every key a pattern matches. */
export type BlobRoute = { store: BlobStore } & ({ prefix: string } | { pattern: RegExp });

/** One key space over several stores: the first matching route wins, otherwise `fallback`. */
export function prefixRoutedBlobs(routes: BlobRoute[], fallback: BlobStore): BlobStore {
  const matches = (route: BlobRoute, key: string) =>
    'prefix' in route ? key.startsWith(route.prefix) : route.pattern.test(key);
  const storeOf = (key: string) => routes.find((r) => matches(r, key))?.store ?? fallback;
  return {
    put: async (key, body, contentType, opts) => storeOf(key).put(key, body, contentType, opts),
    get: async (key) => storeOf(key).get(key),
  };
}

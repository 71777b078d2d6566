/** Response headers stored with a blob and served with it (S3 object metadata; a file beside it). */
export type BlobPutOptions = {
  /** `attachment; filename="report.pdf"`: documents download instead of opening inline. */
  contentDisposition?: string;
  /** e.g. `private, max-age=31536000, immutable` for content-addressed media. */
  cacheControl?: string;
};

export type StoredBlob = {
  body: Uint8Array;
  contentType: string;
  contentDisposition?: string;
  cacheControl?: string;
};

/** Object storage: S3 in AWS, files under the data dir in the sandbox. Keys are `/`-separated paths. */
export type BlobStore = {
  put(
    key: string,
    body: Uint8Array | string,
    contentType: string,
    opts?: BlobPutOptions,
  ): Promise<void>;
  get(key: string): Promise<StoredBlob | undefined>;
};

/** Listing keys by prefix (the raw archive's reader: one day's delivered objects). */
export type BlobLister = {
  /** Every key under the prefix, in key order. */
  list(prefix: string): Promise<string[]>;
};

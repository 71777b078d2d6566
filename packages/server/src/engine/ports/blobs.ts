/** Object storage: S3 in AWS, files under the data dir in the sandbox. Keys are `/`-separated paths. */
export type BlobStore = {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  get(key: string): Promise<{ body: Uint8Array; contentType: string } | undefined>;
};

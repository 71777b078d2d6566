import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { BlobStore } from '../ports/blobs';

/**
 * Blobs as files under `<dataDir>/blobs`, written atomically (temp file + rename). Each write has
 * its own temp name, so concurrent puts of one key all succeed and the last rename wins: a webhook
 * redelivered while its first copy is being archived (the key is the body's hash) writes the same
 * bytes twice, and neither delivery fails.
 */
export class FileBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    const path = normalize(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return path;
  }

  async put(key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, body);
      await writeFile(`${tmp}.type`, contentType);
      await rename(`${tmp}.type`, `${path}.type`);
      await rename(tmp, path);
    } catch (err) {
      await Promise.all([rm(tmp, { force: true }), rm(`${tmp}.type`, { force: true })]);
      throw err;
    }
  }

  async get(key: string): Promise<{ body: Uint8Array; contentType: string } | undefined> {
    const path = this.pathOf(key);
    try {
      const [body, contentType] = await Promise.all([
        readFile(path),
        readFile(`${path}.type`, 'utf8'),
      ]);
      return { body, contentType };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

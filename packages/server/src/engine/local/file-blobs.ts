import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { BlobStore } from '../ports/blobs';

/** Blobs as files under `<dataDir>/blobs`, written atomically (temp file + rename). */
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
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, body);
    await writeFile(`${tmp}.type`, contentType);
    await rename(`${tmp}.type`, `${path}.type`);
    await rename(tmp, path);
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

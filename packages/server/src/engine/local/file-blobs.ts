import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, relative, sep } from 'node:path';
import type { BlobLister, BlobPutOptions, BlobStore, StoredBlob } from '../ports/blobs';

/**
 * Blobs as files under `<dataDir>/blobs`, written atomically (temp file + rename). Each write has
 * its own temp name, so concurrent puts of one key all succeed and the last rename wins: a webhook
 * redelivered while its first copy is being archived (the key is the body's hash) writes the same
 * bytes twice, and neither delivery fails. The content type is kept in `<file>.type`, and the
 * put options, when given, in `<file>.meta` (JSON), so `get` answers what S3 would.
 */
export class FileBlobStore implements BlobStore, BlobLister {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    const path = normalize(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error(`blob key escapes the store: ${key}`);
    return path;
  }

  async put(
    key: string,
    body: Uint8Array | string,
    contentType: string,
    opts: BlobPutOptions = {},
  ): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const meta: BlobPutOptions = {
      ...(opts.contentDisposition ? { contentDisposition: opts.contentDisposition } : {}),
      ...(opts.cacheControl ? { cacheControl: opts.cacheControl } : {}),
    };
    const hasMeta = Object.keys(meta).length > 0;
    try {
      await writeFile(tmp, body);
      await writeFile(`${tmp}.type`, contentType);
      if (hasMeta) await writeFile(`${tmp}.meta`, JSON.stringify(meta));
      // Headers go into place before the body, as the type always has.
      if (hasMeta) await rename(`${tmp}.meta`, `${path}.meta`);
      else await rm(`${path}.meta`, { force: true });
      await rename(`${tmp}.type`, `${path}.type`);
      await rename(tmp, path);
    } catch (err) {
      await Promise.all(['', '.type', '.meta'].map((ext) => rm(`${tmp}${ext}`, { force: true })));
      throw err;
    }
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    const path = this.pathOf(key);
    try {
      const [body, contentType, meta] = await Promise.all([
        readFile(path),
        readFile(`${path}.type`, 'utf8'),
        readFile(`${path}.meta`, 'utf8').then(
          (text) => JSON.parse(text) as BlobPutOptions,
          (err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return {};
            throw err;
          },
        ),
      ]);
      return { body, contentType, ...meta };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Keys under a prefix, in key order, as S3 lists them (no side files, no temp files). */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return [];
          throw err;
        },
      );
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (!/\.(type|meta|tmp)$/.test(entry.name)) {
          keys.push(relative(this.root, path).split(sep).join('/'));
        }
      }
    };
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    await walk(folder ? this.pathOf(folder) : this.root);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }
}

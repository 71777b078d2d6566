import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SecretName, WritableSecretStore } from '../ports/secrets';

/** Secrets generated once and kept under `<dataDir>/secrets`, readable by the owner only. */
export class FileSecretStore implements WritableSecretStore {
  constructor(
    private readonly dir: string,
    private readonly overrides: Partial<Record<SecretName, string>> = {},
  ) {}

  async get(name: SecretName, generate: () => string): Promise<string> {
    const override = this.overrides[name];
    if (override) return override;
    const path = join(this.dir, `${name}.secret`);
    try {
      return (await readFile(path, 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const value = generate();
    try {
      // `wx`: if another process created it first, keep theirs.
      await writeFile(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
      return value;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return (await readFile(path, 'utf8')).trim();
    }
  }

  /** Replaces a secret atomically (write aside, then rename), still readable by the owner only. */
  async put(name: SecretName, value: string): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, `${name}.secret`);
    const aside = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(aside, `${value}\n`, { mode: 0o600 });
    await rename(aside, path);
  }
}

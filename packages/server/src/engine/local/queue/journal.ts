// The journal file: group commit (one write + fdatasync for everything queued meanwhile) and
// compaction into a snapshot of the live messages.
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir, writeAll } from './durable-fs';
import type { JournalContents } from './journal-format';
import { QueueJournalWriteError } from './queue-errors';

export type SnapshotSource = {
  /** Send records for every live message, taken synchronously (one consistent instant). */
  snapshot(): string[];
  /** Approximate bytes the live messages occupy in the journal. */
  liveBytes(): number;
};

type JournalEntry = {
  chunk: string;
  /** Runs synchronously once the chunk is durable, before anything else can happen. */
  apply: (() => void) | undefined;
  resolve: () => void;
  reject: (err: Error) => void;
};

export const DEFAULT_COMPACT_AT_BYTES = 16 * 1024 * 1024;
const COMPACT_WRITE_CHUNK = 1024 * 1024;

export class Journal {
  private pending: JournalEntry[] = [];
  private draining: Promise<void> | undefined;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly header: string,
    private readonly compactAtBytes: number,
    private readonly source: SnapshotSource,
    private fh: FileHandle,
    private size: number,
  ) {}

  /** Opens for appending, cutting off a torn tail first so new records never glue onto it. */
  static async open(
    path: string,
    contents: JournalContents,
    header: string,
    compactAtBytes: number,
    source: SnapshotSource,
  ): Promise<Journal> {
    const fh = await open(path, 'a');
    try {
      const { size } = await fh.stat();
      if (size !== contents.validBytes) {
        await fh.truncate(contents.validBytes);
        await fh.datasync();
      }
      const journal = new Journal(path, header, compactAtBytes, source, fh, contents.validBytes);
      if (contents.validBytes === 0) {
        await writeAll(fh, Buffer.from(header));
        await fh.datasync();
        await fsyncDir(dirname(path));
        journal.size = Buffer.byteLength(header);
      }
      return journal;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  get bytes(): number {
    return this.size;
  }

  append(lines: string[], apply?: () => void): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new QueueJournalWriteError(this.path, 'closed'));
    return new Promise((resolve, reject) => {
      this.pending.push({ chunk: lines.join(''), apply, resolve, reject });
      this.draining ??= this.drain().finally(() => (this.draining = undefined));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.draining;
    await this.fh.close();
  }

  // One round = everything queued while the previous write + fsync was running.
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.compactIfDue();
        const buf = Buffer.from(batch.map((e) => e.chunk).join(''));
        await writeAll(this.fh, buf);
        await this.fh.datasync();
        this.size += buf.length;
      } catch (err) {
        this.fail(err, batch);
        return;
      }
      for (const entry of batch) {
        entry.apply?.();
        entry.resolve();
      }
    }
  }

  private fail(cause: unknown, batch: JournalEntry[]): void {
    this.failure = new QueueJournalWriteError(this.path, cause);
    for (const entry of [...batch, ...this.pending]) entry.reject(this.failure);
    this.pending = [];
  }

  private async compactIfDue(): Promise<void> {
    if (this.size < this.compactAtBytes || this.size < 2 * this.source.liveBytes()) return;
    await this.compact();
  }

  // Records of the batch being drained are written after the snapshot; they are idempotent
  // (absolute receive counts, deletes of absent ids) or not yet in the snapshot (sends).
  private async compact(): Promise<void> {
    const lines = [this.header, ...this.source.snapshot()];
    const tmp = `${this.path}.compact`;
    const out = await open(tmp, 'w');
    let size = 0;
    try {
      for (let i = 0; i < lines.length;) {
        let chunk = '';
        while (i < lines.length && chunk.length < COMPACT_WRITE_CHUNK) chunk += lines[i++];
        const buf = Buffer.from(chunk);
        await writeAll(out, buf);
        size += buf.length;
      }
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(tmp, this.path);
    await fsyncDir(dirname(this.path));
    const fresh = await open(this.path, 'a');
    const old = this.fh;
    this.fh = fresh;
    this.size = size;
    await old.close();
  }
}

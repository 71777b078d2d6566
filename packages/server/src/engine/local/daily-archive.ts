import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import {
  parseArchiveLine,
  utcDay,
  type RawArchive,
  type RawArchiveRecord,
} from '../ports/raw-archive';

const dayShape = /^\d{4}-\d{2}-\d{2}$/;

type DayFile = {
  handle: Promise<FileHandle>;
  /** Lines waiting for the next write + fsync, with whoever waits for them. */
  pending: { line: string; done: (err?: unknown) => void }[];
  flushing: boolean;
};

/**
 * The sandbox's raw archive: one append-only file per UTC day, `<dir>/YYYY-MM-DD.ndjson`, one
 * record a line. Appends are grouped: whatever arrives while a write is in flight goes in the next
 * write, and every promise resolves only after the fsync that covers its line. A crash mid-write
 * can leave a torn last line: opening the file again ends it with a newline first, so the next
 * record starts clean, and the reader skips the torn one.
 */
export class DailyFileArchive implements RawArchive {
  private readonly files = new Map<string, DayFile>();

  constructor(private readonly dir: string) {}

  private fileOf(day: string): DayFile {
    let file = this.files.get(day);
    if (!file) {
      file = { handle: this.openDay(day), pending: [], flushing: false };
      this.files.set(day, file);
    }
    return file;
  }

  private async openDay(day: string): Promise<FileHandle> {
    await mkdir(this.dir, { recursive: true });
    const handle = await open(join(this.dir, `${day}.ndjson`), 'a+');
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        await handle.write('\n');
        await handle.sync();
      }
    }
    return handle;
  }

  append(record: RawArchiveRecord): Promise<void> {
    const day = utcDay(record.receivedAt);
    const file = this.fileOf(day);
    const line = `${JSON.stringify(record)}\n`;
    return new Promise<void>((resolve, reject) => {
      file.pending.push({ line, done: (err) => (err ? reject(err) : resolve()) });
      void this.flush(day, file);
    });
  }

  private async flush(day: string, file: DayFile): Promise<void> {
    if (file.flushing) return;
    file.flushing = true;
    try {
      while (file.pending.length > 0) {
        const batch = file.pending.splice(0);
        try {
          const handle = await file.handle;
          await handle.write(batch.map((p) => p.line).join(''));
          await handle.sync();
          for (const p of batch) p.done();
        } catch (err) {
          // Reopen next time: the torn tail (if any) is closed by a newline on open.
          this.files.delete(day);
          void file.handle.then((h) => h.close()).catch(() => undefined);
          for (const p of batch) p.done(err);
          for (const p of file.pending.splice(0)) p.done(err);
        }
      }
    } finally {
      file.flushing = false;
    }
  }

  async chunks(day: string): Promise<string[]> {
    if (!dayShape.test(day)) return [];
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return names.includes(`${day}.ndjson`) ? [day] : [];
  }

  async *read(chunk: string): AsyncIterable<RawArchiveRecord> {
    if (!dayShape.test(chunk)) return;
    const stream = createReadStream(join(this.dir, `${chunk}.ndjson`), { encoding: 'utf8' });
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        const record = parseArchiveLine(line);
        if (record) yield record;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    } finally {
      lines.close();
      stream.destroy();
    }
  }

  /** Closes the open day files (the sandbox's stop). */
  async close(): Promise<void> {
    const open = [...this.files.values()];
    this.files.clear();
    await Promise.all(open.map((f) => f.handle.then((h) => h.close()).catch(() => undefined)));
  }
}

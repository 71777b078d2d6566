import { mkdtempSync, readFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RawArchiveRecord } from '../ports/raw-archive';
import { DailyFileArchive } from './daily-archive';

const dirs: string[] = [];
function archiveDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'daily-archive-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const record = (n: number, receivedAt = '2026-01-02T10:00:00.000Z'): RawArchiveRecord => ({
  v: 1,
  id: n.toString(16).padStart(64, '0'),
  receivedAt,
  object: 'whatsapp_business_account',
  signatureVerified: true,
  body: JSON.stringify({ object: 'whatsapp_business_account', entry: [], n }),
});

async function all(archive: DailyFileArchive, chunk: string): Promise<RawArchiveRecord[]> {
  const out: RawArchiveRecord[] = [];
  for await (const r of archive.read(chunk)) out.push(r);
  return out;
}

describe('DailyFileArchive', () => {
  it('files records by UTC day, one line each, and keeps every concurrent append', async () => {
    const dir = archiveDir();
    const archive = new DailyFileArchive(dir);
    await Promise.all(Array.from({ length: 200 }, (_, i) => archive.append(record(i))));
    await archive.append(record(999, '2026-01-03T00:00:00.000Z'));
    expect(await archive.chunks('2026-01-02')).toEqual(['2026-01-02']);
    expect(await archive.chunks('2026-01-04')).toEqual([]);
    const read = await all(archive, '2026-01-02');
    expect(read.map((r) => r.id).sort()).toEqual(
      Array.from({ length: 200 }, (_, i) => record(i).id).sort(),
    );
    expect((await all(archive, '2026-01-03')).map((r) => r.id)).toEqual([record(999).id]);
    const lines = readFileSync(join(dir, '2026-01-02.ndjson'), 'utf8').split('\n');
    expect(lines).toHaveLength(201);
    await archive.close();
  });

  it('skips a torn last line after a crash, and the next append starts on a fresh line', async () => {
    const dir = archiveDir();
    const first = new DailyFileArchive(dir);
    await first.append(record(1));
    await first.close();
    // A crash mid-write: half a record, no newline.
    appendFileSync(join(dir, '2026-01-02.ndjson'), JSON.stringify(record(2)).slice(0, 40));
    const second = new DailyFileArchive(dir);
    expect((await all(second, '2026-01-02')).map((r) => r.id)).toEqual([record(1).id]);
    await second.append(record(3));
    expect((await all(second, '2026-01-02')).map((r) => r.id)).toEqual([
      record(1).id,
      record(3).id,
    ]);
    await second.close();
  });

  it('refuses chunk names that are not days (no path outside the archive)', async () => {
    const archive = new DailyFileArchive(archiveDir());
    expect(await archive.chunks('../secrets')).toEqual([]);
    expect(await all(archive, '../../etc/passwd')).toEqual([]);
  });
});

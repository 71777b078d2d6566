import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from './file-blobs';

const dirs: string[] = [];
function store(): { blobs: FileBlobStore; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'file-blobs-'));
  dirs.push(root);
  return { blobs: new FileBlobStore(root), root };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('FileBlobStore', () => {
  it('stores a blob with its content type and reads it back', async () => {
    // Prepare
    const { blobs } = store();

    // Act
    await blobs.put('a/b.json', '{"x":1}', 'application/json');

    // Assess
    const got = await blobs.get('a/b.json');
    expect(Buffer.from(got!.body).toString()).toBe('{"x":1}');
    expect(got!.contentType).toBe('application/json');
    expect(await blobs.get('a/missing.json')).toBeUndefined();
  });

  it('keeps the put options beside the blob and answers them, dropping them on a plain overwrite', async () => {
    // Prepare
    const { blobs, root } = store();
    const key = 'tenants/t1/media/med_1/report.pdf';

    // Act
    await blobs.put(key, '%PDF-1.7', 'application/pdf', {
      contentDisposition: 'attachment; filename="report.pdf"',
      cacheControl: 'private, max-age=31536000, immutable',
    });
    const withOptions = await blobs.get(key);
    await blobs.put(key, '%PDF-1.7', 'application/pdf');
    const plain = await blobs.get(key);

    // Assess
    expect(withOptions).toMatchObject({
      contentType: 'application/pdf',
      contentDisposition: 'attachment; filename="report.pdf"',
      cacheControl: 'private, max-age=31536000, immutable',
    });
    expect(plain!.contentDisposition).toBeUndefined();
    expect(plain!.cacheControl).toBeUndefined();
    expect(filesUnder(root)).toEqual([key, `${key}.type`]);
  });

  it('lets 50 concurrent puts of identical content under one key all succeed', async () => {
    // Prepare: a webhook body and its archive key, as the receiver names it (the body's hash).
    const { blobs, root } = store();
    const body = Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [] }));
    const key = `webhooks/raw/2026-01-01/${createHash('sha256').update(body).digest('hex')}.json`;

    // Act: the same delivery arriving again while its first copy is still being written.
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => blobs.put(key, body, 'application/json')),
    );

    // Assess: every put succeeded, one blob is stored, and no temp file is left behind.
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const got = await blobs.get(key);
    expect(Buffer.from(got!.body).equals(body)).toBe(true);
    expect(got!.contentType).toBe('application/json');
    expect(filesUnder(root)).toEqual([key, `${key}.type`]);
  });

  it('keeps one whole body when different contents race for one key', async () => {
    // Prepare
    const { blobs } = store();
    const bodies = Array.from({ length: 20 }, (_, i) => `body-${i}-${'x'.repeat(10_000)}`);

    // Act
    const results = await Promise.allSettled(
      bodies.map((b) => blobs.put('k.txt', b, 'text/plain')),
    );

    // Assess: all succeed; what is stored is one of them, never a mix.
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const got = Buffer.from((await blobs.get('k.txt'))!.body).toString();
    expect(bodies).toContain(got);
  });

  it('refuses a key that escapes the store', async () => {
    // Prepare
    const { blobs } = store();

    // Act / Assess
    await expect(blobs.put('../outside.txt', 'x', 'text/plain')).rejects.toThrow(/escapes/);
  });
});

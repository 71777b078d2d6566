import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MediaKind } from '@switchboard/contracts';
import { keys } from '../../src/engine/data/keys';
import type { ApiResponse, TestSandbox } from '../helpers/harness';

// Small files of every kind Meta takes (their magic bytes are what the server sniffs), files it
// does not take, and helpers to upload them and to prove nothing was stored.

const hex = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');

/** An ISO base media file (`ftyp` box) of the given brand: MP4 video, M4A audio, 3GP video. */
function isoMedia(brand: string): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32BE(24, 0);
  b.write('ftyp', 4);
  b.write(brand, 8);
  b.write(brand, 16);
  b.write('mp41', 20);
  b.writeUInt32BE(40, 24);
  b.write('free', 28);
  return b;
}

export const samples = {
  /** 1×1 PNG. */
  png: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  ),
  jpeg: Buffer.concat([hex('ffd8ffe000104a46494600010100000100010000'), Buffer.alloc(64)]),
  webp: Buffer.concat([
    Buffer.from('RIFF'),
    hex('24000000'),
    Buffer.from('WEBPVP8 '),
    Buffer.alloc(40),
  ]),
  ogg: Buffer.concat([
    Buffer.from('OggS'),
    hex('0002'),
    Buffer.alloc(22),
    Buffer.from('OpusHead'),
    Buffer.alloc(40),
  ]),
  m4a: isoMedia('M4A '),
  mp4: isoMedia('isom'),
  pdf: Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n', 'latin1'),
  gif: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'),
  /** A Windows executable's headers. */
  exe: Buffer.concat([
    Buffer.from('MZ'),
    Buffer.alloc(58),
    hex('80000000'),
    Buffer.alloc(64),
    Buffer.from('PE\0\0'),
    Buffer.alloc(64),
  ]),
};

/** One sample per kind, with the MIME type the server reads from it. */
export const kinds: { kind: MediaKind; bytes: Buffer; mimeType: string; filename?: string }[] = [
  { kind: 'image', bytes: samples.png, mimeType: 'image/png' },
  { kind: 'sticker', bytes: samples.webp, mimeType: 'image/webp' },
  { kind: 'audio', bytes: samples.ogg, mimeType: 'audio/ogg' },
  { kind: 'video', bytes: samples.mp4, mimeType: 'video/mp4' },
  { kind: 'document', bytes: samples.pdf, mimeType: 'application/pdf', filename: 'orcamento.pdf' },
];

/** The sample grown to `size` bytes (trailing zeros: the magic bytes still say what it is). */
export function grown(bytes: Buffer, size: number): Buffer {
  return Buffer.concat([bytes, Buffer.alloc(Math.max(0, size - bytes.length))]);
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export async function upload(
  t: TestSandbox,
  token: string,
  bytes: Uint8Array,
  opts: { contentType?: string; filename?: string } = {},
): Promise<ApiResponse<any>> {
  const query = opts.filename ? `?filename=${encodeURIComponent(opts.filename)}` : '';
  return t.api.request('POST', `/media${query}`, {
    token,
    raw: bytes,
    headers: { 'content-type': opts.contentType ?? 'application/octet-stream' },
  });
}

/** The tenant's MEDIA items, read straight from the table. */
export async function mediaItems(t: TestSandbox, tenantId: string): Promise<unknown[]> {
  const page = await t.sb.db.query({
    pk: keys.tenant(tenantId).PK,
    sk: { beginsWith: 'MEDIA#' },
  });
  return page.items;
}

/** Files under the tenant's media prefix in the sandbox's blob store. */
export function mediaBlobs(t: TestSandbox, tenantId: string): string[] {
  const dir = join(t.sb.dataDir, 'blobs', 'tenants', tenantId, 'media');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map(String);
}

/** GETs a signed URL as a browser would (no token), with its bytes. */
export async function download(
  url: string,
): Promise<{ status: number; type: string; bytes: Buffer }> {
  const res = await fetch(url);
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

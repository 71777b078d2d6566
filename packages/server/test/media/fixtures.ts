import { createHash } from 'node:crypto';

// Small files whose first bytes are what they claim (the fetcher sniffs them with file-type), one
// per kind Meta delivers. `pad` grows one to a given size without changing what it sniffs as.

function box(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

export const fixtures = {
  jpeg: () =>
    Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
      Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'),
      Buffer.from('a small photo'),
      Buffer.from([0xff, 0xd9]),
    ]),
  png: () =>
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    ),
  webp: () => {
    const payload = Buffer.concat([Buffer.from('WEBPVP8 ', 'latin1'), Buffer.alloc(24, 7)]);
    const size = Buffer.alloc(4);
    size.writeUInt32LE(payload.length);
    return Buffer.concat([Buffer.from('RIFF', 'latin1'), size, payload]);
  },
  /** A voice note: Ogg with an Opus head. */
  ogg: () => {
    const head = Buffer.concat([
      Buffer.from('OpusHead', 'latin1'),
      Buffer.from([1, 1, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0]),
    ]);
    const page = Buffer.concat([
      Buffer.from('OggS', 'latin1'),
      Buffer.from([0, 2]),
      Buffer.alloc(20),
      Buffer.from([1, head.length]),
    ]);
    return Buffer.concat([page, head, Buffer.alloc(16, 1)]);
  },
  mp4: () =>
    Buffer.concat([
      box(
        'ftyp',
        Buffer.concat([
          Buffer.from('isom', 'latin1'),
          Buffer.from([0, 0, 2, 0]),
          Buffer.from('isomiso2avc1mp41', 'latin1'),
        ]),
      ),
      box('free', Buffer.alloc(8)),
    ]),
  /** An audio clip as Instagram sends it: MP4 audio. */
  m4a: () =>
    Buffer.concat([
      box(
        'ftyp',
        Buffer.concat([
          Buffer.from('M4A ', 'latin1'),
          Buffer.from([0, 0, 2, 0]),
          Buffer.from('M4A isommp42', 'latin1'),
        ]),
      ),
      box('free', Buffer.alloc(8)),
    ]),
  pdf: () =>
    Buffer.from(
      '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n',
      'latin1',
    ),
};

/** The same file grown to `size` bytes (trailing bytes do not change what it sniffs as). */
export function pad(bytes: Buffer, size: number): Buffer {
  return bytes.length >= size
    ? bytes
    : Buffer.concat([bytes, Buffer.alloc(size - bytes.length, 0)]);
}

/** Meta's webhook `sha256`: base64 of the file's SHA-256. */
export function sha256Base64(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

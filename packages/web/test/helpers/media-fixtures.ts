import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

// Small real media files, built in code so no binary fixture is checked in: a PNG a browser
// decodes, and an Ogg Opus voice note (what WhatsApp sends) a browser can play.

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed) >>> 0);
  return Buffer.concat([length, typed, crc]);
}

/** A `width` × `height` PNG filled with a diagonal gradient (RGB, 8 bits). */
export function pngBytes(width = 48, height = 32, tint: [number, number, number] = [15, 118, 110]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0, then pixels
    for (let x = 0; x < width; x++) {
      const shade = Math.round(((x + y) / (width + height)) * 255);
      row[1 + x * 3] = (tint[0] + shade) % 256;
      row[2 + x * 3] = (tint[1] + shade) % 256;
      row[3 + x * 3] = (tint[2] + shade) % 256;
    }
    rows.push(row);
  }
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
      pngChunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

// Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0, no final XOR.
const oggCrcTable = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ oggCrcTable[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc >>> 0;
}

function oggPage(
  packets: Buffer[],
  opts: { granule: bigint; sequence: number; serial: number; flags: number },
): Buffer {
  const segments: number[] = [];
  for (const packet of packets) {
    let left = packet.length;
    while (left >= 255) {
      segments.push(255);
      left -= 255;
    }
    segments.push(left);
  }
  const header = Buffer.alloc(27 + segments.length);
  header.write('OggS', 0, 'ascii');
  header[4] = 0; // version
  header[5] = opts.flags; // 0x02 first page, 0x04 last page
  header.writeBigInt64LE(opts.granule, 6);
  header.writeUInt32LE(opts.serial, 14);
  header.writeUInt32LE(opts.sequence, 18);
  header.writeUInt32LE(0, 22); // CRC, filled below
  header[26] = segments.length;
  segments.forEach((s, i) => (header[27 + i] = s));
  const page = Buffer.concat([header, ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/**
 * An Ogg Opus file of `seconds` of silence (mono, 48 kHz, 20 ms frames): the format of a
 * WhatsApp voice note. Each frame is the 3-byte CELT silence packet.
 */
export function oggOpusBytes(seconds = 1): Uint8Array {
  const serial = 0x5b0a2d01;
  const preSkip = 312;
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(preSkip, 10);
  head.writeUInt32LE(48_000, 12); // input sample rate
  head.writeInt16LE(0, 16); // output gain
  head[18] = 0; // channel mapping family
  const vendor = Buffer.from('switchboard-test', 'ascii');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'ascii');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendor.length); // no user comments
  const frames = Math.round(seconds * 50);
  const silence = Buffer.from([0xf8, 0xff, 0xfe]);
  const pages = [
    oggPage([head], { granule: 0n, sequence: 0, serial, flags: 0x02 }),
    oggPage([tags], { granule: 0n, sequence: 1, serial, flags: 0 }),
  ];
  // At most 255 segments a page: 50 frames (one second) each.
  let sequence = 2;
  for (let done = 0; done < frames;) {
    const count = Math.min(50, frames - done);
    done += count;
    pages.push(
      oggPage(
        Array.from({ length: count }, () => silence),
        {
          granule: BigInt(preSkip + done * 960),
          sequence: sequence++,
          serial,
          flags: done === frames ? 0x04 : 0,
        },
      ),
    );
  }
  return new Uint8Array(Buffer.concat(pages));
}

/** WhatsApp webhooks give a file's SHA-256 in base64. */
export function sha256Base64(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64');
}

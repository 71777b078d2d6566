import { describe, expect, it } from 'vitest';
import { sniffMedia } from './sniff';

const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('sniffMedia', () => {
  it('reads the type from the bytes, whatever the header says', async () => {
    // Act / Assess
    expect(await sniffMedia(png, 'application/pdf')).toEqual({
      mimeType: 'image/png',
      kind: 'image',
    });
    expect(
      await sniffMedia(Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1')),
    ).toEqual({
      mimeType: 'application/pdf',
      kind: 'document',
    });
  });

  it('believes a text type only for UTF-8 without NULs, and tells CSV by type or name', async () => {
    // Act / Assess
    expect(await sniffMedia(Buffer.from('a,b\n1,2\n'), 'text/csv')).toEqual({
      mimeType: 'text/csv',
      kind: 'document',
    });
    expect(await sniffMedia(Buffer.from('hello'), undefined, 'notes.txt')).toEqual({
      mimeType: 'text/plain',
      kind: 'document',
    });
    expect(await sniffMedia(Buffer.from([0x00, 0xff, 0xfe, 0x01]), 'text/plain')).toBeUndefined();
    expect(await sniffMedia(Buffer.alloc(0), 'text/plain')).toBeUndefined();
  });

  it('names a type Meta does not take without a kind', async () => {
    // Prepare: a GIF header
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1');

    // Act / Assess
    expect(await sniffMedia(gif)).toEqual({ mimeType: 'image/gif', kind: undefined });
  });
});

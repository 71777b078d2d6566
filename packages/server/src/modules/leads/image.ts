import { sanitizeSvg, UnsafeSvgError } from './svg-sanitize';

// Logo uploads: the type comes from the bytes (magic numbers), never from the client's header.

export type LogoImage = {
  contentType: 'image/png' | 'image/jpeg' | 'image/svg+xml';
  ext: string;
  body: Uint8Array;
};

export const MAX_LOGO_BYTES = 512 * 1024;
const MAX_DIMENSION = 8192;

export class InvalidImageError extends Error {
  override readonly name = 'InvalidImageError';
}

const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

function checkPng(bytes: Uint8Array): void {
  // The first chunk must be IHDR: length 13, then width and height (big-endian).
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (
    bytes.length < 33 ||
    view.getUint32(8) !== 13 ||
    String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR'
  ) {
    throw new InvalidImageError('The PNG is damaged.');
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (width === 0 || height === 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw new InvalidImageError(`Logos are at most ${MAX_DIMENSION} pixels on a side.`);
  }
}

/** Identifies, checks and (for SVG) sanitises an uploaded logo. */
export function readLogo(bytes: Uint8Array): LogoImage {
  if (bytes.length === 0) throw new InvalidImageError('The upload is empty.');
  if (bytes.length > MAX_LOGO_BYTES) throw new InvalidImageError('Logos are at most 512 KiB.');
  if (startsWith(bytes, png)) {
    checkPng(bytes);
    return { contentType: 'image/png', ext: 'png', body: bytes };
  }
  if (startsWith(bytes, [0xff, 0xd8, 0xff]))
    return { contentType: 'image/jpeg', ext: 'jpg', body: bytes };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\ufeff/, '');
  } catch {
    throw new InvalidImageError('Upload a PNG, JPEG or SVG image.');
  }
  // Markup that mentions <svg>: the sanitiser decides the rest (and parses in linear time).
  if (!text.trimStart().startsWith('<') || !/<svg[\s>]/.test(text)) {
    throw new InvalidImageError('Upload a PNG, JPEG or SVG image.');
  }
  try {
    return {
      contentType: 'image/svg+xml',
      ext: 'svg',
      body: new TextEncoder().encode(sanitizeSvg(text)),
    };
  } catch (err) {
    if (err instanceof UnsafeSvgError)
      throw new InvalidImageError(`This SVG cannot be used: ${err.message}`);
    throw err;
  }
}

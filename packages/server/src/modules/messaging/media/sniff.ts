import { fileTypeFromBuffer } from 'file-type';
import { mediaKindOf, type MediaKind } from '@switchboard/contracts';

// The real type of a file, read from its bytes (never from a header or a file name), mapped to
// the MIME types Meta names. Text formats have no magic bytes: a declared text/plain or text/csv
// is believed only when the bytes are valid UTF-8 without NULs.

/** file-type's names → Meta's (WhatsApp lists audio/mp4 for M4A, audio/ogg for Opus voice notes). */
const aliases: Record<string, string> = {
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/opus': 'audio/ogg',
  'audio/x-aac': 'audio/aac',
  'audio/amr-wb': 'audio/amr',
  'audio/x-wav': 'audio/wav',
  'video/quicktime': 'video/quicktime',
  'application/x-cfb': 'application/x-cfb',
};

/** Old Office formats are all OLE containers; the declared type or the name says which one. */
const oleTypes: Record<string, string> = {
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
};

export type SniffedMedia = {
  /** The bare MIME type (no parameters). */
  mimeType: string;
  /** The kind Meta files it under; undefined when Meta takes no such file. */
  kind: MediaKind | undefined;
};

function bare(type: string | undefined): string | undefined {
  return type?.split(';')[0]?.trim().toLowerCase() || undefined;
}

function isUtf8Text(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the bytes are. `declared` (a Content-Type) and `fileName` only choose between formats the
 * bytes cannot tell apart (plain text and CSV; the three old Office formats).
 */
export async function sniffMedia(
  bytes: Uint8Array,
  declared?: string,
  fileName?: string,
): Promise<SniffedMedia | undefined> {
  const found = await fileTypeFromBuffer(bytes);
  const declaredType = bare(declared);
  if (!found) {
    if (bytes.length > 0 && isUtf8Text(bytes)) {
      const csv = declaredType === 'text/csv' || /\.csv$/i.test(fileName ?? '');
      const mimeType = csv ? 'text/csv' : 'text/plain';
      return { mimeType, kind: mediaKindOf(mimeType) };
    }
    return undefined;
  }
  let mimeType = aliases[found.mime] ?? bare(found.mime)!;
  if (found.mime === 'application/x-cfb') {
    const ext = /\.([a-z]{3})$/i.exec(fileName ?? '')?.[1]?.toLowerCase();
    const byDeclared = Object.values(oleTypes).find((t) => t === declaredType);
    mimeType = byDeclared ?? (ext ? oleTypes[ext] : undefined) ?? 'application/x-cfb';
  }
  return { mimeType, kind: mediaKindOf(mimeType) };
}

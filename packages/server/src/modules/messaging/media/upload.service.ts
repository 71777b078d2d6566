import { mediaLimits, type MediaKind } from '@switchboard/contracts';
import type { TenantData } from '../../../engine/data/tenant-data';
import { AppError } from '../../../engine/errors';
import { randomId, sha256Hex } from '../../../engine/ids';
import type { BlobStore } from '../../../engine/ports/blobs';
import { mediaBlobKey, safeFileName } from './media-keys';
import type { UploadedMediaItem } from './media.repo';
import { sniffMedia } from './sniff';

// POST /media: a file a member will send. Everything Meta would refuse is refused here, before a
// byte is stored: the type is read from the bytes (never the Content-Type or the name) and must be
// one Meta takes; the size must be within Meta's limit for that kind. Then the bytes go to the
// blob store under the tenant's prefix, and only then the MEDIA item: an item always has its bytes.

export type UploadInput = {
  bytes: Uint8Array;
  /** The Content-Type the client gave (only tells CSV from plain text, and the old Office types). */
  declaredType?: string;
  filename?: string;
  uploadedBy?: UploadedMediaItem['uploadedBy'];
};

const kindNames: Record<MediaKind, string> = {
  image: 'images',
  sticker: 'stickers',
  audio: 'audio',
  video: 'video',
  document: 'documents',
};

function sizeText(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number(mb.toFixed(1))} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** What the bytes are, and that Meta takes it at this size; throws the API's 413 / 415 otherwise. */
export async function checkUpload(
  input: Pick<UploadInput, 'bytes' | 'declaredType' | 'filename'>,
): Promise<{ kind: MediaKind; mimeType: string }> {
  if (input.bytes.length === 0) {
    throw new AppError('bad_request', 'The body is empty: send the file’s bytes.');
  }
  const sniffed = await sniffMedia(input.bytes, input.declaredType, input.filename);
  if (!sniffed) {
    throw new AppError(
      'media_type_not_accepted',
      'This file is not a type WhatsApp or Instagram accepts (its content matches no image, audio, video or document format they take).',
    );
  }
  if (!sniffed.kind) {
    throw new AppError(
      'media_type_not_accepted',
      `${sniffed.mimeType} is not a type WhatsApp or Instagram accepts.`,
      { mimeType: sniffed.mimeType },
    );
  }
  const limit = mediaLimits[sniffed.kind].maxBytes;
  if (input.bytes.length > limit) {
    throw new AppError(
      'media_too_large',
      `This file is ${sizeText(input.bytes.length)}; ${kindNames[sniffed.kind]} can be at most ${sizeText(limit)}.`,
      { type: sniffed.kind, size: input.bytes.length, maxBytes: limit },
    );
  }
  return { kind: sniffed.kind, mimeType: sniffed.mimeType };
}

/** The `Content-Disposition` a document is served with: it downloads under its own name. */
function dispositionOf(kind: MediaKind, fileName: string): string | undefined {
  return kind === 'document' ? `attachment; filename="${fileName}"` : undefined;
}

export async function storeUpload(
  deps: { blobs: BlobStore; now: Date },
  data: TenantData,
  input: UploadInput,
): Promise<UploadedMediaItem> {
  const filename = input.filename?.trim() || undefined;
  const { kind, mimeType } = await checkUpload({ ...input, filename });
  const id = randomId('med');
  const key = mediaBlobKey(data.tenantId, id, filename, mimeType);
  const contentDisposition = dispositionOf(kind, safeFileName(filename, mimeType));
  await deps.blobs.put(key, input.bytes, mimeType, {
    ...(contentDisposition ? { contentDisposition } : {}),
    // The key is unique to these bytes: a cache may keep them as long as a URL grants access.
    cacheControl: 'private, max-age=31536000, immutable',
  });
  const item: UploadedMediaItem = {
    id,
    type: kind,
    mimeType,
    size: input.bytes.length,
    ...(filename ? { filename } : {}),
    sha256: sha256Hex(input.bytes),
    key,
    createdAt: deps.now.toISOString(),
    ...(input.uploadedBy ? { uploadedBy: input.uploadedBy } : {}),
    metaIds: {},
  };
  await data.media.create(item);
  return item;
}

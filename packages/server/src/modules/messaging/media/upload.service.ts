import {
  mediaKindOf,
  mediaLimits,
  type CreateMediaUploadRequest,
  type MediaKind,
} from '@switchboard/contracts';
import type { TenantData } from '../../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../../engine/errors';
import { randomId, sha256Hex } from '../../../engine/ids';
import type { BlobStore } from '../../../engine/ports/blobs';
import type { UploadUrlSigner } from '../../../engine/ports/upload-urls';
import { mediaBlobKey, mediaUploadKey, safeFileName } from './media-keys';
import type { PendingMediaUpload, UploadedMediaItem } from './media.repo';
import { sniffMedia } from './sniff';

// POST /media: a file a member will send. Everything Meta would refuse is refused here, before a
// byte is stored: the type is read from the bytes (never the Content-Type or the name) and must be
// one Meta takes; the size must be within Meta's limit for that kind. Then the bytes go to the
// blob store under the tenant's prefix, and only then the MEDIA item: an item always has its bytes.
//
// Direct uploads (files too large for API Gateway and Lambda) take two more steps around the same
// function: `createDirectUpload` refuses a declared type or size Meta would refuse and signs a
// URL for the bytes; `completeDirectUpload` reads what was PUT and runs `storeUpload` on it, so the
// real bytes meet exactly the checks `POST /media` applies.

export type UploadInput = {
  bytes: Uint8Array;
  /** The Content-Type the client gave (only tells CSV from plain text, and the old Office types). */
  declaredType?: string;
  filename?: string;
  uploadedBy?: UploadedMediaItem['uploadedBy'];
  /** The media id to store it under (a direct upload's own id); new otherwise. */
  id?: string;
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

function tooLarge(kind: MediaKind, size: number): AppError {
  const limit = mediaLimits[kind].maxBytes;
  return new AppError(
    'media_too_large',
    `This file is ${sizeText(size)}; ${kindNames[kind]} can be at most ${sizeText(limit)}.`,
    { type: kind, size, maxBytes: limit },
  );
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
  if (input.bytes.length > mediaLimits[sniffed.kind].maxBytes) {
    throw tooLarge(sniffed.kind, input.bytes.length);
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
  const id = input.id ?? randomId('med');
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
  if (!(await data.media.create(item))) {
    // A concurrent completion of the same direct upload stored it first: answer that one.
    const stored = await data.media.get(id);
    if (stored) return stored;
  }
  return item;
}

/** A direct upload's URL lasts 15 minutes (S3's `X-Amz-Expires=900`). */
export const UPLOAD_URL_TTL_SECONDS = 900;

export type DirectUpload = {
  pending: PendingMediaUpload;
  /** Where to PUT the bytes; relative in the sandbox (the HTTP layer makes it absolute). */
  uploadUrl: string;
};

/**
 * `POST /media/uploads`: refuses what Meta would refuse on the declaration alone (type, size for
 * its kind), records the pending upload and signs a URL for exactly that type and size.
 */
export async function createDirectUpload(
  deps: { uploads: UploadUrlSigner; now: Date },
  data: TenantData,
  input: CreateMediaUploadRequest & { uploadedBy?: UploadedMediaItem['uploadedBy'] },
): Promise<DirectUpload> {
  const kind = mediaKindOf(input.contentType);
  if (!kind) {
    throw new AppError(
      'media_type_not_accepted',
      `${input.contentType} is not a type WhatsApp or Instagram accepts.`,
      { mimeType: input.contentType },
    );
  }
  if (input.size > mediaLimits[kind].maxBytes) throw tooLarge(kind, input.size);
  const id = randomId('med');
  const key = mediaUploadKey(data.tenantId, id);
  const filename = input.filename?.trim() || undefined;
  const pending: PendingMediaUpload = {
    id,
    contentType: input.contentType,
    size: input.size,
    ...(filename ? { filename } : {}),
    key,
    createdAt: deps.now.toISOString(),
    urlExpiresAt: new Date(deps.now.getTime() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString(),
    ...(input.uploadedBy ? { uploadedBy: input.uploadedBy } : {}),
  };
  await data.media.createPendingUpload(pending);
  const uploadUrl = await deps.uploads.sign(
    {
      tenantId: data.tenantId,
      uploadId: id,
      key,
      contentType: input.contentType,
      size: input.size,
    },
    UPLOAD_URL_TTL_SECONDS,
    deps.now,
  );
  return { pending, uploadUrl };
}

/**
 * `POST /media/uploads/{id}/complete`: the bytes that were PUT become media through `storeUpload`
 * (sniffed, Meta's type and size limits on the real bytes), under the upload's own id. A second
 * completion finds that media and answers it. Another tenant's id finds no pending upload: 404.
 */
export async function completeDirectUpload(
  deps: { blobs: BlobStore; now: Date },
  data: TenantData,
  uploadId: string,
): Promise<UploadedMediaItem> {
  const pending = await data.media.getPendingUpload(uploadId);
  if (!pending) throw new NotFoundError('Upload');
  const done = await data.media.get(uploadId);
  if (done) return done;
  const blob = await deps.blobs.get(pending.key);
  if (!blob) {
    throw new AppError(
      'media_not_ready',
      'No file has been uploaded yet: PUT its bytes to the upload URL first.',
    );
  }
  if (blob.body.length !== pending.size) {
    throw new AppError(
      'bad_request',
      `The uploaded file is ${blob.body.length} bytes; ${pending.size} were declared.`,
      { size: blob.body.length, declaredSize: pending.size },
    );
  }
  return storeUpload(deps, data, {
    id: uploadId,
    bytes: blob.body,
    declaredType: pending.contentType,
    filename: pending.filename,
    uploadedBy: pending.uploadedBy,
  });
}

import type { NormalizedMedia } from '@switchboard/contracts';
import { tenantAssetPrefix } from '../../../engine/ports/asset-urls';

// Where attachments live in the blob store, and how long their signed URLs last. One layout for
// inbound media (fetched from Meta), outbound uploads and Instagram avatars:
//   tenants/<tenantId>/media/<mediaId>/<file name>
// The tenant prefix is what the asset signer and the CDN scope a URL to; the file name is the
// last segment so a document downloads under its own name.

/** Signed media URLs last an hour; the thread refetches messages long before that. */
export const MEDIA_URL_TTL_SECONDS = 3600;

const extensionOf: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'audio/aac': 'aac',
  'audio/amr': 'amr',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'audio/ogg': 'ogg',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'text/csv': 'csv',
};

/**
 * A file name safe as one key segment and in `Content-Disposition`: letters, digits, `.`, `_`,
 * `-` (others become `_`), at most 128 characters, never empty or dot-led; `file.<ext>` when the
 * sender gave none.
 */
export function safeFileName(name: string | undefined, mimeType: string): string {
  const ext = extensionOf[mimeType.split(';')[0]!.trim().toLowerCase()] ?? 'bin';
  const cleaned = (name ?? '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(-128);
  return cleaned && /[A-Za-z0-9]/.test(cleaned) ? cleaned : `file.${ext}`;
}

/** The blob key of one attachment. `mediaId` is ours (`med_…`): letters, digits, `_` and `-`. */
export function mediaBlobKey(
  tenantId: string,
  mediaId: string,
  fileName: string | undefined,
  mimeType: string,
): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(mediaId)) throw new Error(`not a media id: ${mediaId}`);
  return `${tenantAssetPrefix(tenantId)}media/${mediaId}/${safeFileName(fileName, mimeType)}`;
}

/**
 * Where a direct upload's bytes land before they are checked (`POST /media/uploads`): inside the
 * media layout, so the media bucket's grants and routing apply. `_upload` is never a final file
 * name (`safeFileName` strips a leading `_` from any name shorter than 128 characters), so a PUT
 * with a still-valid URL after completion can never overwrite the checked copy.
 */
export function mediaUploadKey(tenantId: string, mediaId: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(mediaId)) throw new Error(`not a media id: ${mediaId}`);
  return `${tenantAssetPrefix(tenantId)}media/${mediaId}/_upload`;
}

/** Keys under some tenant's media prefix (the AWS adapter routes them to the media bucket). */
export const mediaKeyPattern = /^tenants\/[A-Za-z0-9_-]{1,64}\/media\//;

/**
 * An attachment as the message item holds it: what the API shows (`NormalizedMedia`) plus what
 * only the server uses. `key` is the blob key of our copy (set once `ready`: inbound after the
 * fetch, outbound from the upload); `sourceUrl` is where Meta's copy was (Instagram's CDN URL),
 * never returned. The message view (`media-view.ts`) strips both and adds a signed `url`.
 */
export type StoredMedia = NormalizedMedia & {
  key?: string;
  sourceUrl?: string;
};

import {
  mediaKindOf,
  mediaLimits,
  type MediaFailureReason,
  type MediaKind,
  type MessageType,
  type NormalizedMedia,
} from '@switchboard/contracts';
import { apiBase } from './api-client';

// Attachments as the inbox shows and sends them: where an attachment's bytes load from, which
// kind it is, sizes in words, and the checks Meta would make on a file, done before any upload.

/**
 * A URL the page may load an attachment from: the API's signed URL of our copy (relative to the
 * API, or absolute: CloudFront), or a local preview (`blob:`). Anything else (another scheme, a
 * protocol-relative URL) is not shown.
 */
export function mediaSrc(url: string | undefined): string | undefined {
  if (!url) return undefined;
  if (url.startsWith('blob:')) return url;
  if (url.startsWith('/') && !url.startsWith('//')) return `${apiBase}${url}`;
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** The object part of a signed URL: the same file whatever its signature and expiry. */
function objectOf(url: string): string {
  return url.split(/[?#]/)[0]!;
}

/** When a signed URL stops working (`exp` in the sandbox, `Expires` on CloudFront), in ms. */
function expiryOf(url: string): number | undefined {
  const query = url.split('?')[1]?.split('#')[0];
  if (!query) return undefined;
  const params = new URLSearchParams(query);
  const exp = params.get('exp') ?? params.get('Expires');
  return exp && /^\d{1,12}$/.test(exp) ? Number(exp) * 1000 : undefined;
}

/** Keep a URL this long before the end of its life; one whose expiry is unknown, this long. */
const RENEW_BEFORE_MS = 5 * 60_000;
const UNKNOWN_LIFE_MS = 10 * 60_000;
const MAX_KEPT = 1000;

const kept = new Map<string, { url: string; seenAt: number }>();

/**
 * The thread refetches every second or two and each answer signs its URLs afresh, so the same
 * file would get a new `src` each time (images reloading, a voice note restarting). This keeps
 * the first URL seen for a file until it is about to expire, then takes the newer one.
 */
export function stableMediaUrl(url: string, now = Date.now()): string {
  const object = objectOf(url);
  const previous = kept.get(object);
  if (previous && previous.url !== url) {
    const expires = expiryOf(previous.url) ?? previous.seenAt + UNKNOWN_LIFE_MS;
    if (expires - now > RENEW_BEFORE_MS) return previous.url;
  }
  if (previous?.url !== url) {
    kept.delete(object);
    if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(object, { url, seenAt: now });
  }
  return url;
}

/** A kept URL that failed to load: the next answer's URL is used instead. */
export function forgetMediaUrl(url: string): void {
  const object = objectOf(url);
  if (kept.get(object)?.url === url) kept.delete(object);
}

const mediaMessageTypes: readonly string[] = ['image', 'video', 'audio', 'document', 'sticker'];

/**
 * How to show an attachment: by its message's type when that is a media type, else by its MIME
 * type (Instagram attachments of several kinds, story mentions, shares), else as an image.
 */
export function displayKindOf(media: NormalizedMedia, messageType?: MessageType): MediaKind {
  const mime = media.mimeType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const byType =
    messageType && mediaMessageTypes.includes(messageType) ? (messageType as MediaKind) : undefined;
  if (mime.startsWith('image/')) return byType === 'sticker' ? 'sticker' : 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime) return byType ?? 'document';
  return byType ?? 'image';
}

/** Every attachment of a message: Instagram's several, or the one `media`. */
export function attachmentsOf(m: {
  media?: NormalizedMedia;
  attachments?: NormalizedMedia[];
}): NormalizedMedia[] {
  if (m.attachments?.length) return m.attachments;
  return m.media ? [m.media] : [];
}

/** Past this age a still-pending attachment is stuck, not on its way: no need to hurry. */
const PENDING_FRESH_MS = 5 * 60_000;

/** A page of messages holds a recent attachment still being fetched from Meta. */
export function hasPendingMedia(
  items:
    | readonly { media?: NormalizedMedia; attachments?: NormalizedMedia[]; timestamp?: string }[]
    | undefined,
  now = Date.now(),
): boolean {
  return (items ?? []).some(
    (m) =>
      attachmentsOf(m).some((a) => a.status === 'pending') &&
      !(m.timestamp && now - Date.parse(m.timestamp) > PENDING_FRESH_MS),
  );
}

/** Why an attachment cannot be shown, for a person. */
export const failureWording: Record<MediaFailureReason, { title: string; detail: string }> = {
  expired: {
    title: 'Media no longer available',
    detail: 'The customer’s file expired on WhatsApp or Instagram before it could be saved.',
  },
  too_large: {
    title: 'Attachment too large',
    detail: 'It is over what WhatsApp or Instagram allows for its kind, so it was not saved.',
  },
  corrupt: {
    title: 'Attachment damaged',
    detail: 'The file that arrived was incomplete or not what it claimed to be.',
  },
  unavailable: {
    title: 'Attachment could not be fetched',
    detail: 'WhatsApp or Instagram did not hand the file over, even after several tries.',
  },
};

/** 1536 → "1.5 KB", 5242880 → "5 MB": binary units, as Meta states its limits. */
export function humanSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
  return `${rounded} ${units[unit]}`;
}

/** Browsers name some types differently from Meta (and some files get no type at all). */
const mimeAliases: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/x-m4a': 'audio/mp4',
  'audio/m4a': 'audio/mp4',
  'audio/mp3': 'audio/mpeg',
  'audio/opus': 'audio/ogg',
  'audio/x-aac': 'audio/aac',
  'audio/amr-wb': 'audio/amr',
  'video/3gp': 'video/3gpp',
};

const mimeByExtension: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  aac: 'audio/aac',
  amr: 'audio/amr',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  txt: 'text/plain',
  csv: 'text/csv',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** The MIME type to send a file as: its own, in Meta's spelling, or guessed from its name. */
export function mimeTypeOf(file: { name: string; type: string }): string {
  const own = file.type.split(';')[0]!.trim().toLowerCase();
  if (own && own !== 'application/octet-stream') return mimeAliases[own] ?? own;
  const ext = /\.([a-z0-9]{1,5})$/i.exec(file.name)?.[1]?.toLowerCase();
  return (ext && mimeByExtension[ext]) || own || 'application/octet-stream';
}

const kindNames: Record<MediaKind, { one: string; many: string }> = {
  image: { one: 'image', many: 'images' },
  sticker: { one: 'sticker', many: 'stickers' },
  audio: { one: 'audio file', many: 'audio files' },
  video: { one: 'video', many: 'videos' },
  document: { one: 'document', many: 'documents' },
};

export const acceptedTypesSentence =
  'Send images as JPEG or PNG, stickers as WebP, audio as AAC, MP3, M4A, AMR or OGG, video as MP4 or 3GP, and documents as PDF, Word, Excel, PowerPoint, text or CSV.';

/** Every MIME type Meta takes, for a file input's `accept`. */
export const acceptAttribute = Object.values(mediaLimits)
  .flatMap((limit): string[] => [...limit.mimeTypes])
  .concat(['.m4a', '.opus', '.amr', '.3gp', '.csv'])
  .join(',');

export type FileCheck =
  { ok: true; kind: MediaKind; mimeType: string } | { ok: false; message: string };

/**
 * What Meta would say about a file, before it is uploaded: a type it takes, and a size within the
 * limit for its kind (`mediaLimits`, the same table the server enforces). `only` narrows the kinds
 * (a template's image header takes only images).
 */
export function checkAttachment(
  file: { name: string; type: string; size: number },
  only?: readonly MediaKind[],
): FileCheck {
  const mimeType = mimeTypeOf(file);
  const kind = mediaKindOf(mimeType);
  const name = file.name ? `“${file.name}”` : 'That file';
  if (!kind) {
    const what = mimeType === 'application/octet-stream' ? '' : ` (${mimeType})`;
    return {
      ok: false,
      message: `${name}${what} is not a file type WhatsApp or Instagram accepts. ${acceptedTypesSentence}`,
    };
  }
  if (only && !only.includes(kind)) {
    const wanted = only.map((k) => kindNames[k].one).join(' or ');
    return {
      ok: false,
      message: `${name} is ${articled(kindNames[kind].one)}; this needs ${articled(wanted)}.`,
    };
  }
  if (file.size === 0) return { ok: false, message: `${name} is empty.` };
  const limit = mediaLimits[kind].maxBytes;
  if (file.size > limit) {
    const sticker =
      kind === 'sticker'
        ? ' WebP images are sent as stickers; save it as JPEG or PNG to send it as a photo.'
        : '';
    return {
      ok: false,
      message: `${name} is ${humanSize(file.size)}; WhatsApp takes ${kindNames[kind].many} up to ${humanSize(limit)}.${sticker}`,
    };
  }
  return { ok: true, kind, mimeType };
}

function articled(word: string): string {
  return /^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`;
}

/** Audio and stickers cannot carry a caption (Meta's rule, `sendMediaSchema`). */
export function takesCaption(kind: MediaKind): boolean {
  return kind !== 'audio' && kind !== 'sticker';
}

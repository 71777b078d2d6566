import { mediaLimits } from '@switchboard/contracts';
import type { Channel, MessageType } from '../meta/inbound-event';
import type { SniffedMedia } from './sniff';

// What an inbound attachment may be, by channel and message type: the most bytes we take (Meta's
// own limit for the kind) and which real types (sniffed from the bytes) fit the message. Anything
// else is `too_large` or `corrupt`: never stored, never served.

const MB = 1024 * 1024;

export type InboundMediaRule = {
  maxBytes: number;
  /** Whether the sniffed type fits what the message says it is; undefined: unrecognised bytes. */
  accepts(sniffed: SniffedMedia | undefined): boolean;
};

const isImage = (s?: SniffedMedia) => s?.mimeType.startsWith('image/') === true;
const isVideo = (s?: SniffedMedia) => s?.mimeType.startsWith('video/') === true;
const isAudio = (s?: SniffedMedia) =>
  s?.mimeType.startsWith('audio/') === true || s?.mimeType === 'video/mp4';
const anything = () => true;

const whatsapp: Partial<Record<MessageType, InboundMediaRule>> = {
  image: { maxBytes: mediaLimits.image.maxBytes, accepts: (s) => s?.kind === 'image' },
  sticker: { maxBytes: mediaLimits.sticker.maxBytes, accepts: (s) => s?.kind === 'sticker' },
  // WhatsApp's audio/mp4 is often an ISO file branded like a video.
  audio: {
    maxBytes: mediaLimits.audio.maxBytes,
    accepts: (s) => s?.kind === 'audio' || isAudio(s),
  },
  video: { maxBytes: mediaLimits.video.maxBytes, accepts: (s) => s?.kind === 'video' },
  // Customers send documents of any type; they are served as downloads only.
  document: { maxBytes: mediaLimits.document.maxBytes, accepts: anything },
};

// Instagram's attachment limits: images 8 MB, video, audio and files 25 MB. Shares and story
// mentions are Meta's own posts and reels: bounded by what we are willing to hold.
const instagram: Partial<Record<MessageType, InboundMediaRule>> = {
  image: { maxBytes: 8 * MB, accepts: isImage },
  sticker: { maxBytes: 8 * MB, accepts: isImage },
  audio: { maxBytes: 25 * MB, accepts: isAudio },
  video: { maxBytes: 25 * MB, accepts: isVideo },
  document: { maxBytes: 25 * MB, accepts: anything },
};
const instagramOther: InboundMediaRule = {
  maxBytes: 100 * MB,
  accepts: (s) => isImage(s) || isVideo(s),
};
const fallback: InboundMediaRule = { maxBytes: mediaLimits.document.maxBytes, accepts: anything };

export function inboundMediaRule(channel: Channel, type: MessageType): InboundMediaRule {
  if (channel === 'whatsapp') return whatsapp[type] ?? fallback;
  return instagram[type] ?? instagramOther;
}

/** The type we store and serve: the sniffed one, or a download of unknown bytes. */
export function storedMimeType(sniffed: SniffedMedia | undefined): string {
  return sniffed?.mimeType ?? 'application/octet-stream';
}

/** Served inline (`<img>`, `<video>`, `<audio>`); everything else (SVG too) downloads. */
export function isInlineType(mimeType: string): boolean {
  return /^(image\/(jpeg|png|webp|gif)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+)$/.test(
    mimeType.split(';')[0]!.trim().toLowerCase(),
  );
}

import type { MessageDto, NormalizedMedia } from '@switchboard/contracts';

// The thread's view of a message. Its shape (type, content per type, status, direction) is the
// contracts' vocabulary (contracts/src/message-types.ts, shared with the server's normaliser);
// only the helpers that present it live here.

export type Media = NormalizedMedia;

export type MessageView = MessageDto & {
  /** Local only: an optimistic message before the server answered. */
  optimistic?: boolean;
};

/** One line that says what a message is, for quotes and previews. */
export function summarize(m: MessageView | undefined): string {
  if (!m) return 'Original message';
  if (m.deletedAt) return 'Deleted message';
  if (m.text) return m.text;
  if (m.outboundInteractive) return m.outboundInteractive.body;
  switch (m.type) {
    case 'image':
      if ((m.attachments?.length ?? 0) > 1) return `${m.attachments!.length} photos`;
      return m.media?.caption ? `Photo: ${m.media.caption}` : 'Photo';
    case 'video':
      return m.media?.caption ? `Video: ${m.media.caption}` : 'Video';
    case 'audio':
      return m.media?.voice ? 'Voice message' : 'Audio';
    case 'document':
      return m.media?.filename ?? 'Document';
    case 'sticker':
      return 'Sticker';
    case 'location':
      return m.location?.name ?? 'Location';
    case 'contacts':
      return 'Contact card';
    case 'order':
      return 'Order';
    case 'template':
      return `Template ${m.template?.name ?? ''}`.trim();
    default:
      return m.interactive?.title ?? m.type;
  }
}

export function isSafeLink(url: string | undefined): url is string {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

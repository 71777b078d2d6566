import type { MessageDto } from '@switchboard/contracts';

// The normalised message fields the server stores next to the contract's core ones (see the
// server's meta/inbound-event.ts). The contract passes them through; the thread reads them here.

export type Media = {
  id?: string;
  url?: string;
  mimeType?: string;
  caption?: string;
  filename?: string;
  animated?: boolean;
  voice?: boolean;
};

export type MessageView = MessageDto & {
  media?: Media;
  attachments?: Media[];
  location?: { latitude: number; longitude: number; name?: string; address?: string; url?: string };
  contacts?: unknown[];
  interactive?: {
    kind: string;
    id?: string;
    title?: string;
    description?: string;
    payload?: string;
  };
  reaction?: { messageId: string; emoji?: string; action: 'react' | 'unreact' };
  context?: {
    messageId?: string;
    from?: string;
    forwarded?: boolean;
    frequentlyForwarded?: boolean;
    storyUrl?: string;
    storyId?: string;
  };
  order?: { catalogId?: string; items: unknown[]; text?: string };
  system?: { body?: string; type?: string; newWaId?: string };
  errors?: { code: number; title?: string; message?: string; details?: string }[];
  originalType?: string;
  template?: { name?: string; language?: string };
  deletedAt?: string;
  /** Local only: an optimistic message before the server answered. */
  optimistic?: boolean;
};

export function asView(m: MessageDto): MessageView {
  return m as MessageView;
}

/** One line that says what a message is, for quotes and previews. */
export function summarize(m: MessageView | undefined): string {
  if (!m) return 'Original message';
  if (m.deletedAt) return 'Deleted message';
  if (m.text) return m.text;
  switch (m.type) {
    case 'image':
      return m.media?.caption ? `Photo: ${m.media.caption}` : 'Photo';
    case 'video':
      return 'Video';
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

/** A URL the browser may load under the CSP: same-origin or data/blob. Meta CDN links are not. */
export function isLoadableUrl(url: string | undefined): url is string {
  if (!url) return false;
  if (url.startsWith('data:') || url.startsWith('blob:') || url.startsWith('/')) return true;
  try {
    return typeof window !== 'undefined' && new URL(url).origin === window.location.origin;
  } catch {
    return false;
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

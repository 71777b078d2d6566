import type { NormalizedMessage } from './meta/inbound-event';

const labels: Partial<Record<NormalizedMessage['type'], string>> = {
  image: '📷 Photo',
  audio: '🎤 Audio',
  video: '🎬 Video',
  document: '📄 Document',
  sticker: 'Sticker',
  location: '📍 Location',
  contacts: '👤 Contact',
  order: '🛒 Order',
  story_mention: 'Mentioned you in a story',
  share: 'Shared a post',
  unsupported: 'Unsupported message',
  ephemeral: 'Disappearing message',
  request_welcome: 'Started a conversation',
};

/** The one-line preview the inbox shows for a message. */
export function previewOf(m: NormalizedMessage): string {
  if (m.type === 'reaction')
    return m.reaction?.emoji ? `Reacted ${m.reaction.emoji}` : 'Removed a reaction';
  const text = m.text ?? m.media?.caption ?? m.interactive?.title ?? m.system?.body;
  if (text) return text.length > 120 ? `${text.slice(0, 119)}…` : text;
  return labels[m.type] ?? m.type;
}

// Meta webhook entry → normalised events: checks the entry, then dispatches by `object` to
// one normaliser per channel (whatsapp/, instagram/), as Chatwoot keeps one folder per channel.
import type { InboundEvent } from './inbound-event';
import { normalizeInstagramEntry } from './instagram/normalize-instagram';
import { metaEntrySchema } from './webhook-envelope';
import { normalizeWhatsAppEntry } from './whatsapp/normalize-whatsapp';

export { igReactionMessageId } from './instagram/normalize-instagram';

/** Thrown only when the input is structurally not a Meta webhook entry. */
export class MetaPayloadError extends Error {
  override readonly name = 'MetaPayloadError';
}

/**
 * Turns one webhook entry (one queue message) into normalised events.
 * Pure and total for well-formed entries: odd items become `ignored` events, unknown message
 * types become `unsupported` messages. Only a non-entry (or an unknown `object`) throws.
 */
export function normalizeEntry(object: string, entry: unknown): InboundEvent[] {
  const parsed = metaEntrySchema.safeParse(entry);
  if (!parsed.success) {
    throw new MetaPayloadError(
      `not a Meta webhook entry: ${parsed.error.issues[0]?.message ?? ''}`,
    );
  }
  switch (object) {
    case 'whatsapp_business_account':
      return normalizeWhatsAppEntry(parsed.data);
    case 'instagram':
    case 'page':
      return normalizeInstagramEntry(parsed.data);
    default:
      throw new MetaPayloadError(`unsupported webhook object: ${object}`);
  }
}

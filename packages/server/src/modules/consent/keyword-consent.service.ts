import type { NormalizedMessage } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { dbForTenant, type TenantData, type TenantDbFactory } from '../../engine/data/tenant-data';
import { stableId } from '../../engine/ids';
import type { Logger } from '../../engine/log';
import type { OutboundDeps } from '../messaging/outbound-deps';
import { sendMessage } from '../messaging/send-message.service';
import { MAX_KEYWORD_MESSAGE, matchConsentKeyword } from './consent-keywords';
import { ConsentRepo } from './consent.repo';

// A customer's STOP (or START) on WhatsApp, from the message processor: the number's consent
// changes with the message as evidence, and the customer gets the language's confirmation. The
// customer just wrote, so the 24-hour window is open and a plain text is allowed.
//
// Redelivery-safe: the change id is derived from the message id (recording it again is a no-op),
// and the reply is claimed once per change before it is sent, so a webhook delivered twice, even
// to two consumers at once, gets one reply. A reply that fails is logged, not retried: Meta has
// no idempotency key, and a retry after an unclear failure could reach the customer twice.

export type KeywordConsentDeps = {
  db: Db;
  tenantDb?: TenantDbFactory;
  log: Logger;
  /** The send path for the confirmation; absent, the change is recorded and no reply is sent. */
  outbound?: OutboundDeps;
};

export type InboundForConsent = {
  channel: 'whatsapp' | 'instagram';
  /** Our id of the stored message (the inbox's). */
  messageId: string;
  conversationId: string;
  /** The sender's WhatsApp id: the number's digits. */
  from: string;
  message: NormalizedMessage;
};

/** The change id of a keyword message: the same message is the same change. */
export const keywordChangeId = (messageId: string): string => stableId('cns', 'keyword', messageId);

export async function applyConsentKeyword(
  deps: KeywordConsentDeps,
  data: TenantData,
  input: InboundForConsent,
): Promise<void> {
  const { message } = input;
  if (input.channel !== 'whatsapp' || message.direction !== 'inbound' || message.type !== 'text') {
    return;
  }
  // A username-only sender (no number) has no number to keep consent for; a long message is
  // never a keyword (checked before the keywords are read: most messages cost nothing here).
  if (!/^\d{6,15}$/.test(input.from)) return;
  if (!message.text || message.text.length > MAX_KEYWORD_MESSAGE) return;
  const repo = new ConsentRepo(dbForTenant(deps, data.tenantId), data.tenantId);
  const match = matchConsentKeyword(message.text, await repo.keywords());
  if (!match) return;
  const change = {
    id: keywordChangeId(input.messageId),
    status: match.status,
    at: new Date(message.timestamp).toISOString(),
    evidence: {
      source: 'keyword' as const,
      keyword: match.keyword,
      language: match.language,
      messageId: input.messageId,
    },
  };
  const current = await repo.record(`+${input.from}`, change);
  // A keyword overtaken by a later change (a START that arrived before its STOP) changed nothing:
  // confirming it would tell the customer the opposite of what holds.
  if (!current) return;
  const outbound = deps.outbound;
  if (!outbound) {
    deps.log.warn('consent keyword recorded; no send path for its confirmation', {
      tenantId: data.tenantId,
    });
    return;
  }
  const now = outbound.now();
  if (!(await repo.claimReply(change.id, now))) return;
  try {
    await sendMessage(
      outbound,
      data,
      { conversationId: input.conversationId, text: match.reply },
      undefined,
      { id: stableId('msg', 'consent-reply', change.id), at: now.toISOString(), resumed: false },
    );
  } catch (err) {
    deps.log.warn('consent confirmation not sent', {
      tenantId: data.tenantId,
      messageId: input.messageId,
      error: (err as Error).name,
      code: (err as { code?: string }).code,
    });
  }
}

import type { Db, Key } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

// The WhatsApp follow-up of one form submission, claimed once: `TENANT#<id>` /
// `WAHANDOFF#<submissionId>`. Put if absent before the template is sent, so a redelivered
// LeadSubmitted (or two racing deliveries) never sends it twice; it reserves the id the outbound
// message is stored under, so a delivery that takes over a dead claim finds what the first one
// stored. Settled with the conversation once the send is over, whatever its outcome. Kept with a
// TTL (`expiresAt`), not depended on.

const CLAIM_TTL_SECONDS = 30 * 24 * 3600;

export type HandoffClaim = {
  /** The outbound message's reserved id and timestamp (send-message.service.ts' reservation). */
  messageId: string;
  at: string;
  claimedAt: string;
  /** Set once the send is over: the conversation the message is in, if it was stored. */
  settledAt?: string;
  conversationId?: string;
  outcome?: string;
};

const claimKey = (tenantId: string, submissionId: string): Key => ({
  PK: keys.tenant(tenantId).PK,
  SK: `WAHANDOFF#${submissionId}`,
});

export class WhatsappHandoffRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  /** True for the first caller only. */
  async claim(submissionId: string, claim: HandoffClaim, now: Date): Promise<boolean> {
    return this.db.put(
      {
        ...claimKey(this.tenantId, submissionId),
        entity: 'WhatsappHandoff',
        ...claim,
        expiresAt: Math.floor(now.getTime() / 1000) + CLAIM_TTL_SECONDS,
      },
      { ifNotExists: true },
    );
  }

  async get(submissionId: string): Promise<HandoffClaim | undefined> {
    const item = await this.db.get(claimKey(this.tenantId, submissionId), true);
    if (!item) return undefined;
    return {
      messageId: item.messageId,
      at: item.at,
      claimedAt: item.claimedAt,
      settledAt: item.settledAt,
      conversationId: item.conversationId,
      outcome: item.outcome,
    };
  }

  async settle(
    submissionId: string,
    settled: { at: string; outcome: string; conversationId?: string },
  ): Promise<void> {
    await this.db.update(
      claimKey(this.tenantId, submissionId),
      {
        set: [
          'settledAt = :at',
          'outcome = :outcome',
          ...(settled.conversationId ? ['conversationId = :cv'] : []),
        ].join(', '),
      },
      {
        condition: 'attribute_exists(PK)',
        values: {
          ':at': settled.at,
          ':outcome': settled.outcome,
          ...(settled.conversationId ? { ':cv': settled.conversationId } : {}),
        },
      },
    );
  }
}

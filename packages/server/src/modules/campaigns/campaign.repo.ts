import type {
  CampaignAudience,
  CampaignCounts,
  CampaignEstimate,
  CampaignRecipientStatus,
  CampaignStatus,
  CampaignTemplate,
} from '@switchboard/contracts';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys, tenantPk } from '../../engine/data/keys';

// A workspace's campaigns and their recipients (keys.ts `campaign`, `campaignRecipient`, …).
// DynamoDB here has no transactions, so every move of a recipient is one conditional update on its
// own item, and the counts are counted from the recipients: they cannot drift from them.

export type Campaign = {
  id: string;
  name: string;
  status: CampaignStatus;
  audience: CampaignAudience;
  template: CampaignTemplate;
  sendAt?: string;
  clientKey?: string;
  /** The audience has been drawn up into recipients (all chunks). */
  materialised: boolean;
  /** The last customer id of the chunks drawn so far. */
  audienceCursor?: string;
  excluded: CampaignEstimate['excluded'];
  waiting?: 'messaging_limit';
  leaseOwner?: string;
  leaseUntil?: number;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
};

export type RecipientError = { code: string; message: string };

export type Recipient = {
  campaignId: string;
  contactId: string;
  phone: string;
  /** The template's body parameters for this contact, resolved when the audience was drawn. */
  parameters?: string[] | Record<string, string>;
  conversationId: string;
  status: CampaignRecipientStatus;
  attemptId?: string;
  /** When the attempt was claimed (ms), and when it was cleared to call Meta (`confirmSend`). */
  claimedAt?: number;
  sendingAt?: number;
  attempts: number;
  notBefore?: number;
  messageId?: string;
  error?: RecipientError;
  updatedAt: string;
};

const noExclusions = { optedOut: 0, noConsent: 0, noPhone: 0 };

function toCampaign(item: Item): Campaign {
  return {
    id: item.id,
    name: item.name,
    status: item.status,
    audience: item.audience,
    template: item.template,
    sendAt: item.sendAt,
    clientKey: item.clientKey,
    materialised: item.materialised === true,
    audienceCursor: item.audienceCursor,
    excluded: { ...noExclusions, ...item.excluded },
    waiting: item.waiting,
    leaseOwner: item.leaseOwner,
    leaseUntil: item.leaseUntil,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
    completedAt: item.completedAt,
  };
}

export function toRecipient(item: Item): Recipient {
  return {
    campaignId: item.campaignId,
    contactId: item.contactId,
    phone: item.phone,
    parameters: item.parameters,
    conversationId: item.conversationId,
    status: item.status,
    attemptId: item.attemptId,
    claimedAt: item.claimedAt,
    sendingAt: item.sendingAt,
    attempts: item.attempts ?? 0,
    notBefore: item.notBefore,
    messageId: item.messageId,
    error: item.error,
    updatedAt: item.updatedAt,
  };
}

/** Where a status may move from: forward only, `failed` from any sent state, `replied` last. */
const forwardFrom: Record<'delivered' | 'read' | 'failed' | 'replied', CampaignRecipientStatus[]> =
  {
    delivered: ['sent'],
    read: ['sent', 'delivered'],
    failed: ['sent', 'delivered'],
    replied: ['sent', 'delivered', 'read'],
  };

export const emptyCounts = (): CampaignCounts => ({
  total: 0,
  queued: 0,
  sent: 0,
  delivered: 0,
  read: 0,
  failed: 0,
  replied: 0,
  skipped: 0,
});

export class CampaignRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async create(campaign: Campaign): Promise<boolean> {
    return this.db.put(
      { ...keys.campaign(this.tenantId, campaign.id), entity: 'campaign', ...campaign },
      { ifNotExists: true },
    );
  }

  /** Claims a create's `clientKey` for a campaign id; answers the id that holds it. */
  async claimClientKey(clientKey: string, campaignId: string, fingerprint: string) {
    const won = await this.db.put(
      { ...keys.campaignClientKey(this.tenantId, clientKey), campaignId, fingerprint },
      { ifNotExists: true },
    );
    if (won) return { won: true, campaignId, fingerprint };
    const item = await this.db.get(keys.campaignClientKey(this.tenantId, clientKey));
    return {
      won: false,
      campaignId: String(item?.campaignId),
      fingerprint: String(item?.fingerprint),
    };
  }

  async get(campaignId: string): Promise<Campaign | undefined> {
    const item = await this.db.get(keys.campaign(this.tenantId, campaignId));
    return item ? toCampaign(item) : undefined;
  }

  async list(limit: number, startKey?: Item): Promise<{ items: Campaign[]; lastKey?: Item }> {
    const page = await this.db.query({
      pk: tenantPk(this.tenantId),
      sk: { beginsWith: 'CAMPAIGN#' },
      newestFirst: true,
      limit,
      startKey,
    });
    return { items: page.items.map(toCampaign), lastKey: page.lastKey };
  }

  /**
   * Moves the campaign from one of `from` to `to`, with extra `set` clauses; undefined when it
   * was not in one of them (someone else moved it first).
   */
  async transition(
    campaignId: string,
    from: CampaignStatus[],
    to: CampaignStatus,
    at: string,
    extra: { set?: string; remove?: string; values?: Record<string, unknown> } = {},
  ): Promise<Campaign | undefined> {
    const values: Record<string, unknown> = { ':to': to, ':at': at, ...extra.values };
    from.forEach((s, i) => (values[`:f${i}`] = s));
    const item = await this.db.update(
      keys.campaign(this.tenantId, campaignId),
      {
        set: ['#s = :to', 'updatedAt = :at', extra.set].filter(Boolean).join(', '),
        ...(extra.remove ? { remove: extra.remove } : {}),
      },
      {
        condition: `attribute_exists(PK) AND #s IN (${from.map((_, i) => `:f${i}`).join(', ')})`,
        names: { '#s': 'status' },
        values,
      },
    );
    return item ? toCampaign(item) : undefined;
  }

  /**
   * Takes the campaign's run for `ms`: free, expired, or already this owner's. Only the holder
   * sends, so two deliveries of one queue message never send at twice the rate.
   */
  async lease(campaignId: string, owner: string, now: number, ms: number): Promise<boolean> {
    const item = await this.db.update(
      keys.campaign(this.tenantId, campaignId),
      { set: 'leaseOwner = :o, leaseUntil = :u' },
      {
        condition:
          'attribute_exists(PK) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :o)',
        values: { ':o': owner, ':u': now + ms, ':now': now },
      },
    );
    return item !== undefined;
  }

  async release(campaignId: string, owner: string): Promise<void> {
    await this.db.update(
      keys.campaign(this.tenantId, campaignId),
      { remove: 'leaseOwner, leaseUntil' },
      { condition: 'leaseOwner = :o', values: { ':o': owner } },
    );
  }

  async setWaiting(campaignId: string, waiting: 'messaging_limit' | undefined, at: string) {
    await this.db.update(
      keys.campaign(this.tenantId, campaignId),
      waiting
        ? { set: 'waiting = :w, updatedAt = :at' }
        : { set: 'updatedAt = :at', remove: 'waiting' },
      { values: waiting ? { ':w': waiting, ':at': at } : { ':at': at } },
    );
  }

  /**
   * Writes one chunk of the audience: recipients put if absent (a replayed chunk writes nothing
   * twice), then the cursor moves, with the chunk's exclusions added in the same conditional
   * update, so a chunk is counted once whatever crashes.
   */
  async addChunk(
    campaign: Campaign,
    /** With an `error`, a recipient written `skipped` (it can never be sent, e.g. a value missing). */
    recipients: (Omit<Recipient, 'attempts' | 'status'> & { error?: RecipientError })[],
    excluded: CampaignEstimate['excluded'],
    next: string | undefined,
    at: string,
  ): Promise<boolean> {
    await Promise.all(
      recipients.map((r) =>
        this.db.put(
          {
            ...keys.campaignRecipient(this.tenantId, campaign.id, r.contactId),
            entity: 'campaignRecipient',
            ...r,
            status: r.error ? 'skipped' : 'queued',
            attempts: 0,
          },
          { ifNotExists: true },
        ),
      ),
    );
    const done = next === undefined;
    const item = await this.db.update(
      keys.campaign(this.tenantId, campaign.id),
      {
        set: [
          done ? 'materialised = :true' : 'audienceCursor = :next',
          'excluded.optedOut = excluded.optedOut + :oo',
          'excluded.noConsent = excluded.noConsent + :nc',
          'excluded.noPhone = excluded.noPhone + :np',
          'updatedAt = :at',
        ].join(', '),
      },
      {
        condition: campaign.audienceCursor
          ? 'audienceCursor = :prev AND materialised = :false'
          : 'attribute_not_exists(audienceCursor) AND materialised = :false',
        values: {
          ...(done ? { ':true': true } : { ':next': next }),
          ...(campaign.audienceCursor ? { ':prev': campaign.audienceCursor } : {}),
          ':false': false,
          ':oo': excluded.optedOut,
          ':nc': excluded.noConsent,
          ':np': excluded.noPhone,
          ':at': at,
        },
      },
    );
    return item !== undefined;
  }

  /** One page of a campaign's recipients, in contact id order, optionally of some statuses. */
  async recipients(
    campaignId: string,
    opts: { statuses?: CampaignRecipientStatus[]; limit?: number; startKey?: Item } = {},
  ): Promise<{ items: Recipient[]; lastKey?: Item }> {
    const statuses = opts.statuses ?? [];
    const page = await this.db.query({
      pk: tenantPk(this.tenantId),
      sk: { beginsWith: `CRECIP#${campaignId}#` },
      limit: opts.limit,
      startKey: opts.startKey,
      consistent: true,
      ...(statuses.length > 0
        ? {
            filter: {
              expression: `#s IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`,
              names: { '#s': 'status' },
              values: Object.fromEntries(statuses.map((s, i) => [`:s${i}`, s])),
            },
          }
        : {}),
    });
    return { items: page.items.map(toRecipient), lastKey: page.lastKey };
  }

  async recipient(campaignId: string, contactId: string): Promise<Recipient | undefined> {
    const item = await this.db.get(keys.campaignRecipient(this.tenantId, campaignId, contactId));
    return item ? toRecipient(item) : undefined;
  }

  /** Exact counts: every recipient in the bucket of its status. */
  async counts(campaignId: string): Promise<CampaignCounts> {
    const counts = emptyCounts();
    let startKey: Item | undefined;
    do {
      const page = await this.recipients(campaignId, { startKey });
      for (const r of page.items) {
        counts.total++;
        const bucket = r.status === 'sending' ? 'queued' : r.status;
        counts[bucket]++;
      }
      startKey = page.lastKey;
    } while (startKey);
    return counts;
  }

  /** `queued` → `sending` under a fresh attempt id: only the caller that wins may call Meta. */
  async claim(r: Recipient, attemptId: string, atMs: number): Promise<boolean> {
    const item = await this.db.update(
      keys.campaignRecipient(this.tenantId, r.campaignId, r.contactId),
      {
        set: '#s = :sending, attemptId = :a, claimedAt = :ms, updatedAt = :at',
        remove: 'sendingAt',
        add: 'attempts :one',
      },
      {
        condition: '#s = :queued',
        names: { '#s': 'status' },
        values: {
          ':sending': 'sending',
          ':queued': 'queued',
          ':a': attemptId,
          ':ms': atMs,
          ':at': new Date(atMs).toISOString(),
          ':one': 1,
        },
      },
    );
    return item !== undefined;
  }

  /**
   * The fence right before Meta is called: the attempt is still this caller's and was claimed
   * after `claimedAfter`. A run that stalled past it does not send; a later run may put the
   * recipient back in the queue (`settle` with `unconfirmed`), since Meta was never called.
   */
  async confirmSend(
    r: Pick<Recipient, 'campaignId' | 'contactId'>,
    attemptId: string,
    nowMs: number,
    claimedAfter: number,
  ): Promise<boolean> {
    const item = await this.db.update(
      keys.campaignRecipient(this.tenantId, r.campaignId, r.contactId),
      { set: 'sendingAt = :now' },
      {
        condition: '#s = :sending AND attemptId = :a AND claimedAt > :after',
        names: { '#s': 'status' },
        values: { ':sending': 'sending', ':a': attemptId, ':now': nowMs, ':after': claimedAfter },
      },
    );
    return item !== undefined;
  }

  /**
   * Ends the attempt `attemptId` (still `sending`): sent, failed, skipped or queued again. With
   * `unconfirmed`, only if it never passed `confirmSend` (so Meta was not called).
   */
  async settle(
    r: Pick<Recipient, 'campaignId' | 'contactId'>,
    attemptId: string,
    outcome:
      | { status: 'sent'; messageId: string }
      | { status: 'failed' | 'skipped'; error: RecipientError }
      | { status: 'queued'; notBefore: number; error?: RecipientError },
    at: string,
    opts: { unconfirmed?: boolean } = {},
  ): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':to': outcome.status,
      ':sending': 'sending',
      ':a': attemptId,
      ':at': at,
    };
    const set = ['#s = :to', 'updatedAt = :at'];
    if (outcome.status === 'sent') {
      set.push('messageId = :m');
      values[':m'] = outcome.messageId;
    } else if (outcome.error) {
      set.push('#e = :e');
      values[':e'] = outcome.error;
    }
    if (outcome.status === 'queued') {
      set.push('notBefore = :nb');
      values[':nb'] = outcome.notBefore;
    }
    const item = await this.db.update(
      keys.campaignRecipient(this.tenantId, r.campaignId, r.contactId),
      { set: set.join(', '), remove: 'attemptId, claimedAt, sendingAt' },
      {
        condition: `#s = :sending AND attemptId = :a${opts.unconfirmed ? ' AND attribute_not_exists(sendingAt)' : ''}`,
        names: { '#s': 'status', ...(':e' in values ? { '#e': 'error' } : {}) },
        values,
      },
    );
    return item !== undefined;
  }

  /** A `queued` recipient that will not be sent (opted out since, cancelled). */
  async skip(r: Recipient, error: RecipientError, at: string): Promise<boolean> {
    const item = await this.db.update(
      keys.campaignRecipient(this.tenantId, r.campaignId, r.contactId),
      { set: '#s = :skipped, #e = :e, updatedAt = :at' },
      {
        condition: '#s = :queued',
        names: { '#s': 'status', '#e': 'error' },
        values: { ':skipped': 'skipped', ':queued': 'queued', ':e': error, ':at': at },
      },
    );
    return item !== undefined;
  }

  /** A failed recipient queued again (retry-failed). */
  async requeueFailed(r: Recipient, at: string): Promise<boolean> {
    const item = await this.db.update(
      keys.campaignRecipient(this.tenantId, r.campaignId, r.contactId),
      {
        set: '#s = :queued, updatedAt = :at, attempts = :zero',
        remove: '#e, notBefore, messageId',
      },
      {
        condition: '#s = :failed',
        names: { '#s': 'status', '#e': 'error' },
        values: { ':queued': 'queued', ':failed': 'failed', ':at': at, ':zero': 0 },
      },
    );
    return item !== undefined;
  }

  /** Meta's status (or the customer's reply), forward only. */
  async advance(
    campaignId: string,
    contactId: string,
    to: 'delivered' | 'read' | 'failed' | 'replied',
    at: string,
    error?: RecipientError,
  ): Promise<boolean> {
    const from = forwardFrom[to];
    const values: Record<string, unknown> = { ':to': to, ':at': at };
    from.forEach((s, i) => (values[`:f${i}`] = s));
    if (error) values[':e'] = error;
    const item = await this.db.update(
      keys.campaignRecipient(this.tenantId, campaignId, contactId),
      { set: ['#s = :to', 'updatedAt = :at', error ? '#e = :e' : ''].filter(Boolean).join(', ') },
      {
        condition: `#s IN (${from.map((_, i) => `:f${i}`).join(', ')})`,
        names: { '#s': 'status', ...(error ? { '#e': 'error' } : {}) },
        values,
      },
    );
    return item !== undefined;
  }

  async linkMessage(wamid: string, campaignId: string, contactId: string): Promise<void> {
    await this.db.put({ ...keys.campaignMessage(this.tenantId, wamid), campaignId, contactId });
  }

  async recipientOfMessage(
    wamid: string,
  ): Promise<{ campaignId: string; contactId: string } | undefined> {
    const item = await this.db.get(keys.campaignMessage(this.tenantId, wamid));
    return item ? { campaignId: item.campaignId, contactId: item.contactId } : undefined;
  }

  async linkPhone(
    channelId: string,
    digits: string,
    campaignId: string,
    contactId: string,
    sentAt: string,
  ): Promise<void> {
    await this.db.put({
      ...keys.campaignPhone(this.tenantId, channelId, digits),
      campaignId,
      contactId,
      sentAt,
    });
  }

  async latestForPhone(
    channelId: string,
    digits: string,
  ): Promise<{ campaignId: string; contactId: string; sentAt: string } | undefined> {
    const item = await this.db.get(keys.campaignPhone(this.tenantId, channelId, digits));
    return item
      ? { campaignId: item.campaignId, contactId: item.contactId, sentAt: item.sentAt }
      : undefined;
  }
}

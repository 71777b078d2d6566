import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { tenantData, type TenantData, type TenantDbFactory } from '../../engine/data/tenant-data';
import { randomId } from '../../engine/ids';
import type { Logger } from '../../engine/log';
import type { QueueSender, SqsBatchHandler } from '../../engine/ports/queue';
import { sqsBatchHandler } from '../../engine/queue/sqs-batch';
import type { TokenCipher } from '../../engine/security/token-cipher';
import type { ChannelWithSecret } from '../channels/channel.repo';
import { ConsentRepo } from '../consent/consent.repo';
import { GraphClient } from '../messaging/meta/graph-client';
import { GraphApiError, GraphTransportError } from '../messaging/meta/graph-errors';
import { storeOutboundMessage } from '../messaging/outbound-message.service';
import { audiencePage, parametersFor, recipientOf } from './campaign-audience';
import { CampaignRepo, type Campaign, type Recipient, type RecipientError } from './campaign.repo';
import {
  isMessagingTier,
  messagingTiers,
  MessagingTierUse,
  type MessagingTier,
} from './messaging-tier';
import { SendRate } from './send-rate';
import { coveredProgress, emitCampaignProgress } from './campaign-events';
import type { WorkspaceEvents } from '../../engine/ports/workspace-events';
import type { CampaignWakeups } from '../../engine/ports/campaign-wakeups';

// CampaignSender: runs a campaign one slice at a time. A slice holds the campaign's lease, draws
// up the audience if it is not yet (chunk by chunk, resumable), then sends its queued recipients
// at the channel's rate until none is left, the slice's time is up, or the number's tier is used.
// It then puts the campaign back on the queue (or leaves it to the due sweep for a later time).
//
// Exactly once per recipient, whatever crashes: a recipient is claimed (`queued` → `sending`
// under a fresh attempt id), then cleared to send (`confirmSend`, only while the claim is young)
// right before Meta is called, and settled by that attempt only. A recipient a later run finds
// still `sending` a lease after its claim belongs to a run that died or stalled: not cleared, it
// never reached Meta and goes back in the queue (the stalled run can no longer clear it); cleared,
// whether Meta got it is unknown, so it is marked failed (`interrupted`), never sent again on its
// own.

export const campaignJobSchema = z.object({
  v: z.literal(1),
  tenantId: z.string().min(1),
  campaignId: z.string().min(1),
});
export type CampaignJob = z.infer<typeof campaignJobSchema>;

/** Meta's throttling answers: the send waits and is tried again, it does not fail. */
export const THROTTLE_CODES = new Set([131056, 130429, 80007]);

export type CampaignSenderDeps = {
  db: Db;
  tenantDb?: TenantDbFactory;
  log: Logger;
  cipher: TokenCipher;
  graph: GraphClient;
  /** CampaignSendQueue: the next slice of a campaign. */
  queue: QueueSender;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Requests per second per number (Meta's default cap is 80; upgraded numbers take more). */
  ratePerSecond?: number;
  /** The messaging-limit tier of a channel that stores none. */
  defaultTier?: MessagingTier;
  /** How long one slice sends before handing the campaign back to the queue. */
  sliceMs?: number;
  /** The run's lease: a dead run's campaign is taken over after this. */
  leaseMs?: number;
  /** Throttled attempts of one recipient before it fails with Meta's code. */
  maxAttempts?: number;
  /** First backoff after a throttling answer, doubled per attempt (with jitter). */
  backoffMs?: number;
  /** Parallel sends of a slice (each still waits for the rate). */
  concurrency?: number;
  /** Called after each recipient's claim and before Meta is called (tests crash here). */
  onClaimed?: (r: Recipient) => Promise<void> | void;
  /** `campaign.progress` for open screens (campaign-events.ts); absent, none is said. */
  events?: WorkspaceEvents;
  /** Deployed: asks for the slice a `{dueAt}` end wants (the sandbox's sweep reads due items). */
  wakeups?: CampaignWakeups;
};

export const CAMPAIGN_DEFAULTS = {
  ratePerSecond: 20,
  defaultTier: 'TIER_1K' as MessagingTier,
  sliceMs: 20_000,
  leaseMs: 10_000,
  maxAttempts: 6,
  backoffMs: 500,
  concurrency: 16,
};

const PAGE = 100;
/** How often a campaign held by its tier looks again. */
const TIER_RECHECK_MS = 5 * 60_000;

const interrupted: RecipientError = {
  code: 'interrupted',
  message:
    'Sending was interrupted; the message may or may not have arrived. Retry to send it again.',
};
const optedOut: RecipientError = {
  code: 'opted_out',
  message: 'The number opted out before it was sent.',
};
const missingParameter: RecipientError = {
  code: 'missing_parameter',
  message: 'The contact has no value for a template parameter, and the parameter has no fallback.',
};
const noConsent: RecipientError = {
  code: 'no_consent',
  message: 'The number has no opt-in any more.',
};

type Run = {
  deps: Required<Omit<CampaignSenderDeps, 'tenantDb' | 'onClaimed' | 'events' | 'wakeups'>> &
    Pick<CampaignSenderDeps, 'tenantDb' | 'onClaimed' | 'events' | 'wakeups'>;
  /** The slice's lease owner. */
  owner: string;
  rate: SendRate;
  graph: GraphClient;
};

type SliceEnd = 'done' | 'again' | { dueAt: number } | 'busy';

function tenantDbOf(deps: { db: Db; tenantDb?: TenantDbFactory }, tenantId: string): Db {
  return deps.tenantDb?.(tenantId) ?? deps.db;
}

export async function markDue(db: Db, tenantId: string, campaignId: string, dueAt: number) {
  await db.put({ ...keys.campaignDue(tenantId, campaignId), tenantId, campaignId, dueAt });
}

/**
 * Ends the campaign's due item. With `askedBefore`, only when nobody asked for a slice since then
 * (a resume racing the end of a paused slice keeps its own request).
 */
export async function clearDue(
  db: Db,
  tenantId: string,
  campaignId: string,
  askedBefore?: number,
): Promise<boolean> {
  return db.delete(
    keys.campaignDue(tenantId, campaignId),
    askedBefore === undefined ? {} : { condition: 'dueAt <= :t', values: { ':t': askedBefore } },
  );
}

/** Puts a campaign on the queue now (its due item says a slice was asked for). */
export async function enqueueCampaign(
  db: Db,
  queue: QueueSender,
  tenantId: string,
  campaignId: string,
  now: number,
): Promise<void> {
  await db.update(
    keys.campaignDue(tenantId, campaignId),
    { set: 'tenantId = :t, campaignId = :c, dueAt = :now, enqueuedAt = :now' },
    { values: { ':t': tenantId, ':c': campaignId, ':now': now } },
  );
  const job: CampaignJob = { v: 1, tenantId, campaignId };
  await queue.sendBatch([{ body: JSON.stringify(job) }]);
}

/** The consumer of CampaignSendQueue. */
export function createCampaignSender(input: CampaignSenderDeps): SqsBatchHandler & {
  runSlice(job: CampaignJob): Promise<SliceEnd>;
} {
  // Options left undefined take their defaults (a spread would put `undefined` over them).
  const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const deps = {
    now: Date.now,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    ...CAMPAIGN_DEFAULTS,
    ...given,
  } as Run['deps'];
  const shared: Omit<Run, 'owner'> = {
    deps,
    rate: new SendRate({ now: deps.now, sleep: deps.sleep }),
    // One attempt per call: a throttled answer comes back here, paced by our own rate and backoff.
    graph: new GraphClient({ ...deps.graph.config, maxAttempts: 1 }),
  };
  // Each slice its own lease owner: a duplicate job in the same process is refused like any other.
  const runSlice = (job: CampaignJob) =>
    slice({ ...shared, owner: `run_${randomBytes(8).toString('hex')}` }, job);
  const handler = sqsBatchHandler({
    schema: campaignJobSchema,
    bodyName: 'a campaign job',
    log: deps.log,
    failureLog: { level: 'error', msg: 'campaign slice failed' },
    async handle(job) {
      const began = deps.now();
      const end = await runSlice(job);
      const db = deps.db;
      if (end === 'again') {
        await enqueueCampaign(db, deps.queue, job.tenantId, job.campaignId, deps.now());
      } else if (end === 'done') {
        if (await clearDue(db, job.tenantId, job.campaignId, began)) {
          await deps.wakeups?.cancel(job.tenantId, job.campaignId);
        }
      } else if (end !== 'busy') {
        await markDue(db, job.tenantId, job.campaignId, end.dueAt);
        await deps.wakeups?.wakeAt(job.tenantId, job.campaignId, end.dueAt);
      }
      // busy: another run holds the lease; it (or the due sweep, once the lease lapses) goes on.
    },
  });
  return Object.assign(handler, { runSlice });
}

async function slice(run: Run, job: CampaignJob): Promise<SliceEnd> {
  const { deps } = run;
  const db = tenantDbOf(deps, job.tenantId);
  const data = tenantData(
    db,
    { tenantId: job.tenantId, actor: { kind: 'system', reason: 'campaigns' } },
    deps.db,
  );
  const repo = new CampaignRepo(db, job.tenantId);
  const started = deps.now();
  let campaign = await repo.get(job.campaignId);
  if (!campaign) return 'done';
  if (campaign.status === 'scheduled') {
    const at = campaign.sendAt ? Date.parse(campaign.sendAt) : started;
    if (at > started) return { dueAt: at };
    const began = await repo.transition(campaign.id, ['scheduled'], 'running', iso(started));
    if (began) {
      await emitCampaignProgress(deps.events, job.tenantId, began, started, {
        statusChanged: true,
      });
    }
    campaign = began ?? (await repo.get(job.campaignId));
    if (!campaign) return 'done';
  }
  if (campaign.status !== 'running' && campaign.status !== 'cancelled') return 'done';
  if (!(await repo.lease(campaign.id, run.owner, started, deps.leaseMs))) return 'busy';
  try {
    if (campaign.status === 'cancelled') {
      await skipQueued(
        repo,
        campaign.id,
        { code: 'cancelled', message: 'The campaign was cancelled.' },
        deps.now,
      );
      await emitCampaignProgress(deps.events, job.tenantId, campaign, deps.now(), {
        statusChanged: true,
      });
      return 'done';
    }
    if (!campaign.materialised) {
      const drawn = await drawAudience(run, data, db, repo, campaign, started);
      if (drawn !== 'done') return drawn;
      campaign = (await repo.get(campaign.id)) ?? campaign;
    }
    return await send(run, data, db, repo, campaign, started);
  } finally {
    await repo.release(campaign.id, run.owner).catch(() => undefined);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Keeps the lease and tells the due sweep this run is alive; false when the lease was lost. */
async function heartbeat(
  run: Run,
  data: TenantData,
  repo: CampaignRepo,
  campaign: Campaign,
): Promise<boolean> {
  const now = run.deps.now();
  if (!(await repo.lease(campaign.id, run.owner, now, run.deps.leaseMs))) return false;
  await run.deps.db.update(
    keys.campaignDue(data.tenantId, campaign.id),
    { set: 'enqueuedAt = :now' },
    { condition: 'attribute_exists(PK)', values: { ':now': now } },
  );
  return true;
}

async function drawAudience(
  run: Run,
  data: TenantData,
  db: Db,
  repo: CampaignRepo,
  first: Campaign,
  started: number,
): Promise<SliceEnd> {
  let campaign = first;
  for (;;) {
    const page = await audiencePage(data, db, campaign.audience, campaign.audienceCursor);
    const at = iso(run.deps.now());
    const recipients = [];
    const excluded = { ...page.excluded };
    for (const { customer, phone } of page.eligible) {
      const parameters = parametersFor(customer, campaign.template);
      const recipient = recipientOf(
        campaign.id,
        campaign.audience.channelId,
        customer,
        phone,
        parameters ?? undefined,
        at,
      );
      // A contact without a value and no fallback is skipped rather than sent a broken message.
      recipients.push(parameters === null ? { ...recipient, error: missingParameter } : recipient);
    }
    const moved = await repo.addChunk(campaign, recipients, excluded, page.next, at);
    const fresh = await repo.get(campaign.id);
    if (!fresh) return 'done';
    if (!moved && fresh.audienceCursor === campaign.audienceCursor && !fresh.materialised) {
      throw new Error(`campaign ${campaign.id}: the audience cursor did not move`);
    }
    campaign = fresh;
    if (campaign.materialised) return 'done';
    if (!(await heartbeat(run, data, repo, campaign))) return 'busy';
    if (run.deps.now() - started > run.deps.sliceMs) return 'again';
  }
}

async function skipQueued(
  repo: CampaignRepo,
  campaignId: string,
  error: RecipientError,
  now: () => number,
): Promise<void> {
  let startKey;
  do {
    const page = await repo.recipients(campaignId, { statuses: ['queued'], startKey, limit: 100 });
    await Promise.all(page.items.map((r) => repo.skip(r, error, iso(now()))));
    startKey = page.lastKey;
  } while (startKey);
}

async function tierOf(db: Db, tenantId: string, channelId: string, fallback: MessagingTier) {
  const item = await db.get(keys.channel(tenantId, channelId));
  return isMessagingTier(item?.messagingLimitTier) ? item.messagingLimitTier : fallback;
}

async function send(
  run: Run,
  data: TenantData,
  db: Db,
  repo: CampaignRepo,
  first: Campaign,
  started: number,
): Promise<SliceEnd> {
  const { deps } = run;
  let campaign = first;
  const channel = await data.channels.getWithSecret(campaign.audience.channelId);
  if (!channel || channel.type !== 'whatsapp' || !channel.phoneNumberId) {
    await failQueued(
      repo,
      campaign.id,
      {
        code: 'channel_not_found',
        message: 'The campaign’s channel was disconnected.',
      },
      deps.now,
    );
    await complete(repo, campaign, deps.now());
    await emitCampaignProgress(
      deps.events,
      data.tenantId,
      { id: campaign.id, status: 'completed' },
      deps.now(),
      { statusChanged: true },
    );
    return 'done';
  }
  const token = await deps.cipher.decrypt(channel.tokenCiphertext, { tenantId: data.tenantId });
  const consent = new ConsentRepo(db, data.tenantId);
  const tier = new MessagingTierUse(db, data.tenantId);
  const limit = messagingTiers[await tierOf(db, data.tenantId, channel.id, deps.defaultTier)];
  for (;;) {
    let startKey;
    // Recipients waiting out a throttling backoff, and the earliest time one is due.
    let backingOff = 0;
    let earliest = Number.POSITIVE_INFINITY;
    // Recipients held back because the number's tier is used up.
    let heldByTier = 0;
    // Recipients still queued or sending when the pass read them.
    let open = 0;
    do {
      const fresh = await repo.get(campaign.id);
      if (!fresh || fresh.status !== 'running') {
        return fresh?.status === 'cancelled' ? 'again' : 'done';
      }
      campaign = fresh;
      if (!(await heartbeat(run, data, repo, campaign))) return 'busy';
      const page = await repo.recipients(campaign.id, {
        statuses: ['queued', 'sending'],
        limit: PAGE,
        startKey,
      });
      startKey = page.lastKey;
      open += page.items.length;
      const now = deps.now();
      const due: Recipient[] = [];
      for (const r of page.items) {
        if (r.status === 'sending') {
          // Another run's attempt: taken over a lease after it was claimed or cleared to send.
          const since = r.sendingAt ?? r.claimedAt ?? 0;
          if (now - since < deps.leaseMs) {
            backingOff++;
            earliest = Math.min(earliest, since + deps.leaseMs);
          } else {
            await takeOver(repo, r, now);
          }
        } else if (r.notBefore && r.notBefore > now) {
          backingOff++;
          earliest = Math.min(earliest, r.notBefore);
        } else {
          due.push(r);
        }
      }
      if (due.length === 0) continue;
      // Consent again, just before sending: a STOP since the audience was drawn wins.
      const consents = await consent.getMany([...new Set(due.map((r) => r.phone))]);
      // The tier: how many more different numbers may be written to in this 24 h.
      let budget = limit - (await tier.used(channel.id, now));
      const firstToday = await tier.newOf(
        channel.id,
        due.map((r) => r.phone.slice(1)),
        now,
      );
      const sendable: Recipient[] = [];
      const skips: Promise<boolean>[] = [];
      for (const r of due) {
        const status = consents.get(r.phone)?.status ?? 'unknown';
        if (status !== 'opted_in') {
          skips.push(repo.skip(r, status === 'opted_out' ? optedOut : noConsent, iso(now)));
        } else if (firstToday.has(r.phone.slice(1))) {
          if (budget > 0) {
            budget--;
            sendable.push(r);
          } else {
            heldByTier++;
          }
        } else {
          sendable.push(r);
        }
      }
      await Promise.all(skips);
      // A page can outlast the lease (slow answers, backoffs): the senders keep it as they go.
      let beatAt = deps.now();
      let lost = false;
      const keepLease = async () => {
        if (!lost && deps.now() - beatAt >= deps.leaseMs / 3) {
          beatAt = deps.now();
          lost = !(await heartbeat(run, data, repo, campaign));
        }
        return !lost;
      };
      await pool(sendable, deps.concurrency, async (r) => {
        if (await keepLease()) await sendOne(run, data, repo, channel, token, campaign, r);
      });
      if (lost) return 'busy';
      if (sendable.length > 0 || skips.length > 0) {
        await emitCampaignProgress(deps.events, data.tenantId, campaign, deps.now());
      }
    } while (startKey);
    const now = deps.now();
    if (heldByTier > 0 && backingOff === 0) {
      // It waits for the rolling window to free up; it does not fail.
      if (!campaign.waiting) {
        await repo.setWaiting(campaign.id, 'messaging_limit', iso(now));
        await emitCampaignProgress(deps.events, data.tenantId, campaign, now, {
          statusChanged: true,
        });
      }
      return { dueAt: now + TIER_RECHECK_MS };
    }
    if (campaign.waiting && heldByTier === 0)
      await repo.setWaiting(campaign.id, undefined, iso(now));
    if (open === 0) {
      // A whole pass found nothing queued or sending: done (statuses and replies may still come).
      await complete(repo, campaign, now);
      await emitCampaignProgress(
        deps.events,
        data.tenantId,
        { id: campaign.id, status: 'completed' },
        now,
        { statusChanged: true },
      );
      return 'done';
    }
    if (now - started > deps.sliceMs) return 'again';
    // Sent what was due: read again for what is left.
    if (backingOff === 0) continue;
    if (earliest - now > deps.leaseMs / 2) return { dueAt: earliest };
    await deps.sleep(Math.max(0, earliest - now));
  }
}

/**
 * An attempt whose run died or stalled. Never cleared to send, it goes back in the queue (if the
 * clearing wins the race instead, the next pass finds it cleared). Cleared, it may have reached
 * Meta: failed as `interrupted`, sent again only if someone retries it.
 */
async function takeOver(repo: CampaignRepo, r: Recipient, now: number): Promise<void> {
  const attemptId = r.attemptId ?? '';
  if (r.sendingAt === undefined) {
    await repo.settle(r, attemptId, { status: 'queued', notBefore: now }, iso(now), {
      unconfirmed: true,
    });
    return;
  }
  await repo.settle(r, attemptId, { status: 'failed', error: interrupted }, iso(now));
}

async function failQueued(
  repo: CampaignRepo,
  campaignId: string,
  error: RecipientError,
  now: () => number,
) {
  let startKey;
  do {
    const page = await repo.recipients(campaignId, { statuses: ['queued'], startKey, limit: 100 });
    await Promise.all(
      page.items.map(async (r) => {
        const attemptId = randomId('att');
        if (await repo.claim(r, attemptId, now())) {
          await repo.settle(r, attemptId, { status: 'failed', error }, iso(now()));
        }
      }),
    );
    startKey = page.lastKey;
  } while (startKey);
}

async function complete(repo: CampaignRepo, campaign: Campaign, now: number) {
  await repo.transition(campaign.id, ['running'], 'completed', iso(now), {
    set: 'completedAt = :at',
    remove: 'waiting',
  });
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

function backoffOf(run: Run, attempts: number, err: GraphApiError): number {
  if (err.retryAfterSeconds !== undefined) return err.retryAfterSeconds * 1000;
  const base = run.deps.backoffMs * 2 ** Math.max(0, attempts - 1);
  // Full jitter: throttled recipients of one burst do not come back together.
  return Math.round(base / 2 + Math.random() * (base / 2));
}

async function sendOne(
  run: Run,
  data: TenantData,
  repo: CampaignRepo,
  channel: ChannelWithSecret,
  token: string,
  campaign: Campaign,
  r: Recipient,
): Promise<void> {
  const { deps } = run;
  // A pause or cancel takes effect at the next recipient, not at the end of the page.
  if ((await repo.get(campaign.id))?.status !== 'running') return;
  const attemptId = randomId('att');
  const claimedAt = deps.now();
  if (!(await repo.claim(r, attemptId, claimedAt))) return;
  await deps.onClaimed?.(r);
  await run.rate.acquire(channel.phoneNumberId!, deps.ratePerSecond);
  const attempts = r.attempts + 1;
  const phoneNumberId = channel.phoneNumberId!;
  // The last look at consent, after the wait for the rate and right before Meta: a STOP that
  // arrived since the page was read still stops this send.
  const consent = await new ConsentRepo(tenantDbOf(deps, data.tenantId), data.tenantId).get(
    r.phone,
  );
  if (consent.status !== 'opted_in') {
    await repo.settle(
      r,
      attemptId,
      { status: 'skipped', error: consent.status === 'opted_out' ? optedOut : noConsent },
      iso(deps.now()),
    );
    return;
  }
  // The fence: a claim older than half a lease (this run stalled, another may be taking over)
  // is not sent; it goes back in the queue, since Meta was not called.
  const clearedAt = deps.now();
  if (!(await repo.confirmSend(r, attemptId, clearedAt, clearedAt - deps.leaseMs / 2))) {
    if (clearedAt - claimedAt >= deps.leaseMs / 2) {
      await repo.settle(r, attemptId, { status: 'queued', notBefore: clearedAt }, iso(clearedAt), {
        unconfirmed: true,
      });
    }
    return;
  }
  const digits = r.phone.slice(1);
  let wamid: string;
  try {
    const sent = await run.graph.sendWhatsApp(token, {
      phoneNumberId,
      to: digits,
      content: {
        kind: 'template',
        name: campaign.template.name,
        language: campaign.template.language,
        ...(r.parameters ? { parameters: r.parameters } : {}),
      },
    });
    wamid = sent.channelMessageId;
  } catch (err) {
    const at = deps.now();
    if (err instanceof GraphApiError) {
      const error = {
        code: String(err.code ?? err.httpStatus),
        message: err.body?.message ?? err.message,
      };
      if (err.code !== undefined && THROTTLE_CODES.has(err.code) && attempts < deps.maxAttempts) {
        // Meta refused it: it was not sent. Back on the queue after the backoff.
        await repo.settle(
          r,
          attemptId,
          {
            status: 'queued',
            notBefore: at + backoffOf(run, attempts, err),
            error,
          },
          iso(at),
        );
        return;
      }
      await repo.settle(r, attemptId, { status: 'failed', error }, iso(at));
      return;
    }
    if (err instanceof GraphTransportError) {
      // No answer: Meta may have taken it. Never sent again on our own.
      await repo.settle(
        r,
        attemptId,
        {
          status: 'failed',
          error: {
            code: 'interrupted',
            message: `Meta did not answer (${err.reason}); the message may or may not have arrived.`,
          },
        },
        iso(at),
      );
      return;
    }
    throw err;
  }
  const at = deps.now();
  const atIso = iso(at);
  // The recipient first: it is what says "sent" for exactly-once; the rest follows from it.
  const settled = await repo.settle(r, attemptId, { status: 'sent', messageId: wamid }, atIso);
  if (!settled) {
    deps.log.warn('campaign recipient sent but settled by another run', {
      tenantId: data.tenantId,
      campaignId: campaign.id,
      contactId: r.contactId,
    });
  }
  // The link from Meta's id is written before the message's own ref (storeOutboundMessage): a
  // status that finds the ref finds the link too; one that came earlier is parked and read below.
  await Promise.all([
    repo.linkMessage(wamid, campaign.id, r.contactId),
    repo.linkPhone(channel.id, digits, campaign.id, r.contactId, atIso),
    new MessagingTierUse(tenantDbOf(deps, data.tenantId), data.tenantId).record(
      channel.id,
      digits,
      at,
    ),
  ]);
  try {
    const ref = await storeOutboundMessage(data, {
      id: randomId('msg'),
      customerId: r.contactId,
      conversationId: r.conversationId,
      channel: 'whatsapp',
      channelId: channel.id,
      channelMessageId: wamid,
      direction: 'outbound',
      type: 'template',
      timestamp: atIso,
      template: {
        name: campaign.template.name,
        language: campaign.template.language,
        ...(r.parameters ? { parameters: r.parameters } : {}),
      },
      status: 'sent',
      createdAt: atIso,
    } as Parameters<typeof storeOutboundMessage>[1]);
    // A status that arrived before the link was written (parked by the processor) lands now.
    const stored = await data.messages.get(ref.key);
    if (stored && stored.status !== 'sent')
      await applyMessageStatus(data, wamid, stored.status, atIso, undefined, deps.events);
  } catch (error) {
    // The send is recorded on the recipient; the thread shows it once the message is stored.
    deps.log.warn('campaign message not stored in its conversation', {
      tenantId: data.tenantId,
      campaignId: campaign.id,
      error: String(error),
    });
  }
}

/**
 * A status webhook for a message a campaign sent (called by the message processor for every
 * status: a message that is not a campaign's costs one read).
 */
export async function applyMessageStatus(
  data: TenantData,
  wamid: string,
  status: string,
  at: string,
  errors?: { code?: number; title?: string; message?: string }[],
  events?: WorkspaceEvents,
): Promise<void> {
  if (status !== 'delivered' && status !== 'read' && status !== 'failed') return;
  const repo = data.campaigns;
  const target = await repo.recipientOfMessage(wamid);
  if (!target) return;
  const first = errors?.[0];
  const moved = await repo.advance(
    target.campaignId,
    target.contactId,
    status,
    at,
    status === 'failed'
      ? {
          code: String(first?.code ?? 'failed'),
          message: first?.message ?? first?.title ?? 'Meta could not deliver it.',
        }
      : undefined,
  );
  if (moved) await sayProgress(data, target.campaignId, events);
}

/** A recipient moved on: open screens hear of it (at most once a second per campaign). */
async function sayProgress(data: TenantData, campaignId: string, events?: WorkspaceEvents) {
  const now = Date.now();
  if (!events || coveredProgress(events, data.tenantId, campaignId, now)) return;
  const campaign = await data.campaigns.get(campaignId);
  if (campaign) await emitCampaignProgress(events, data.tenantId, campaign, now);
}

/** How long after a campaign message a reply from the number counts as a reply to it. */
export const REPLY_WINDOW_MS = 7 * 24 * 3600_000;

/** An inbound message from a number a campaign wrote to: its recipient is `replied`. */
export async function applyInboundReply(
  data: TenantData,
  channelId: string,
  fromDigits: string,
  at: string,
  events?: WorkspaceEvents,
): Promise<void> {
  const repo = data.campaigns;
  const latest = await repo.latestForPhone(channelId, fromDigits);
  if (!latest) return;
  const age = Date.parse(at) - Date.parse(latest.sentAt);
  if (!(age >= 0 && age <= REPLY_WINDOW_MS)) return;
  if (await repo.advance(latest.campaignId, latest.contactId, 'replied', at)) {
    await sayProgress(data, latest.campaignId, events);
  }
}

/** For the sweep and tests: the due items. */
export async function dueCampaigns(
  db: Db,
): Promise<{ tenantId: string; campaignId: string; dueAt: number; enqueuedAt?: number }[]> {
  const out = [];
  let startKey;
  do {
    const page = await db.query({ pk: 'CAMPAIGNDUE', startKey, consistent: true });
    for (const item of page.items) {
      out.push({
        tenantId: String(item.tenantId),
        campaignId: String(item.campaignId),
        dueAt: Number(item.dueAt),
        enqueuedAt: item.enqueuedAt === undefined ? undefined : Number(item.enqueuedAt),
      });
    }
    startKey = page.lastKey;
  } while (startKey);
  return out;
}

/**
 * The scheduler port: starts scheduled campaigns and takes over those whose run died. In the
 * sandbox a sweep of the due items every second; deployed, an EventBridge Scheduler one-time
 * schedule per campaign would send the same job to CampaignSendQueue (not built yet).
 */
export type CampaignScheduler = {
  start(): void;
  stop(): Promise<void>;
  sweepOnce(): Promise<number>;
};

export function createDueSweep(deps: {
  db: Db;
  queue: QueueSender;
  log: Logger;
  now?: () => number;
  intervalMs?: number;
  leaseMs?: number;
}): CampaignScheduler {
  const now = deps.now ?? Date.now;
  const leaseMs = deps.leaseMs ?? CAMPAIGN_DEFAULTS.leaseMs;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const sweepOnce = async () => {
    let sent = 0;
    for (const due of await dueCampaigns(deps.db)) {
      const at = now();
      if (due.dueAt > at) continue;
      // Asked for recently: that job is queued or its run is alive (it refreshes `enqueuedAt`).
      if (due.enqueuedAt !== undefined && due.enqueuedAt > at - leaseMs) continue;
      await enqueueCampaign(deps.db, deps.queue, due.tenantId, due.campaignId, at);
      sent++;
    }
    return sent;
  };
  return {
    sweepOnce,
    start() {
      timer ??= setInterval(() => {
        running = running
          .then(sweepOnce)
          .catch((error) => deps.log.warn('campaign sweep failed', { error: String(error) }));
      }, deps.intervalMs ?? 1_000);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

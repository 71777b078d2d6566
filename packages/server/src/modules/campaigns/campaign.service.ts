import { randomBytes } from 'node:crypto';
import type {
  CampaignAudience,
  CampaignDto,
  CampaignEstimate,
  CampaignRecipientDto,
  CreateCampaignRequest,
} from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { sweptWakeups, type CampaignWakeups } from '../../engine/ports/campaign-wakeups';
import { sha256Hex } from '../../engine/ids';
import type { ChannelWithSecret } from '../channels/channel.repo';
import { approvedTemplates } from '../messaging/message-templates.service';
import type { OutboundDeps } from '../messaging/outbound-deps';
import type { CachedTemplate } from '../messaging/template-cache.repo';
import { audiencePage } from './campaign-audience';
import { clearDue, markDue } from './campaign-runner';
import type { Campaign, Recipient } from './campaign.repo';

// The API side of campaigns: estimate, create (validated against the channel's approved
// templates, idempotent per clientKey), and the controls. Sending is the runner's: a control
// only moves the campaign's status and asks the due sweep for a slice.

/** Time-ordered ids (base36 milliseconds first), so listing by key is listing by creation. */
export function newCampaignId(now: number): string {
  return `cmp_${now.toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}

async function whatsappChannel(data: TenantData, channelId: string): Promise<ChannelWithSecret> {
  const channel = await data.channels.getWithSecret(channelId);
  if (!channel || channel.type !== 'whatsapp') {
    // The id is not echoed: another workspace's channel answers like one that does not exist.
    throw new AppError('channel_not_found', 'No connected WhatsApp channel has that id.');
  }
  return channel;
}

export async function estimateAudience(
  data: TenantData,
  db: Db,
  audience: CampaignAudience,
): Promise<CampaignEstimate> {
  await whatsappChannel(data, audience.channelId);
  const out: CampaignEstimate = {
    eligible: 0,
    excluded: { optedOut: 0, noConsent: 0, noPhone: 0 },
  };
  let after: string | undefined;
  do {
    const page = await audiencePage(data, db, audience, after);
    out.eligible += page.eligible.length;
    out.excluded.optedOut += page.excluded.optedOut;
    out.excluded.noConsent += page.excluded.noConsent;
    out.excluded.noPhone += page.excluded.noPhone;
    after = page.next;
  } while (after);
  return out;
}

/** The template's body variables: `1`, `2`… (positional) or their names. */
function bodyVariables(template: CachedTemplate): string[] {
  const body = template.components.find((c) => String(c.type).toUpperCase() === 'BODY');
  const text = typeof body?.text === 'string' ? body.text : '';
  return [...new Set([...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!))];
}

function checkParameters(template: CachedTemplate, request: CreateCampaignRequest): void {
  const wanted = bodyVariables(template);
  const given = request.template.parameters;
  const invalid = (message: string) =>
    new AppError('validation_failed', message, { fields: { 'template.parameters': message } });
  const positional = wanted.every((v) => /^\d+$/.test(v));
  if (wanted.length === 0) {
    if (given && (Array.isArray(given) ? given.length : Object.keys(given).length) > 0) {
      throw invalid('This template’s body takes no parameters.');
    }
    return;
  }
  if (positional) {
    if (!Array.isArray(given) || given.length !== wanted.length) {
      throw invalid(`This template’s body takes ${wanted.length} parameters, in order.`);
    }
    return;
  }
  if (!given || Array.isArray(given)) throw invalid('This template’s body takes named parameters.');
  const missing = wanted.filter((name) => !(name in given));
  if (missing.length > 0) throw invalid(`Missing body parameters: ${missing.join(', ')}.`);
}

async function checkTemplate(
  outbound: OutboundDeps,
  data: TenantData,
  channel: ChannelWithSecret,
  request: CreateCampaignRequest,
): Promise<void> {
  const find = (list: Awaited<ReturnType<typeof approvedTemplates>>) =>
    list.templates.find(
      (t) => t.name === request.template.name && t.language === request.template.language,
    );
  const found =
    find(await approvedTemplates(outbound, data, channel)) ??
    find(await approvedTemplates(outbound, data, channel, { refresh: true }));
  if (!found) {
    throw new AppError(
      'template_not_found',
      `No approved template "${request.template.name}" in ${request.template.language} on this number.`,
      { param: 'template' },
    );
  }
  checkParameters(found, request);
}

export async function createCampaign(
  outbound: OutboundDeps,
  data: TenantData,
  platformDb: Db,
  request: CreateCampaignRequest,
  wakeups: CampaignWakeups = sweptWakeups,
): Promise<{ campaign: Campaign; replayed: boolean }> {
  const now = outbound.now().getTime();
  const channel = await whatsappChannel(data, request.audience.channelId);
  let id = newCampaignId(now);
  if (request.clientKey) {
    const { clientKey: _key, ...rest } = request;
    const fingerprint = sha256Hex(JSON.stringify(rest));
    const claim = await data.campaigns.claimClientKey(request.clientKey, id, fingerprint);
    if (!claim.won) {
      if (claim.fingerprint !== fingerprint) {
        throw new AppError(
          'idempotency_key_reused',
          'That clientKey was used for another campaign.',
        );
      }
      const existing = await data.campaigns.get(claim.campaignId);
      if (existing) return { campaign: existing, replayed: true };
      // The first attempt claimed the key and died before writing the campaign: finish it.
      id = claim.campaignId;
    }
  }
  await checkTemplate(outbound, data, channel, request);
  const at = new Date(now).toISOString();
  const sendAt = request.sendAt ? Date.parse(request.sendAt) : undefined;
  const scheduled = sendAt !== undefined && sendAt > now;
  const campaign: Campaign = {
    id,
    name: request.name,
    status: scheduled ? 'scheduled' : 'running',
    audience: request.audience,
    template: request.template,
    ...(request.sendAt ? { sendAt: new Date(sendAt!).toISOString() } : {}),
    ...(request.clientKey ? { clientKey: request.clientKey } : {}),
    materialised: false,
    excluded: { optedOut: 0, noConsent: 0, noPhone: 0 },
    createdAt: at,
    updatedAt: at,
  };
  const created = await data.campaigns.create(campaign);
  if (!created) {
    const existing = await data.campaigns.get(id);
    if (existing) return { campaign: existing, replayed: true };
  }
  await markDue(platformDb, data.tenantId, id, scheduled ? sendAt! : now);
  await wakeups.wakeAt(data.tenantId, id, scheduled ? sendAt! : now);
  return { campaign, replayed: false };
}

export async function getCampaign(data: TenantData, id: string): Promise<Campaign> {
  const campaign = await data.campaigns.get(id);
  if (!campaign) throw new NotFoundError('Campaign');
  return campaign;
}

function invalidState(campaign: Campaign, action: string): AppError {
  return new AppError('invalid_state', `A ${campaign.status} campaign cannot be ${action}.`, {
    status: campaign.status,
  });
}

export type CampaignAction = 'pause' | 'resume' | 'cancel' | 'retry-failed';

export async function controlCampaign(
  data: TenantData,
  platformDb: Db,
  id: string,
  action: CampaignAction,
  nowMs: number,
  wakeups: CampaignWakeups = sweptWakeups,
): Promise<Campaign> {
  const campaign = await getCampaign(data, id);
  const at = new Date(nowMs).toISOString();
  const repo = data.campaigns;
  switch (action) {
    case 'pause': {
      const moved = await repo.transition(id, ['scheduled', 'running'], 'paused', at);
      if (!moved) throw invalidState(campaign, 'paused');
      await clearDue(platformDb, data.tenantId, id);
      await wakeups.cancel(data.tenantId, id);
      return moved;
    }
    case 'resume': {
      const future =
        campaign.sendAt && Date.parse(campaign.sendAt) > nowMs && !campaign.materialised;
      const moved = await repo.transition(id, ['paused'], future ? 'scheduled' : 'running', at);
      if (!moved) throw invalidState(campaign, 'resumed');
      const dueAt = future ? Date.parse(campaign.sendAt!) : nowMs;
      await markDue(platformDb, data.tenantId, id, dueAt);
      await wakeups.wakeAt(data.tenantId, id, dueAt);
      return moved;
    }
    case 'cancel': {
      const moved = await repo.transition(id, ['scheduled', 'running', 'paused'], 'cancelled', at);
      if (!moved) throw invalidState(campaign, 'cancelled');
      // The runner turns the recipients not yet sent into `skipped`.
      await markDue(platformDb, data.tenantId, id, nowMs);
      await wakeups.wakeAt(data.tenantId, id, nowMs);
      return moved;
    }
    case 'retry-failed': {
      if (campaign.status === 'cancelled' || campaign.status === 'scheduled') {
        throw invalidState(campaign, 'retried');
      }
      let requeued = 0;
      let startKey;
      do {
        const page = await repo.recipients(id, { statuses: ['failed'], startKey, limit: 100 });
        const moved = await Promise.all(page.items.map((r) => repo.requeueFailed(r, at)));
        requeued += moved.filter(Boolean).length;
        startKey = page.lastKey;
      } while (startKey);
      if (requeued === 0) {
        throw new AppError('invalid_state', 'No recipient of this campaign has failed.', {
          status: campaign.status,
        });
      }
      const running =
        (await repo.transition(id, ['completed'], 'running', at, { remove: 'completedAt' })) ??
        (await getCampaign(data, id));
      if (running.status === 'running') {
        await markDue(platformDb, data.tenantId, id, nowMs);
        await wakeups.wakeAt(data.tenantId, id, nowMs);
      }
      return running;
    }
  }
}

export async function campaignView(data: TenantData, campaign: Campaign): Promise<CampaignDto> {
  return {
    id: campaign.id,
    name: campaign.name,
    status: campaign.status,
    audience: campaign.audience,
    template: campaign.template,
    ...(campaign.sendAt ? { sendAt: campaign.sendAt } : {}),
    counts: await data.campaigns.counts(campaign.id),
    excluded: campaign.excluded,
    ...(campaign.waiting ? { waiting: campaign.waiting } : {}),
    createdAt: campaign.createdAt,
    updatedAt: campaign.updatedAt,
    ...(campaign.completedAt ? { completedAt: campaign.completedAt } : {}),
  };
}

export function recipientView(r: Recipient): CampaignRecipientDto {
  return {
    contactId: r.contactId,
    phone: r.phone,
    status: r.status,
    ...(r.error && r.status !== 'queued' ? { error: r.error } : {}),
    ...(r.messageId ? { messageId: r.messageId } : {}),
    updatedAt: r.updatedAt,
  };
}

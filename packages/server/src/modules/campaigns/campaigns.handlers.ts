import type { Context } from 'hono';
import { z } from 'zod';
import type { Caller } from '../../engine/http/auth-context';
import { keys } from '../../engine/data/keys';
import { dbForTenant } from '../../engine/data/tenant-data';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { tenantOf } from '../../engine/http/tenant-caller';
import { outboundDepsOf } from '../messaging/outbound-deps';
import {
  campaignView,
  controlCampaign,
  createCampaign,
  estimateAudience,
  getCampaign,
  recipientView,
  type CampaignAction,
} from './campaign.service';

// Campaigns (contracts/src/routes/campaigns.routes.ts). Writes here only move a campaign's status
// and ask for a slice through its due item; CampaignSender does the sending.

const afterCursor = z.object({ after: z.string().min(1).max(256) });

type ControlRequest = { c: Context; caller: Caller; deps: AppDeps; params: { id: string } };

function control(action: CampaignAction) {
  return async ({ c, caller, deps, params }: ControlRequest) => {
    const { data } = tenantOf(caller);
    const campaign = await controlCampaign(
      data,
      deps.db,
      params.id,
      action,
      nowOf(deps).getTime(),
      deps.campaignWakeups,
    );
    return c.json(await campaignView(data, campaign));
  };
}

export const campaignHandlers = {
  'campaigns.estimate': async ({ c, caller, deps, body }) => {
    const { data, ctx } = tenantOf(caller);
    const audience = await body();
    return c.json(await estimateAudience(data, dbForTenant(deps, ctx.tenantId), audience));
  },
  'campaigns.create': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const request = await body();
    const { campaign, replayed } = await createCampaign(
      { ...outboundDepsOf(deps), now: () => nowOf(deps) },
      data,
      deps.db,
      request,
      deps.campaignWakeups,
    );
    return c.json(await campaignView(data, campaign), replayed ? 200 : 201);
  },
  'campaigns.list': async ({ c, caller, query, cursors }) => {
    const { data } = tenantOf(caller);
    const cursor = await cursors.read(afterCursor);
    const page = await data.campaigns.list(
      query.limit,
      cursor ? keys.campaign(data.tenantId, cursor.after) : undefined,
    );
    const last = page.lastKey ? page.items.at(-1) : undefined;
    return c.json({
      items: await Promise.all(page.items.map((campaign) => campaignView(data, campaign))),
      nextCursor: await cursors.next(last ? { after: last.id } : null),
    });
  },
  'campaigns.get': async ({ c, caller, params }) => {
    const { data } = tenantOf(caller);
    return c.json(await campaignView(data, await getCampaign(data, params.id)));
  },
  'campaigns.recipients': async ({ c, caller, params, query, cursors }) => {
    const { data } = tenantOf(caller);
    await getCampaign(data, params.id);
    const cursor = await cursors.read(afterCursor);
    const page = await data.campaigns.recipients(params.id, {
      ...(query.status ? { statuses: [query.status] } : {}),
      limit: query.limit,
      startKey: cursor ? keys.campaignRecipient(data.tenantId, params.id, cursor.after) : undefined,
    });
    const lastContact = page.lastKey
      ? String(page.lastKey.SK).slice(`CRECIP#${params.id}#`.length)
      : undefined;
    return c.json({
      items: page.items.map(recipientView),
      nextCursor: await cursors.next(lastContact ? { after: lastContact } : null),
    });
  },
  'campaigns.pause': control('pause'),
  'campaigns.resume': control('resume'),
  'campaigns.cancel': control('cancel'),
  'campaigns.retryFailed': control('retry-failed'),
} satisfies Partial<HandlerTable>;

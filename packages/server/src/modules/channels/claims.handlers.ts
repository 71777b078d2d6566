import { ChannelClaimRepo } from './channel-claim.repo';
import { claimViews, resolveClaim } from './claims.service';
import { indexPositionSchema } from '../../engine/data/index-page';
import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { nowOf } from '../../engine/http/session-deps';

// The platform admin's view of contested channel claims, and the decision on one.

export const claimHandlers = {
  'admin.channel-claims.list': async ({ c, deps, query, cursors }) => {
    const page = await new ChannelClaimRepo(deps.db).list(
      query.status,
      query.limit,
      await cursors.read(indexPositionSchema),
    );
    return c.json({
      items: await claimViews(deps.db, page.items),
      nextCursor: await cursors.next(page.next),
    });
  },
  'admin.channel-claims.resolve': async ({ c, caller, deps, params, body }) => {
    const decision = await body();
    const byUserId = caller.kind === 'user' ? caller.userId : undefined;
    const { claim, created, disconnected } = await resolveClaim(
      deps,
      params.id,
      { ...decision, byUserId },
      nowOf(deps),
    );
    const target = { type: 'channel_claim', id: claim.id };
    const holders = [...new Set(claim.contested.map((k) => k.holderTenantId))];
    // The platform's trail names everyone; each workspace's trail names only its own objects.
    await audit(
      c,
      caller,
      deps,
      {
        action: 'channel.claim_resolved',
        target,
        details: {
          awardedTo: decision.awardTo,
          claimantTenantId: claim.claimantTenantId,
          holderTenantIds: holders.join(','),
          ...(created ? { createdChannelId: created.id } : {}),
          ...(disconnected.length
            ? { disconnected: disconnected.map((d) => `${d.tenantId}/${d.channelId}`).join(',') }
            : {}),
          ...(decision.note ? { note: decision.note } : {}),
        },
      },
      { platform: true },
    );
    await audit(
      c,
      caller,
      deps,
      {
        action: 'channel.claim_resolved',
        target,
        details: { awardedTo: decision.awardTo, ...(created ? { channelId: created.id } : {}) },
      },
      { tenantIds: [claim.claimantTenantId] },
    );
    for (const holder of holders) {
      const lost = disconnected.filter((d) => d.tenantId === holder).map((d) => d.channelId);
      await audit(
        c,
        caller,
        deps,
        {
          action: 'channel.claim_resolved',
          target,
          details: {
            awardedTo: decision.awardTo === 'claimant' ? 'other_workspace' : 'this_workspace',
            ...(lost.length ? { disconnectedChannelIds: lost.join(',') } : {}),
          },
        },
        { tenantIds: [holder] },
      );
    }
    return c.json((await claimViews(deps.db, [claim]))[0]!);
  },
} satisfies Partial<HandlerTable>;

import { connectChannel, disconnectChannel } from './channel-connect.service';
import { approvedTemplates } from '../messaging/message-templates.service';
import { AppError, NotFoundError } from '../../engine/errors';
import { outboundDepsOf } from '../messaging/outbound-deps';
import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { tenantOf } from '../../engine/http/tenant-caller';

export const channelHandlers = {
  'channels.create': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    // Meta confirms the claim first; connecting a number the workspace has is a reconnect.
    const result = await connectChannel(outboundDepsOf(deps), data, input);
    if (result.outcome === 'contested') {
      // The holder stays anonymous to the claimant; the platform's trail names both.
      await audit(
        c,
        caller,
        deps,
        {
          action: 'channel.claim_contested',
          target: { type: 'channel_claim', id: result.claimId },
          details: { type: input.type, contested: result.contested.map((k) => k.kind).join(',') },
        },
        { tenantIds: [data.tenantId], platform: true },
      );
      throw new AppError(
        'channel_claim_contested',
        'Another workspace already holds this number, WhatsApp Business Account or Instagram account. The claim is recorded for the platform admin to review; the other workspace keeps it meanwhile.',
        {
          claimId: result.claimId,
          contested: result.contested.map(({ kind, externalId }) => ({ kind, externalId })),
        },
      );
    }
    const { channel, outcome } = result;
    await audit(c, caller, deps, {
      action: outcome === 'created' ? 'channel.connected' : 'channel.reconnected',
      target: { type: 'channel', id: channel.id },
      details: { type: channel.type },
    });
    return c.json(channel, outcome === 'created' ? 201 : 200);
  },
  'channels.list': async ({ c, caller }) => {
    const { data } = tenantOf(caller);
    return c.json({ items: await data.channels.list(), nextCursor: null });
  },
  'channels.delete': async ({ c, caller, deps, params }) => {
    const channelId = params.id;
    const channel = await disconnectChannel(tenantOf(caller).data, channelId);
    await audit(c, caller, deps, {
      action: 'channel.disconnected',
      target: { type: 'channel', id: channelId },
      details: { type: channel.type },
    });
    return c.body(null, 204);
  },
  'channels.templates': async ({ c, caller, deps, params, query }) => {
    const { data } = tenantOf(caller);
    const channel = await data.channels.getWithSecret(params.id);
    if (!channel) throw new NotFoundError('Channel');
    const entry = await approvedTemplates(outboundDepsOf(deps), data, channel, {
      refresh: query.refresh === 'true',
    });
    return c.json({ items: entry.templates, fetchedAt: entry.fetchedAt, nextCursor: null });
  },
} satisfies Partial<HandlerTable>;

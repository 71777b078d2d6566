import { connectChannel } from './channel-connect.service';
import { outboundDepsOf } from '../messaging/outbound-deps';
import type { HandlerTable } from '../../engine/http/route-handler';
import { audit } from '../../engine/http/audit';
import { tenantOf } from '../../engine/http/tenant-caller';

export const channelHandlers = {
  'channels.create': async ({ c, caller, deps, body }) => {
    const { data } = tenantOf(caller);
    const input = await body();
    // Meta checks the token and id first; connecting a number the workspace has is a reconnect.
    const { channel, created } = await connectChannel(outboundDepsOf(deps), data, input);
    await audit(c, caller, deps, {
      action: created ? 'channel.connected' : 'channel.reconnected',
      target: { type: 'channel', id: channel.id },
      details: { type: channel.type },
    });
    return c.json(channel, created ? 201 : 200);
  },
  'channels.list': async ({ c, caller }) => {
    const { data } = tenantOf(caller);
    return c.json({ items: await data.channels.list(), nextCursor: null });
  },
} satisfies Partial<HandlerTable>;

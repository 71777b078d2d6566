import { createChannelRequestSchema } from '@switchboard/contracts';
import { RouteTakenError } from '../../data/channel.repo';
import { AppError } from '../../errors';
import type { HandlerTable } from '../app';
import { parseJsonBody } from '../validate';
import { tenantOf } from './tenant-caller';

export const channelHandlers = {
  'channels.create': async (c, caller, deps) => {
    const { data } = tenantOf(caller);
    const body = await parseJsonBody(c, createChannelRequestSchema);
    const { accessToken, ...fields } = body;
    const tokenCiphertext = await deps.cipher.encrypt(accessToken, { tenantId: data.tenantId });
    try {
      const channel = await data.channels.create({ ...fields, tokenCiphertext });
      return c.json(channel, 201);
    } catch (err) {
      if (err instanceof RouteTakenError) {
        throw new AppError(
          'channel_already_connected',
          'This number or account is already connected to a workspace.',
        );
      }
      throw err;
    }
  },
  'channels.list': async (c, caller) => {
    const { data } = tenantOf(caller);
    return c.json({ items: await data.channels.list(), nextCursor: null });
  },
} satisfies Partial<HandlerTable>;

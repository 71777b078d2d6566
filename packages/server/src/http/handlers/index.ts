import type { HandlerTable } from '../app';
import { adminHandlers } from './admin';
import { authHandlers } from './auth';
import { channelHandlers } from './channels';
import { conversationHandlers } from './conversations';
import { webhookHandlers } from './webhooks';

/** Every route id of the topology has exactly one handler: the type fails when one is missing. */
export const handlers: HandlerTable = {
  ...webhookHandlers,
  ...authHandlers,
  ...adminHandlers,
  ...channelHandlers,
  ...conversationHandlers,
};

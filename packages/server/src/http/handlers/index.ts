import type { HandlerTable } from '../app';
import { adminHandlers } from './admin';
import { apiKeyHandlers } from './api-keys';
import { auditHandlers } from './audit';
import { authHandlers } from './auth';
import { channelHandlers } from './channels';
import { conversationHandlers } from './conversations';
import { inboxHandlers } from './inbox';
import { messagingHandlers } from './messaging';
import { referenceHandlers } from './reference';
import { userHandlers } from './users';
import { webhookHandlers } from './webhooks';
import { brandingHandlers } from './branding';
import { crmHandlers } from './crm';
import { formHandlers } from './forms';
import { leadHandlers } from './leads';
import { publicFormHandlers } from './public-forms';

/** Every route id of the topology has exactly one handler: the type fails when one is missing. */
export const handlers: HandlerTable = {
  ...webhookHandlers,
  ...authHandlers,
  ...adminHandlers,
  ...channelHandlers,
  ...conversationHandlers,
  ...inboxHandlers,
  ...messagingHandlers,
  ...referenceHandlers,
  ...userHandlers,
  ...apiKeyHandlers,
  ...auditHandlers,
  ...formHandlers,
  ...publicFormHandlers,
  ...leadHandlers,
  ...brandingHandlers,
  ...crmHandlers,
};

import type { HandlerTable } from '../engine/http/route-handler';
import { adminHandlers } from './platform/admin.handlers';
import { apiKeyHandlers } from './identity/api-keys.handlers';
import { auditHandlers } from './platform/audit.handlers';
import { authHandlers } from './identity/auth.handlers';
import { channelHandlers } from './channels/channels.handlers';
import { claimHandlers } from './channels/claims.handlers';
import { conversationHandlers } from './messaging/conversations.handlers';
import { inboxHandlers } from './messaging/inbox.handlers';
import { invitationHandlers } from './identity/invitations.handlers';
import { mailboxHandlers } from './platform/mailbox.handlers';
import { mediaHandlers } from './messaging/media/media.handlers';
import { messagingHandlers } from './messaging/send-message.handlers';
import { passwordResetHandlers } from './identity/password-reset.handlers';
import { platformSettingsHandlers } from './platform/platform-settings.handlers';
import { referenceHandlers } from './platform/reference.handlers';
import { userHandlers } from './identity/users.handlers';
import { securityPolicyHandlers } from './identity/security-policy.handlers';
import { sessionHandlers } from './identity/sessions.handlers';
import { signupHandlers } from './identity/signup.handlers';
import { ssoHandlers } from './identity/sso.handlers';
import { twoFactorHandlers } from './identity/two-factor.handlers';
import { webhookHandlers } from './messaging/webhooks.handlers';
import { replayHandlers } from './messaging/replay.handlers';
import { brandingHandlers } from './leads/branding.handlers';
import { crmHandlers } from './leads/crm.handlers';
import { formHandlers } from './leads/forms.handlers';
import { leadHandlers } from './leads/leads.handlers';
import { publicFormHandlers } from './leads/public-forms.handlers';
import { contactHandlers } from './contacts/contacts.handlers';
import { workspaceHandlers } from './workspace/workspace.handlers';
import { liveHandlers } from './live/live.handlers';
import { assignmentHandlers } from './assignment/assignment.handlers';
import { conversationStartHandlers } from './integrations/conversations-start.handlers';
import { eventDestinationHandlers } from './integrations/event-destinations.handlers';
import { attributionHandlers } from './attribution/attribution.handlers';
import { consentHandlers } from './consent/consent.handlers';
import { campaignHandlers } from './campaigns/campaigns.handlers';

/** Every route id of the topology has exactly one handler: the type fails when one is missing. */
export const handlers: HandlerTable = {
  ...webhookHandlers,
  ...attributionHandlers,
  ...authHandlers,
  ...passwordResetHandlers,
  ...signupHandlers,
  ...adminHandlers,
  ...platformSettingsHandlers,
  ...mailboxHandlers,
  ...channelHandlers,
  ...claimHandlers,
  ...replayHandlers,
  ...conversationHandlers,
  ...inboxHandlers,
  ...messagingHandlers,
  ...mediaHandlers,
  ...referenceHandlers,
  ...userHandlers,
  ...sessionHandlers,
  ...twoFactorHandlers,
  ...securityPolicyHandlers,
  ...ssoHandlers,
  ...invitationHandlers,
  ...apiKeyHandlers,
  ...auditHandlers,
  ...formHandlers,
  ...publicFormHandlers,
  ...leadHandlers,
  ...brandingHandlers,
  ...crmHandlers,
  ...contactHandlers,
  ...workspaceHandlers,
  ...liveHandlers,
  ...assignmentHandlers,
  ...conversationStartHandlers,
  ...eventDestinationHandlers,
  ...consentHandlers,
  ...campaignHandlers,
};

import {
  campaignAudienceSchema,
  campaignEstimateSchema,
  campaignRecipientSchema,
  campaignSchema,
  createCampaignRequestSchema,
  listCampaignRecipientsQuerySchema,
  listCampaignsQuerySchema,
} from '../campaigns';
import { pageOf } from '../conversations';
import { defineRoutes } from '../route-contract';
import { KiB } from './common';

// Template broadcasts: admins create and control them, everyone in the workspace reads progress.

const control = (action: string, description: string) =>
  ({
    method: 'POST',
    path: `/campaigns/{id}/${action}`,
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Campaigns',
    summary: `${action[0]!.toUpperCase()}${action.slice(1).replace('-', ' ')} a campaign`,
    description,
    maxBodyBytes: 1 * KiB,
    responses: { 200: { description: 'The campaign.', schema: campaignSchema } },
    errors: ['invalid_state'],
  }) as const;

export const campaignRoutes = defineRoutes({
  'campaigns.estimate': {
    method: 'POST',
    path: '/campaigns/estimate',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Campaigns',
    summary: 'How many contacts an audience would reach',
    description:
      'Counts the audience now: only numbers that opted in are eligible; the others are counted by why they are left out. Sending re-checks consent before each message.',
    body: campaignAudienceSchema,
    maxBodyBytes: 8 * KiB,
    responses: { 200: { description: 'The counts.', schema: campaignEstimateSchema } },
    errors: ['channel_not_found'],
  },
  'campaigns.create': {
    method: 'POST',
    path: '/campaigns',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Campaigns',
    summary: 'Create a campaign: now, or at `sendAt`',
    description: [
      'The template must be APPROVED for the channel (422 `template_not_found` otherwise). Body parameters are filled per contact from its fields; a field the contact lacks takes its `fallback`, and a contact with neither is skipped (`missing_parameter`).',
      'With a `clientKey`, a retry answers the first campaign (200) instead of creating another.',
    ].join('\n\n'),
    body: createCampaignRequestSchema,
    maxBodyBytes: 32 * KiB,
    responses: {
      201: { description: 'The campaign.', schema: campaignSchema },
      200: {
        description: 'The same campaign, for a retry with its `clientKey`.',
        schema: campaignSchema,
      },
    },
    errors: ['template_not_found', 'channel_not_found', 'idempotency_key_reused'],
  },
  'campaigns.list': {
    method: 'GET',
    path: '/campaigns',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Campaigns',
    summary: 'The workspace’s campaigns, newest first',
    query: listCampaignsQuerySchema,
    responses: { 200: { description: 'A page of campaigns.', schema: pageOf(campaignSchema) } },
    errors: ['bad_request'],
  },
  'campaigns.get': {
    method: 'GET',
    path: '/campaigns/{id}',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Campaigns',
    summary: 'A campaign with its exact progress counts',
    responses: { 200: { description: 'The campaign.', schema: campaignSchema } },
  },
  'campaigns.recipients': {
    method: 'GET',
    path: '/campaigns/{id}/recipients',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
    tag: 'Campaigns',
    summary: 'A campaign’s recipients and where each stands',
    query: listCampaignRecipientsQuerySchema,
    responses: {
      200: { description: 'A page of recipients.', schema: pageOf(campaignRecipientSchema) },
    },
    errors: ['bad_request'],
  },
  'campaigns.pause': control(
    'pause',
    'Stops sending after the messages in flight. 409 `invalid_state` unless scheduled or running.',
  ),
  'campaigns.resume': control('resume', 'Sends the rest. 409 `invalid_state` unless paused.'),
  'campaigns.cancel': control(
    'cancel',
    'No more messages: the recipients not yet sent become `skipped`. 409 `invalid_state` once completed or cancelled.',
  ),
  'campaigns.retryFailed': control(
    'retry-failed',
    'Queues the failed recipients again (still only those opted in) and runs the campaign. A recipient failed as `interrupted` may have received the message: retrying it may send it twice. 409 `invalid_state` while cancelled or when none failed.',
  ),
});

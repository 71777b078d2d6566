import { z } from 'zod';
import { auditEventSchema, listAuditEventsQuerySchema } from '../auth';
import { channelClaimSchema, resolveChannelClaimRequestSchema } from '../channels';
import { pageOf } from '../conversations';
import { defineRoutes } from '../route-contract';
import { createReplayRequestSchema, replayIdParams, replaySchema } from '../replays';
import { platformSettingsSchema, updatePlatformSettingsRequestSchema } from '../signup';
import { createTenantRequestSchema, tenantSchema } from '../tenants';
import { KiB, listQuerySchema, pageSizeSchema } from './common';

export const createdTenantSchema = tenantSchema.extend({
  owner: z.object({
    id: z.string(),
    email: z.string(),
    /**
     * The e-mail already had an account: its password is not changed (the one given is not used),
     * and unless it is the calling admin's own, it is invited rather than attached.
     */
    existingAccount: z.boolean(),
    /**
     * True when that account was sent an invitation to own the workspace instead: it becomes the
     * owner once its holder accepts through the mailed link. Until then the workspace has no owner.
     */
    invitationSent: z.boolean(),
  }),
});

/** A message the sandbox sent, as kept under its data directory (`mail/*.eml`). */
export const mailSummarySchema = z.object({
  id: z.string(),
  date: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  /** What the mail is for (`password_reset`, `invitation`, …), from its `X-Switchboard-Kind`. */
  kind: z.string().optional(),
});

export const mailMessageSchema = mailSummarySchema.extend({
  messageId: z.string().optional(),
  text: z.string(),
  html: z.string().optional(),
  /** The links of the text part, in order. */
  links: z.array(z.string()),
});
export type MailSummaryDto = z.infer<typeof mailSummarySchema>;
export type MailMessageDto = z.infer<typeof mailMessageSchema>;

export const platformUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  platformAdmin: z.boolean(),
  disabled: z.boolean(),
});

/** A webhook entry no workspace claimed, kept for a platform admin (never dropped). */
export const unroutedEntrySchema = z.object({
  id: z.string(),
  reason: z.string(),
  receivedAt: z.string(),
  object: z.string(),
  routingKeys: z.record(z.string(), z.string()),
  entry: z.unknown(),
  /** How many times Meta delivered it (redeliveries are counted, not stored twice). */
  deliveries: z.number(),
});

export const dlqMessageSchema = z.object({
  id: z.string(),
  body: z.string(),
  receiveCount: z.number(),
  sentAt: z.string(),
});

/** The queues whose dead letters a platform admin may list and redrive (the topology's names). */
export const queueNameSchema = z.enum([
  'IncomingMessagesQueue',
  'MediaQueue',
  'LeadStoreQueue',
  'LeadMergeQueue',
  'CrmSyncQueue',
  'ReplayQueue',
  'IntegrationEventsQueue',
  'CampaignSendQueue',
]);

export const listChannelClaimsQuerySchema = listQuerySchema.extend({
  status: z.enum(['open', 'closed']).default('open'),
});

export const platformRoutes = defineRoutes({
  'admin.tenants.create': {
    method: 'POST',
    path: '/admin/tenants',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Create a workspace and its owner',
    description:
      'A new e-mail gets an account with the given password. An e-mail that already has an account is never attached silently: it is sent an invitation to own the workspace (`owner.invitationSent`), and the password given here is not used. Only the calling admin’s own account is attached at once.',
    body: createTenantRequestSchema,
    maxBodyBytes: 16 * KiB,
    responses: { 201: { description: 'The workspace.', schema: createdTenantSchema } },
  },
  'admin.tenants.list': {
    method: 'GET',
    path: '/admin/tenants',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'List workspaces, newest first',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of workspaces.', schema: pageOf(tenantSchema) } },
    errors: ['bad_request'],
  },
  'admin.unrouted.list': {
    method: 'GET',
    path: '/admin/unrouted',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Webhook entries that matched no workspace',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of entries.', schema: pageOf(unroutedEntrySchema) } },
    errors: ['bad_request'],
  },
  'admin.dlq.list': {
    method: 'GET',
    path: '/admin/dlq/{queue}',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Messages in a dead-letter queue',
    query: z.object({ limit: pageSizeSchema }),
    responses: {
      200: {
        description: 'The messages.',
        schema: z.object({ queue: z.string(), items: z.array(dlqMessageSchema) }),
      },
    },
  },
  'admin.dlq.redrive': {
    method: 'POST',
    path: '/admin/dlq/{queue}/redrive',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Move dead-lettered messages back to their queue',
    description: 'Without a body (or without `ids`), every message moves.',
    body: z
      .object({ ids: z.array(z.string().min(1).max(128)).min(1).max(1000).optional() })
      .optional(),
    maxBodyBytes: 64 * KiB,
    responses: {
      200: {
        description: 'How many moved.',
        schema: z.object({ queue: z.string(), moved: z.number() }),
      },
    },
  },
  'admin.mail.list': {
    method: 'GET',
    path: '/admin/mail',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'The sandbox’s outgoing mail, newest first',
    description:
      'Only in the local sandbox, which keeps every message it sends under `$DATA_DIR/mail/`. Deployed (Amazon SES), 404.',
    query: z.object({ limit: pageSizeSchema }),
    responses: {
      200: {
        description: 'The messages.',
        schema: z.object({ items: z.array(mailSummarySchema) }),
      },
    },
    errors: ['not_found'],
  },
  'admin.mail.get': {
    method: 'GET',
    path: '/admin/mail/{id}',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'One message of the sandbox’s outgoing mail',
    description: 'Only in the local sandbox; deployed, 404.',
    responses: { 200: { description: 'The message.', schema: mailMessageSchema } },
  },
  'admin.tenants.suspend': {
    method: 'POST',
    path: '/admin/tenants/{id}/suspend',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Suspend a workspace',
    description: 'Its tokens, API keys and webhooks stop at once; its data stays.',
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The workspace.', schema: tenantSchema } },
  },
  'admin.tenants.resume': {
    method: 'POST',
    path: '/admin/tenants/{id}/resume',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Resume a suspended workspace',
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The workspace.', schema: tenantSchema } },
  },
  'admin.users.disable': {
    method: 'POST',
    path: '/admin/users/{id}/disable',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Disable a user account (ends its sessions)',
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The user.', schema: platformUserSchema } },
    errors: ['conflict'],
  },
  'admin.users.enable': {
    method: 'POST',
    path: '/admin/users/{id}/enable',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Enable a disabled user account',
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The user.', schema: platformUserSchema } },
  },
  'admin.audit.list': {
    method: 'GET',
    path: '/admin/audit-events',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'The platform audit trail',
    query: listAuditEventsQuerySchema,
    responses: { 200: { description: 'A page of events.', schema: pageOf(auditEventSchema) } },
    errors: ['bad_request'],
  },
  'admin.channel-claims.list': {
    method: 'GET',
    path: '/admin/channel-claims',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Contested channel claims, most recently updated first',
    description:
      'A workspace that proved to Meta it may use a number, WABA or Instagram account another workspace holds gets 409 `channel_claim_contested`; its claim waits here. `status=closed` lists the decided ones.',
    query: listChannelClaimsQuerySchema,
    responses: { 200: { description: 'A page of claims.', schema: pageOf(channelClaimSchema) } },
    errors: ['bad_request'],
  },
  'admin.channel-claims.resolve': {
    method: 'POST',
    path: '/admin/channel-claims/{id}/resolve',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Decide a contested channel claim',
    description:
      'Award it to the holder (nothing changes) or to the claimant: the holder’s channel for a contested number or account is disconnected (its conversations stay), the claimant’s channel is created with the token it proved, and a contested WABA route moves to it. Audited in the platform’s and both workspaces’ trails.',
    body: resolveChannelClaimRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 200: { description: 'The decided claim.', schema: channelClaimSchema } },
    errors: ['conflict'],
  },
  'admin.replays.create': {
    method: 'POST',
    path: '/admin/replays',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Replay a workspace’s archived webhooks for a time range',
    description:
      'Re-runs the raw archive’s deliveries received in `[from, to)` (at most 31 days) whose entries route to the workspace through the message processor, in the background. Idempotent: messages dedupe on their Meta ids and statuses only move forward, so a replay ends at the state the first delivery left; other workspaces’ entries are not touched. Poll `GET /admin/replays/{id}` for progress.',
    body: createReplayRequestSchema,
    maxBodyBytes: 4 * KiB,
    responses: { 202: { description: 'The replay, running.', schema: replaySchema } },
    errors: ['not_found'],
  },
  'admin.replays.list': {
    method: 'GET',
    path: '/admin/replays',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Replays, newest first',
    query: listQuerySchema,
    responses: { 200: { description: 'A page of replays.', schema: pageOf(replaySchema) } },
    errors: ['bad_request'],
  },
  'admin.replays.get': {
    method: 'GET',
    path: '/admin/replays/{id}',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'One replay and its progress',
    params: replayIdParams,
    responses: { 200: { description: 'The replay.', schema: replaySchema } },
  },
  'admin.settings.get': {
    method: 'GET',
    path: '/admin/settings',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'The platform’s settings (whether self-serve sign-up is open)',
    responses: { 200: { description: 'The settings.', schema: platformSettingsSchema } },
  },
  'admin.settings.update': {
    method: 'PUT',
    path: '/admin/settings',
    access: { kind: 'platformAdmin' },
    tag: 'Platform admin',
    summary: 'Change the platform’s settings (open or close self-serve sign-up)',
    description:
      'Closing sign-up makes `POST /auth/signup` answer 403 `signup_disabled`; links already mailed stop working too. Audited in the platform trail.',
    body: updatePlatformSettingsRequestSchema,
    maxBodyBytes: 1 * KiB,
    responses: { 200: { description: 'The settings.', schema: platformSettingsSchema } },
  },
  'audit.list': {
    method: 'GET',
    path: '/audit-events',
    access: { kind: 'tenant', role: 'admin' },
    tag: 'Team',
    summary: 'The workspace’s audit trail',
    query: listAuditEventsQuerySchema,
    responses: { 200: { description: 'A page of events.', schema: pageOf(auditEventSchema) } },
    errors: ['bad_request'],
  },
  'openapi.json': {
    method: 'GET',
    path: '/openapi.json',
    access: { kind: 'public' },
    tag: 'Reference',
    summary: 'This document (OpenAPI 3.1)',
    responses: {
      200: { description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) },
    },
  },
  docs: {
    method: 'GET',
    path: '/docs',
    access: { kind: 'public' },
    tag: 'Reference',
    summary: 'Human-readable API reference',
    responses: { 200: { description: 'An HTML page.', contentType: 'text/html' } },
  },
});

// The one declaration of Switchboard's deployable shape: functions, HTTP routes, queues, bus rules
// and the table. The CDK app (packages/infra) and the local sandbox both read it, so the cloud
// and the laptop cannot drift. Handlers never see physical names: they get logical names.

import type { Access, ApiKeyScope, Role } from '@switchboard/contracts';

export type { Access, ApiKeyScope, Role };

export type FunctionName =
  | 'WebhookReceiver'
  | 'MessageProcessor'
  | 'AuthService'
  | 'Api'
  | 'LeadIngest'
  | 'LeadStore'
  | 'LeadMerge'
  | 'CrmSync';

/** Functions that only drain a queue and serve no HTTP route. */
export type ConsumerFunctionName = 'MessageProcessor' | 'LeadStore' | 'LeadMerge' | 'CrmSync';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteSpec = {
  /** Stable id: the key handlers are registered under. */
  id: string;
  method: HttpMethod;
  /** API Gateway style path: `/conversations/{id}/messages`. */
  path: string;
  function: Exclude<FunctionName, ConsumerFunctionName>;
  access: Access;
  /** Max request body in bytes; the edge answers 413 above it. */
  maxBodyBytes?: number;
};

const KiB = 1024;
const MiB = 1024 * KiB;

export const routes = [
  // Meta webhooks
  {
    id: 'webhook.verify',
    method: 'GET',
    path: '/webhooks/meta',
    function: 'WebhookReceiver',
    access: { kind: 'public' },
  },
  {
    id: 'webhook.receive',
    method: 'POST',
    path: '/webhooks/meta',
    function: 'WebhookReceiver',
    access: { kind: 'signature' },
    maxBodyBytes: 4 * MiB,
  },
  // Auth
  {
    id: 'auth.login',
    method: 'POST',
    path: '/auth/login',
    function: 'AuthService',
    access: { kind: 'public' },
    maxBodyBytes: 16 * KiB,
  },
  {
    id: 'auth.me',
    method: 'GET',
    path: '/auth/me',
    function: 'AuthService',
    access: { kind: 'user' },
  },
  {
    id: 'jwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    function: 'AuthService',
    access: { kind: 'public' },
  },
  {
    id: 'auth.refresh',
    method: 'POST',
    path: '/auth/refresh',
    function: 'AuthService',
    access: { kind: 'public' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'auth.logout',
    method: 'POST',
    path: '/auth/logout',
    function: 'AuthService',
    access: { kind: 'user' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'auth.switchTenant',
    method: 'POST',
    path: '/auth/switch-tenant',
    function: 'AuthService',
    access: { kind: 'user' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'auth.password',
    method: 'POST',
    path: '/auth/password',
    function: 'AuthService',
    access: { kind: 'user' },
    maxBodyBytes: 16 * KiB,
  },
  {
    id: 'auth.acceptInvite',
    method: 'POST',
    path: '/auth/accept-invite',
    function: 'AuthService',
    access: { kind: 'public' },
    maxBodyBytes: 16 * KiB,
  },
  // Platform admin
  {
    id: 'admin.tenants.create',
    method: 'POST',
    path: '/admin/tenants',
    function: 'AuthService',
    access: { kind: 'platformAdmin' },
    maxBodyBytes: 16 * KiB,
  },
  {
    id: 'admin.tenants.list',
    method: 'GET',
    path: '/admin/tenants',
    function: 'AuthService',
    access: { kind: 'platformAdmin' },
  },
  {
    id: 'admin.unrouted.list',
    method: 'GET',
    path: '/admin/unrouted',
    function: 'Api',
    access: { kind: 'platformAdmin' },
  },
  {
    id: 'admin.dlq.list',
    method: 'GET',
    path: '/admin/dlq/{queue}',
    function: 'Api',
    access: { kind: 'platformAdmin' },
  },
  {
    id: 'admin.dlq.redrive',
    method: 'POST',
    path: '/admin/dlq/{queue}/redrive',
    function: 'Api',
    access: { kind: 'platformAdmin' },
    maxBodyBytes: 64 * KiB,
  },
  {
    id: 'admin.tenants.suspend',
    method: 'POST',
    path: '/admin/tenants/{id}/suspend',
    function: 'AuthService',
    access: { kind: 'platformAdmin' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'admin.tenants.resume',
    method: 'POST',
    path: '/admin/tenants/{id}/resume',
    function: 'AuthService',
    access: { kind: 'platformAdmin' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'admin.users.disable',
    method: 'POST',
    path: '/admin/users/{id}/disable',
    function: 'AuthService',
    access: { kind: 'platformAdmin' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'admin.users.enable',
    method: 'POST',
    path: '/admin/users/{id}/enable',
    function: 'AuthService',
    access: { kind: 'platformAdmin' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'admin.audit.list',
    method: 'GET',
    path: '/admin/audit-events',
    function: 'AuthService',
    access: { kind: 'platformAdmin' },
  },
  // Team, API keys and the audit trail of a tenant
  {
    id: 'users.invite',
    method: 'POST',
    path: '/users',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 16 * KiB,
  },
  {
    id: 'users.list',
    method: 'GET',
    path: '/users',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer' },
  },
  {
    id: 'users.update',
    method: 'PATCH',
    path: '/users/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'users.remove',
    method: 'DELETE',
    path: '/users/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  {
    id: 'api-keys.create',
    method: 'POST',
    path: '/api-keys',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 16 * KiB,
  },
  {
    id: 'api-keys.list',
    method: 'GET',
    path: '/api-keys',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  {
    id: 'api-keys.revoke',
    method: 'DELETE',
    path: '/api-keys/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  {
    id: 'audit.list',
    method: 'GET',
    path: '/audit-events',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  // Channels
  {
    id: 'channels.create',
    method: 'POST',
    path: '/channels',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 16 * KiB,
  },
  {
    id: 'channels.list',
    method: 'GET',
    path: '/channels',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  // Inbox
  {
    id: 'conversations.list',
    method: 'GET',
    path: '/conversations',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  {
    id: 'conversations.get',
    method: 'GET',
    path: '/conversations/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  {
    id: 'conversations.messages',
    method: 'GET',
    path: '/conversations/{id}/messages',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  {
    id: 'customers.get',
    method: 'GET',
    path: '/customers/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  // Outbound messaging (the send answers 202: stored, handed to Meta; statuses follow by webhook)
  {
    id: 'messages.send',
    method: 'POST',
    path: '/send-message',
    function: 'Api',
    access: { kind: 'tenant', role: 'agent', scope: 'messages:send' },
    maxBodyBytes: 64 * KiB,
  },
  {
    id: 'channels.delete',
    method: 'DELETE',
    path: '/channels/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  {
    id: 'channels.templates',
    method: 'GET',
    path: '/channels/{id}/templates',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  // Inbox actions
  {
    id: 'conversations.read',
    method: 'POST',
    path: '/conversations/{id}/read',
    function: 'Api',
    access: { kind: 'tenant', role: 'agent' },
    maxBodyBytes: 1 * KiB,
  },
  {
    id: 'conversations.assign',
    method: 'POST',
    path: '/conversations/{id}/assign',
    function: 'Api',
    access: { kind: 'tenant', role: 'agent' },
    maxBodyBytes: 1 * KiB,
  },
  {
    id: 'conversations.close',
    method: 'POST',
    path: '/conversations/{id}/close',
    function: 'Api',
    access: { kind: 'tenant', role: 'agent' },
    maxBodyBytes: 1 * KiB,
  },
  {
    id: 'conversations.reopen',
    method: 'POST',
    path: '/conversations/{id}/reopen',
    function: 'Api',
    access: { kind: 'tenant', role: 'agent' },
    maxBodyBytes: 1 * KiB,
  },
  {
    id: 'customers.search',
    method: 'GET',
    path: '/customers',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  // API reference
  {
    id: 'openapi.json',
    method: 'GET',
    path: '/openapi.json',
    function: 'Api',
    access: { kind: 'public' },
  },
  {
    id: 'docs',
    method: 'GET',
    path: '/docs',
    function: 'Api',
    access: { kind: 'public' },
  },
  // Lead forms (issue 5)
  {
    id: 'forms.create',
    method: 'POST',
    path: '/forms',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 64 * KiB,
  },
  {
    id: 'forms.list',
    method: 'GET',
    path: '/forms',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  {
    id: 'forms.get',
    method: 'GET',
    path: '/forms/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  {
    id: 'forms.update',
    method: 'PUT',
    path: '/forms/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 64 * KiB,
  },
  {
    id: 'forms.publish',
    method: 'POST',
    path: '/forms/{id}/publish',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 1 * KiB,
  },
  {
    id: 'forms.archive',
    method: 'DELETE',
    path: '/forms/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  // Lead ingestion: landing pages (no sign-in; found by form id) and integrations (API key)
  {
    id: 'public-forms.get',
    method: 'GET',
    path: '/public/forms/{id}',
    function: 'LeadIngest',
    access: { kind: 'public' },
  },
  {
    id: 'public-forms.embed',
    method: 'GET',
    path: '/public/forms/{id}/embed.js',
    function: 'LeadIngest',
    access: { kind: 'public' },
  },
  {
    id: 'public-forms.submit',
    method: 'POST',
    path: '/public/forms/{id}/submissions',
    function: 'LeadIngest',
    access: { kind: 'public' },
    maxBodyBytes: 64 * KiB,
  },
  {
    id: 'leads.create',
    method: 'POST',
    path: '/leads',
    function: 'LeadIngest',
    access: { kind: 'tenant', role: 'agent', scope: 'leads:write' },
    maxBodyBytes: 64 * KiB,
  },
  // Lead management
  {
    id: 'leads.list',
    method: 'GET',
    path: '/leads',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  {
    // Before /leads/{id}: the static path must win.
    id: 'leads.export',
    method: 'GET',
    path: '/leads/export.csv',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  {
    id: 'leads.import',
    method: 'POST',
    path: '/leads/import',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 1 * MiB,
  },
  {
    id: 'leads.get',
    method: 'GET',
    path: '/leads/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  {
    id: 'leads.update',
    method: 'PATCH',
    path: '/leads/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'agent' },
    maxBodyBytes: 64 * KiB,
  },
  {
    id: 'leads.delete',
    method: 'DELETE',
    path: '/leads/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  {
    id: 'leads.restore',
    method: 'POST',
    path: '/leads/{id}/restore',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 1 * KiB,
  },
  {
    id: 'leads.notes.create',
    method: 'POST',
    path: '/leads/{id}/notes',
    function: 'Api',
    access: { kind: 'tenant', role: 'agent' },
    maxBodyBytes: 16 * KiB,
  },
  {
    id: 'leads.notes.list',
    method: 'GET',
    path: '/leads/{id}/notes',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  {
    id: 'leads.sync',
    method: 'POST',
    path: '/leads/{id}/sync',
    function: 'Api',
    access: { kind: 'tenant', role: 'agent' },
    maxBodyBytes: 1 * KiB,
  },
  {
    id: 'pipeline.get',
    method: 'GET',
    path: '/pipeline',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer', scope: 'read' },
  },
  {
    id: 'pipeline.update',
    method: 'PUT',
    path: '/pipeline',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 16 * KiB,
  },
  // Branding and tenant assets
  {
    id: 'branding.get',
    method: 'GET',
    path: '/branding',
    function: 'Api',
    access: { kind: 'tenant', role: 'viewer' },
  },
  {
    id: 'branding.update',
    method: 'PUT',
    path: '/branding',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'branding.logo',
    method: 'POST',
    path: '/branding/logo',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 512 * KiB,
  },
  {
    // Sandbox only (AWS serves assets from CloudFront): `{path}` is the URL-encoded object key,
    // served only with a valid `exp` + `sig` over the full key.
    id: 'assets.get',
    method: 'GET',
    path: '/assets/{path}',
    function: 'Api',
    access: { kind: 'public' },
  },
  // CRM destinations
  {
    id: 'crm-destinations.create',
    method: 'POST',
    path: '/crm-destinations',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 4 * KiB,
  },
  {
    id: 'crm-destinations.list',
    method: 'GET',
    path: '/crm-destinations',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  {
    id: 'crm-destinations.delete',
    method: 'DELETE',
    path: '/crm-destinations/{id}',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
  },
  {
    id: 'crm-destinations.test',
    method: 'POST',
    path: '/crm-destinations/{id}/test',
    function: 'Api',
    access: { kind: 'tenant', role: 'admin' },
    maxBodyBytes: 1 * KiB,
  },
] as const satisfies readonly RouteSpec[];

export type RouteId = (typeof routes)[number]['id'];

export type QueueSpec = {
  logicalName: string;
  /** The consumer function; its timeout drives the visibility timeout (about 6x, as AWS advises). */
  consumer: FunctionName;
  consumerTimeoutSeconds: number;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  retentionDays: number;
};

export const queues = {
  IncomingMessagesQueue: {
    logicalName: 'IncomingMessagesQueue',
    consumer: 'MessageProcessor',
    consumerTimeoutSeconds: 30,
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    retentionDays: 14,
  },
  // Bus rule targets of the leads flow (EventBridge -> SQS -> consumer, each with its DLQ).
  LeadStoreQueue: {
    logicalName: 'LeadStoreQueue',
    consumer: 'LeadStore',
    consumerTimeoutSeconds: 10,
    visibilityTimeoutSeconds: 60,
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    retentionDays: 14,
  },
  LeadMergeQueue: {
    logicalName: 'LeadMergeQueue',
    consumer: 'LeadMerge',
    consumerTimeoutSeconds: 15,
    visibilityTimeoutSeconds: 90,
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSeconds: 1,
    retentionDays: 14,
  },
  // CRM pushes: the consumer sets each failed record's visibility to an exponential backoff with
  // jitter (30 s doubling to 15 min), so 10 receives span about an hour before the DLQ.
  CrmSyncQueue: {
    logicalName: 'CrmSyncQueue',
    consumer: 'CrmSync',
    consumerTimeoutSeconds: 30,
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 10,
    batchSize: 5,
    maxBatchingWindowSeconds: 1,
    retentionDays: 14,
  },
} as const satisfies Record<string, QueueSpec>;

export type QueueName = keyof typeof queues;

export type FunctionSpec = {
  name: FunctionName;
  /** Entry file under packages/server/src/engine/lambda. */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  reservedConcurrency?: number;
  /** What the function may touch; the CDK app turns this into least-privilege IAM. */
  table: 'read' | 'readwrite' | 'none';
  sendsTo: QueueName[];
  consumes?: QueueName;
  secrets: (
    'metaAppSecret' | 'metaVerifyToken' | 'jwtSigningKeys' | 'channelTokenKey' | 'assetsSigningKey'
  )[];
  /** Publishes to the event bus (EventBridge PutEvents on SwitchboardBus). */
  publishesEvents?: boolean;
};

export const functions: Record<FunctionName, FunctionSpec> = {
  WebhookReceiver: {
    name: 'WebhookReceiver',
    entry: 'webhook-receiver.ts',
    timeoutSeconds: 10,
    memoryMb: 512,
    table: 'none',
    sendsTo: ['IncomingMessagesQueue'],
    secrets: ['metaAppSecret', 'metaVerifyToken'],
  },
  MessageProcessor: {
    name: 'MessageProcessor',
    entry: 'message-processor.ts',
    timeoutSeconds: queues.IncomingMessagesQueue.consumerTimeoutSeconds,
    memoryMb: 512,
    // Bounded so a webhook burst cannot stampede the table.
    reservedConcurrency: 20,
    table: 'readwrite',
    sendsTo: [],
    consumes: 'IncomingMessagesQueue',
    secrets: ['channelTokenKey'],
  },
  AuthService: {
    name: 'AuthService',
    entry: 'auth-service.ts',
    timeoutSeconds: 10,
    memoryMb: 512,
    table: 'readwrite',
    sendsTo: [],
    secrets: ['jwtSigningKeys'],
  },
  Api: {
    name: 'Api',
    entry: 'api.ts',
    timeoutSeconds: 15,
    memoryMb: 512,
    table: 'readwrite',
    sendsTo: [],
    // channelTokenKey also encrypts CRM destination credentials; assetsSigningKey signs asset URLs.
    secrets: ['jwtSigningKeys', 'channelTokenKey', 'assetsSigningKey'],
    // Lead re-syncs, edits and imports.
    publishesEvents: true,
  },
  LeadIngest: {
    name: 'LeadIngest',
    entry: 'lead-ingest.ts',
    timeoutSeconds: 10,
    memoryMb: 512,
    table: 'readwrite',
    sendsTo: [],
    secrets: ['jwtSigningKeys', 'assetsSigningKey'],
    publishesEvents: true,
  },
  LeadStore: {
    name: 'LeadStore',
    entry: 'lead-store.ts',
    timeoutSeconds: queues.LeadStoreQueue.consumerTimeoutSeconds,
    memoryMb: 256,
    table: 'readwrite',
    sendsTo: [],
    consumes: 'LeadStoreQueue',
    secrets: [],
  },
  LeadMerge: {
    name: 'LeadMerge',
    entry: 'lead-merge.ts',
    timeoutSeconds: queues.LeadMergeQueue.consumerTimeoutSeconds,
    memoryMb: 512,
    table: 'readwrite',
    sendsTo: [],
    consumes: 'LeadMergeQueue',
    secrets: [],
    publishesEvents: true,
  },
  CrmSync: {
    name: 'CrmSync',
    entry: 'crm-sync.ts',
    timeoutSeconds: queues.CrmSyncQueue.consumerTimeoutSeconds,
    memoryMb: 512,
    // Bounded: tenants' CRMs are small servers; a backlog drains at a polite pace.
    reservedConcurrency: 10,
    table: 'readwrite',
    sendsTo: [],
    consumes: 'CrmSyncQueue',
    // Decrypts CRM destination secrets (webhook signing secrets, HubSpot tokens).
    secrets: ['channelTokenKey'],
  },
};

export type IndexSpec = { name: string; partitionKey: string; sortKey: string };

/** The single table. Item shapes and key builders live in data/keys.ts. */
export const table = {
  logicalName: 'SocialCRMTable',
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
  indexes: [
    // GSI1: ordered lists inside a tenant (inbox newest first, tenant list for admins).
    { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    // GSI2: a second ordering inside a tenant (leads by owner, newest first).
    { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  ] as const satisfies readonly IndexSpec[],
} as const;

/** EventBridge-style event pattern: the local bus matches the same patterns the cloud rules use. */
export type EventPattern = {
  source?: string[];
  'detail-type'?: string[];
  detail?: Record<string, unknown>;
};

export type BusRuleSpec = {
  name: string;
  pattern: EventPattern;
  /** Where matching events go: a function invoked asynchronously, or a queue that a function drains. */
  target: { kind: 'function'; function: FunctionName } | { kind: 'queue'; queue: QueueName };
  /** Retries of the target before the event lands in the rule's DLQ. */
  maxRetries: number;
};

export const bus = { logicalName: 'SwitchboardBus', source: 'switchboard' } as const;

/** Source of the leads flow's events (`LeadSubmitted`, `LeadUpserted`, `LeadSyncRequested`). */
export const leadEventSource = `${bus.source}.leads`;

/** Rule names double as the consumers' dedupe namespaces (`EVENT#<rule>#<eventId>`). */
export const leadRules = {
  store: 'StoreRawLead',
  merge: 'MergeLead',
  sync: 'SyncLeadToCrm',
} as const;

/** Rules on the bus. Read by the CDK app and the sandbox's local bus. */
export const busRules: readonly BusRuleSpec[] = [
  {
    name: leadRules.store,
    pattern: { source: [leadEventSource], 'detail-type': ['LeadSubmitted'] },
    target: { kind: 'queue', queue: 'LeadStoreQueue' },
    maxRetries: 185,
  },
  {
    name: leadRules.merge,
    pattern: { source: [leadEventSource], 'detail-type': ['LeadSubmitted'] },
    target: { kind: 'queue', queue: 'LeadMergeQueue' },
    maxRetries: 185,
  },
  {
    name: leadRules.sync,
    pattern: { source: [leadEventSource], 'detail-type': ['LeadUpserted', 'LeadSyncRequested'] },
    target: { kind: 'queue', queue: 'CrmSyncQueue' },
    maxRetries: 185,
  },
];

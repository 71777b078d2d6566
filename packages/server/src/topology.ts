// The one declaration of Switchboard's deployable shape: functions, HTTP routes, queues, bus rules
// and the table. The CDK app (packages/infra) and the local sandbox both read it, so the cloud
// and the laptop cannot drift. Handlers never see physical names: they get logical names.

export type Role = 'owner' | 'admin' | 'agent' | 'viewer';
export type ApiKeyScope = 'leads:write' | 'messages:send' | 'read';

/** Who may call a route. `tenant` routes take a JWT with at least `role`, or an API key with `scope`. */
export type Access =
  | { kind: 'public' }
  | { kind: 'signature' } // Meta webhooks: X-Hub-Signature-256
  | { kind: 'user' } // any signed-in user, tenant not required (e.g. switch-tenant, logout)
  | { kind: 'platformAdmin' }
  | { kind: 'tenant'; role: Role; scope?: ApiKeyScope };

export type FunctionName = 'WebhookReceiver' | 'MessageProcessor' | 'AuthService' | 'Api';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteSpec = {
  /** Stable id: the key handlers are registered under. */
  id: string;
  method: HttpMethod;
  /** API Gateway style path: `/conversations/{id}/messages`. */
  path: string;
  function: Exclude<FunctionName, 'MessageProcessor'>;
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
} as const satisfies Record<string, QueueSpec>;

export type QueueName = keyof typeof queues;

export type FunctionSpec = {
  name: FunctionName;
  /** Entry file under packages/server/src/lambda. */
  entry: string;
  timeoutSeconds: number;
  memoryMb: number;
  reservedConcurrency?: number;
  /** What the function may touch; the CDK app turns this into least-privilege IAM. */
  table: 'read' | 'readwrite' | 'none';
  sendsTo: QueueName[];
  consumes?: QueueName;
  secrets: ('metaAppSecret' | 'metaVerifyToken' | 'jwtSigningKeys' | 'channelTokenKey')[];
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
    secrets: ['jwtSigningKeys', 'channelTokenKey'],
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

/** Rules on the bus; the leads flow adds its own. Read by the CDK app and the sandbox's local bus. */
export const busRules: readonly BusRuleSpec[] = [];

// The one declaration of Switchboard's deployable shape: functions, HTTP routes, queues, bus rules
// and the table. The CDK app (packages/infra) and the local sandbox both read it, so the cloud
// and the laptop cannot drift. Handlers never see physical names: they get logical names.

import {
  routeList,
  type Access,
  type ApiKeyScope,
  type HttpMethod,
  type Role,
  type RouteContract,
  type RouteId,
} from '@switchboard/contracts';

export type { Access, ApiKeyScope, Role };

export type FunctionName =
  | 'WebhookReceiver'
  | 'MessageProcessor'
  | 'AuthService'
  | 'Api'
  | 'LeadIngest'
  | 'LeadStore'
  | 'LeadMerge'
  | 'CrmSync'
  | 'MediaFetcher'
  | 'StreamConsumer'
  | 'Replayer'
  | 'EventDelivery'
  | 'LiveAuthorizer'
  | 'LiveSocket'
  | 'CampaignSender';

/** Functions of the live WebSocket API (`liveSocket` below): they serve no HTTP route. */
export type SocketFunctionName = 'LiveAuthorizer' | 'LiveSocket';

/** Functions that only drain a queue and serve no HTTP route. */
export type ConsumerFunctionName =
  | 'MessageProcessor'
  | 'LeadStore'
  | 'LeadMerge'
  | 'CrmSync'
  | 'MediaFetcher'
  | 'StreamConsumer'
  | 'Replayer'
  | 'EventDelivery'
  | 'CampaignSender';

export type { HttpMethod };

/** A route as the deployment sees it (API Gateway, WAF, the sandbox's router). */
export type RouteSpec = {
  id: string;
  method: HttpMethod;
  /** API Gateway style path: `/conversations/{id}/messages`. */
  path: string;
  function: HttpFunctionName;
  access: Access;
  /** Max request body in bytes; the edge answers 413 above it. */
  maxBodyBytes?: number;
};

/** A route with its whole contract and the function serving it. */
export type DeployedRoute = RouteContract & { id: RouteId; function: HttpFunctionName };

export type HttpFunctionName = Exclude<FunctionName, ConsumerFunctionName | SocketFunctionName>;

/**
 * Which function serves each route. The route itself (method, path, access, inputs, responses)
 * is its contract; this is the one deployment fact about it. A route added to the contracts
 * without a function here fails the type check.
 */
export const routeFunctions: Record<RouteId, HttpFunctionName> = {
  'webhook.verify': 'WebhookReceiver',
  'webhook.receive': 'WebhookReceiver',
  'auth.login': 'AuthService',
  'auth.me': 'AuthService',
  jwks: 'AuthService',
  'auth.refresh': 'AuthService',
  'auth.logout': 'AuthService',
  'auth.switchTenant': 'AuthService',
  'auth.password': 'AuthService',
  'auth.acceptInvite': 'AuthService',
  'auth.passwordReset': 'AuthService',
  'auth.passwordResetConfirm': 'AuthService',
  'auth.signup.status': 'AuthService',
  'auth.signup': 'AuthService',
  'auth.signup.confirm': 'AuthService',
  // Sessions need only the table; the two-factor routes that read or write a TOTP secret run on
  // Api, whose role holds the token-encryption key (AuthService's does not).
  'auth.sessions.list': 'AuthService',
  'auth.sessions.revokeAll': 'AuthService',
  'auth.sessions.revoke': 'AuthService',
  'auth.twoFactor.status': 'AuthService',
  'auth.loginTwoFactor': 'Api',
  'auth.twoFactor.start': 'Api',
  'auth.twoFactor.confirm': 'Api',
  'auth.twoFactor.disable': 'Api',
  'auth.twoFactor.recoveryCodes': 'Api',
  // Single sign-on: a workspace's client secret is encrypted with the token key (bound to the
  // tenant), and the platform's is a Secrets Manager entry granted to Api.
  'auth.sso.providers': 'Api',
  'auth.sso.start': 'Api',
  'auth.sso.callback': 'Api',
  'sso-settings.get': 'Api',
  'sso-settings.update': 'Api',
  'sso-settings.delete': 'Api',
  'security-policy.get': 'Api',
  'security-policy.update': 'Api',
  'admin.tenants.create': 'AuthService',
  'admin.tenants.list': 'AuthService',
  'admin.unrouted.list': 'Api',
  'admin.dlq.list': 'Api',
  'admin.dlq.redrive': 'Api',
  'admin.tenants.suspend': 'AuthService',
  'admin.tenants.resume': 'AuthService',
  'admin.users.disable': 'AuthService',
  'admin.users.enable': 'AuthService',
  'admin.audit.list': 'AuthService',
  'admin.settings.get': 'AuthService',
  'admin.settings.update': 'AuthService',
  'admin.mail.list': 'AuthService',
  'admin.mail.get': 'AuthService',
  'admin.channel-claims.list': 'Api',
  'admin.channel-claims.resolve': 'Api',
  'admin.replays.create': 'Api',
  'admin.replays.list': 'Api',
  'admin.replays.get': 'Api',
  'users.invite': 'Api',
  'users.list': 'Api',
  'users.update': 'Api',
  'users.remove': 'Api',
  'invitations.list': 'Api',
  'invitations.resend': 'Api',
  'invitations.revoke': 'Api',
  'api-keys.create': 'Api',
  'api-keys.list': 'Api',
  'api-keys.update': 'Api',
  'api-keys.revoke': 'Api',
  'audit.list': 'Api',
  'channels.create': 'Api',
  'channels.list': 'Api',
  'conversations.list': 'Api',
  'conversations.get': 'Api',
  'conversations.messages': 'Api',
  'customers.get': 'Api',
  'customers.attribution.get': 'Api',
  'leads.attribution.get': 'Api',
  'reports.sources': 'Api',
  'messages.send': 'Api',
  'channels.delete': 'Api',
  'channels.templates': 'Api',
  'conversations.read': 'Api',
  'conversations.typing': 'Api',
  'media.upload': 'Api',
  'media.uploads.create': 'Api',
  'media.uploads.put': 'Api',
  'media.uploads.complete': 'Api',
  'conversations.assign': 'Api',
  'conversations.close': 'Api',
  'conversations.reopen': 'Api',
  'customers.search': 'Api',
  'customers.create': 'Api',
  'customers.update': 'Api',
  'customers.merge': 'Api',
  'customers.consent.get': 'Api',
  'customers.consent.set': 'Api',
  'consent-keywords.get': 'Api',
  'consent-keywords.update': 'Api',
  'campaigns.estimate': 'Api',
  'campaigns.create': 'Api',
  'campaigns.list': 'Api',
  'campaigns.get': 'Api',
  'campaigns.recipients': 'Api',
  'campaigns.pause': 'Api',
  'campaigns.resume': 'Api',
  'campaigns.cancel': 'Api',
  'campaigns.retryFailed': 'Api',
  'admin.customer-search.backfill': 'Api',
  'openapi.json': 'Api',
  docs: 'Api',
  'forms.create': 'Api',
  'forms.list': 'Api',
  'forms.get': 'Api',
  'forms.update': 'Api',
  'forms.publish': 'Api',
  'forms.archive': 'Api',
  'public-forms.get': 'LeadIngest',
  'public-forms.embed': 'LeadIngest',
  'public-forms.submit': 'LeadIngest',
  'leads.create': 'LeadIngest',
  'leads.list': 'Api',
  'leads.export': 'Api',
  'leads.import': 'Api',
  'leads.get': 'Api',
  'leads.update': 'Api',
  'leads.delete': 'Api',
  'leads.restore': 'Api',
  'leads.notes.create': 'Api',
  'leads.notes.list': 'Api',
  'leads.sync': 'Api',
  'pipeline.get': 'Api',
  'pipeline.update': 'Api',
  'branding.get': 'Api',
  'branding.update': 'Api',
  'branding.logo': 'Api',
  'assets.get': 'Api',
  'crm-destinations.create': 'Api',
  'crm-destinations.list': 'Api',
  'crm-destinations.delete': 'Api',
  'crm-destinations.test': 'Api',
  'conversations.start': 'Api',
  'conversations.lead': 'Api',
  'event-destinations.list': 'Api',
  'event-destinations.create': 'Api',
  'event-destinations.update': 'Api',
  'event-destinations.delete': 'Api',
  'event-destinations.test': 'Api',
  // Live tickets are global items on the function's own role (like refresh tokens).
  'live.tickets.create': 'Api',
  'conversations.notes.list': 'Api',
  'conversations.notes.create': 'Api',
  'conversations.notes.delete': 'Api',
  'conversations.labels.add': 'Api',
  'conversations.labels.remove': 'Api',
  'labels.list': 'Api',
  'labels.create': 'Api',
  'labels.update': 'Api',
  'labels.delete': 'Api',
  'cannedReplies.list': 'Api',
  'cannedReplies.create': 'Api',
  'cannedReplies.update': 'Api',
  'cannedReplies.delete': 'Api',
  'conversations.snooze': 'Api',
  'conversations.unsnooze': 'Api',
  'conversations.bulk': 'Api',
  'users.availability.get': 'Api',
  'users.availability.set': 'Api',
  'channels.autoAssignment.set': 'Api',
};

export const deployedRoutes: readonly DeployedRoute[] = routeList.map((route) => ({
  ...route,
  function: routeFunctions[route.id],
}));

export const routes: readonly RouteSpec[] = deployedRoutes;

export type { RouteId };

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
  // Inbound attachments and Instagram profiles, fetched from Meta off the message's critical path.
  // The consumer backs a failed record off (5 s doubling to 5 min); a permanent failure marks the
  // media failed and is not retried. Long timeout: a WhatsApp document may be 100 MB.
  MediaQueue: {
    logicalName: 'MediaQueue',
    consumer: 'MediaFetcher',
    consumerTimeoutSeconds: 60,
    visibilityTimeoutSeconds: 360,
    maxReceiveCount: 8,
    batchSize: 5,
    maxBatchingWindowSeconds: 0,
    retentionDays: 4,
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
  // Integrators' event webhooks (modules/integrations): the same backoff as the CRM sync (30 s
  // doubling to 15 min, set per record), so 10 receives span about an hour before the DLQ.
  IntegrationEventsQueue: {
    logicalName: 'IntegrationEventsQueue',
    consumer: 'EventDelivery',
    consumerTimeoutSeconds: 30,
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 10,
    batchSize: 5,
    maxBatchingWindowSeconds: 1,
    retentionDays: 14,
  },
  // Replays of archived webhooks (POST /admin/replays): one message per day, then one per chunk
  // (a day file, or one S3 object of the Firehose archive). A chunk of a busy day is large.
  ReplayQueue: {
    logicalName: 'ReplayQueue',
    consumer: 'Replayer',
    consumerTimeoutSeconds: 300,
    visibilityTimeoutSeconds: 1800,
    maxReceiveCount: 5,
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    retentionDays: 4,
  },
  // Campaign runs (modules/campaigns): one message per campaign slice. The consumer sends at the
  // channel's rate for up to a slice, then puts the campaign back on the queue; duplicates are
  // dropped by the campaign's lease. Batch of 1: a slice is the unit of work.
  CampaignSendQueue: {
    logicalName: 'CampaignSendQueue',
    consumer: 'CampaignSender',
    consumerTimeoutSeconds: 60,
    visibilityTimeoutSeconds: 360,
    // Its consumer runs one instance: Lambda's pollers still take messages it throttles, and each
    // counts as a receive. A slice is safe to run again (lease, claims), so a job is let through
    // many times before it is called poison.
    maxReceiveCount: 20,
    batchSize: 1,
    maxBatchingWindowSeconds: 0,
    retentionDays: 4,
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
    | 'metaAppSecret'
    | 'metaVerifyToken'
    | 'jwtSigningKeys'
    | 'channelTokenKey'
    | 'assetsSigningKey'
    | 'cursorKey'
  )[];
  /** Publishes to the event bus (EventBridge PutEvents on SwitchboardBus). */
  publishesEvents?: boolean;
  /** Sends e-mail (SES SendEmail from the configured sender, through its configuration set). */
  sendsMail?: boolean;
  /** The media bucket (tenant attachments under `tenants/<id>/media/`): read and written. */
  media?: 'readwrite';
  /** Reads the raw webhook archive (replay), besides the consumers of the webhook queues. */
  rawArchive?: 'read';
  /**
   * Invoked by the table's stream (`tableStream` below: an event source mapping with partial
   * batch responses and an on-failure destination). Reads the stream only, never the table.
   */
  consumesTableStream?: boolean;
  /**
   * The live sockets (API Gateway's WebSocket API, `liveSocket` below). `fanout`: raises
   * workspace events or closes sockets, so it lists connections, posts to them and deletes them
   * (ManageConnections on the stage, the connections table). `connections`: serves the socket's
   * routes, so it writes and deletes connections and nothing else of the API.
   */
  live?: 'fanout' | 'connections';
  /**
   * Asks for campaign slices at a time (engine/ports/campaign-wakeups.ts): creates, moves and
   * deletes the campaigns' one-time schedules (EventBridge Scheduler, the stack's group) and
   * passes their role to Scheduler. Needs CampaignSendQueue in `sendsTo` (near wake-ups go
   * straight there).
   */
  wakesCampaigns?: boolean;
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
    // Attachments and new Instagram senders' profiles are fetched by MediaFetcher.
    sendsTo: ['MediaQueue'],
    consumes: 'IncomingMessagesQueue',
    secrets: ['channelTokenKey'],
    // Integrators' message.received / message.status events (modules/integrations).
    publishesEvents: true,
    // message.created / conversation.updated to open screens.
    live: 'fanout',
  },
  MediaFetcher: {
    name: 'MediaFetcher',
    entry: 'media-fetcher.ts',
    timeoutSeconds: queues.MediaQueue.consumerTimeoutSeconds,
    // A 100 MB document is held in memory while its hash is checked.
    memoryMb: 1024,
    reservedConcurrency: 10,
    table: 'readwrite',
    sendsTo: [],
    consumes: 'MediaQueue',
    // Decrypts the channel's token to call Meta.
    secrets: ['channelTokenKey'],
    media: 'readwrite',
    // message.updated (media ready or failed) and contact.updated (a profile read).
    live: 'fanout',
  },
  Replayer: {
    name: 'Replayer',
    entry: 'replayer.ts',
    timeoutSeconds: queues.ReplayQueue.consumerTimeoutSeconds,
    // A delivered archive object is up to 64 MB compressed, streamed through gunzip.
    memoryMb: 1024,
    reservedConcurrency: 2,
    // The replay item, and the routing keys (read).
    table: 'readwrite',
    // Chunks of a day go back on its own queue; the entries on the processor's.
    sendsTo: ['IncomingMessagesQueue', 'ReplayQueue'],
    consumes: 'ReplayQueue',
    secrets: [],
    rawArchive: 'read',
  },
  AuthService: {
    name: 'AuthService',
    entry: 'auth-service.ts',
    timeoutSeconds: 10,
    memoryMb: 512,
    table: 'readwrite',
    sendsTo: [],
    // cursorKey: every function serving a paginated route seals its cursors (topology.test.ts).
    secrets: ['jwtSigningKeys', 'cursorKey'],
    // Password reset links, and owner invitations for a workspace created for an existing account.
    sendsMail: true,
    // Closes the sockets of an ended session, a disabled person, a suspended workspace.
    live: 'fanout',
  },
  Api: {
    name: 'Api',
    entry: 'api.ts',
    timeoutSeconds: 15,
    memoryMb: 512,
    table: 'readwrite',
    // Replays start with one message per day on ReplayQueue; a campaign started, resumed or
    // retried now goes on CampaignSendQueue.
    sendsTo: ['ReplayQueue', 'CampaignSendQueue'],
    // channelTokenKey also encrypts CRM destination credentials; assetsSigningKey signs asset URLs
    // (media URLs too).
    secrets: ['jwtSigningKeys', 'channelTokenKey', 'assetsSigningKey', 'cursorKey'],
    // Uploads to send, and (in the sandbox, which has no CDN) serving signed media URLs.
    media: 'readwrite',
    // Lead imports (LeadSubmitted); edits and re-syncs leave through the table's stream.
    publishesEvents: true,
    // Invitations (and their resends).
    sendsMail: true,
    // The inbox's events, and closing the sockets of a removed member or a revoked session.
    live: 'fanout',
    // Campaign start times, resumes and pauses.
    wakesCampaigns: true,
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
    // Decrypts the channel's token to send a form's WhatsApp follow-up (leads/whatsapp-handoff).
    secrets: ['channelTokenKey'],
    // LeadUpserted leaves through the table's stream (StreamConsumer), not from here.
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
  // Workspace events for integrators (bus rules below) -> signed POSTs to tenants' endpoints.
  EventDelivery: {
    name: 'EventDelivery',
    entry: 'event-delivery.ts',
    timeoutSeconds: queues.IntegrationEventsQueue.consumerTimeoutSeconds,
    memoryMb: 512,
    // Bounded like the CRM sync: tenants' endpoints are small servers.
    reservedConcurrency: 10,
    // Destinations, their last delivery, the per-destination "delivered" markers.
    table: 'readwrite',
    sendsTo: [],
    consumes: 'IntegrationEventsQueue',
    // Decrypts the destinations' signing secrets.
    secrets: ['channelTokenKey'],
  },
  // Lead and conversation changes, from the table's stream, become domain events on the bus
  // (modules/stream-consumer.service.ts): the CRM sync no longer depends on a handler's publish.
  StreamConsumer: {
    name: 'StreamConsumer',
    entry: 'stream-consumer.ts',
    timeoutSeconds: 30,
    memoryMb: 256,
    table: 'none',
    sendsTo: [],
    secrets: [],
    publishesEvents: true,
    consumesTableStream: true,
  },
  // Template broadcasts: sends one campaign slice at a time, at the number's rate.
  CampaignSender: {
    name: 'CampaignSender',
    entry: 'campaign-sender.ts',
    timeoutSeconds: queues.CampaignSendQueue.consumerTimeoutSeconds,
    memoryMb: 512,
    // One instance: the per-number rate is kept in its memory (modules/campaigns/send-rate.ts).
    reservedConcurrency: 1,
    table: 'readwrite',
    // Puts the campaign back on its own queue after each slice.
    sendsTo: ['CampaignSendQueue'],
    consumes: 'CampaignSendQueue',
    // Decrypts the channel's token to call Meta.
    secrets: ['channelTokenKey'],
    // A slice that ends waiting (a backoff, the messaging tier) asks to be woken.
    wakesCampaigns: true,
    // campaign.progress to open campaign screens.
    live: 'fanout',
  },
  // $connect's REQUEST authorizer: takes the `ticket` query string once (a conditional delete of
  // its item in the table) and checks its session is still live.
  LiveAuthorizer: {
    name: 'LiveAuthorizer',
    entry: 'live-authorizer.ts',
    timeoutSeconds: 5,
    memoryMb: 256,
    table: 'readwrite',
    sendsTo: [],
    secrets: [],
  },
  // $connect (writes the connection, then checks the session once more), $disconnect, $default.
  LiveSocket: {
    name: 'LiveSocket',
    entry: 'live-socket.ts',
    timeoutSeconds: 5,
    memoryMb: 256,
    // Reads the session, user, membership and workspace (never writes the table).
    table: 'read',
    sendsTo: [],
    secrets: [],
    live: 'connections',
  },
};

export type IndexSpec = { name: string; partitionKey: string; sortKey: string };

/** The single table. Item shapes and key builders live in data/keys.ts. */
export const table = {
  logicalName: 'SocialCRMTable',
  partitionKey: 'PK',
  sortKey: 'SK',
  ttlAttribute: 'expiresAt',
  /** DynamoDB Streams with both images: the stream consumer decides from old vs new. */
  stream: 'NEW_AND_OLD_IMAGES',
  indexes: [
    // GSI1: ordered lists inside a tenant (inbox newest first, tenant list for admins).
    { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    // GSI2: a second ordering inside a tenant (leads by owner, newest first).
    { name: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  ] as const satisfies readonly IndexSpec[],
} as const;

/**
 * The live sockets deployed: API Gateway's WebSocket API holds them, its connections table says
 * whose each is (modules/live/live-connection.repo.ts). Only `$connect` is authorized (API
 * Gateway runs an authorizer on no other route); the others are reachable only on a connection
 * that passed it. The sandbox's `/live` socket (engine/local/live-socket-server.ts) stands in.
 */
export const liveSocket = {
  logicalName: 'LiveSocketApi',
  /** `$connect`'s REQUEST authorizer. No result cache: a ticket is single use. */
  authorizer: 'LiveAuthorizer',
  /** Serves `$connect`, `$disconnect` and `$default`. */
  routes: 'LiveSocket',
  routeKeys: ['$connect', '$disconnect', '$default'],
  /** Where the ticket travels (browsers cannot set headers on a WebSocket). */
  ticketQueryParameter: 'ticket',
  stageName: 'prod',
  /** Connections, apart from the main table: no tenant role or stream has to know about them. */
  connectionsTable: {
    logicalName: 'LiveConnectionsTable',
    partitionKey: 'PK',
    sortKey: 'SK',
    ttlAttribute: 'expiresAt',
    // GSI1: a person's connections in every tenant (their session ended, they were disabled).
    indexes: [
      { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    ] as const satisfies readonly IndexSpec[],
  },
} as const satisfies {
  logicalName: string;
  authorizer: SocketFunctionName;
  routes: SocketFunctionName;
  routeKeys: readonly string[];
  ticketQueryParameter: string;
  stageName: string;
  connectionsTable: {
    logicalName: string;
    partitionKey: string;
    sortKey: string;
    ttlAttribute: string;
    indexes: readonly IndexSpec[];
  };
};

/**
 * The table stream's event source mapping (AWS) and the sandbox's change feed read the same
 * settings. A failed record is retried (from itself: partial batch responses) up to
 * `retryAttempts` times or until it is `maxRecordAgeSeconds` old, then its batch's description
 * goes to the consumer's on-failure queue (`StreamConsumerDlq`, alarmed) and the shard moves on.
 */
export const tableStream = {
  consumer: 'StreamConsumer',
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  retryAttempts: 10,
  maxRecordAgeSeconds: 6 * 3600,
  // Order holds per partition key (tenant) with a factor above 1: a busy tenant does not hold
  // up the others' records in the same shard.
  parallelizationFactor: 2,
  onFailureQueue: 'StreamConsumerDlq',
} as const satisfies {
  consumer: FunctionName;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  retryAttempts: number;
  maxRecordAgeSeconds: number;
  parallelizationFactor: number;
  onFailureQueue: string;
};

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

/** Source of the inbox's events from the stream (`ConversationAssigned`, `…Closed`, `…Reopened`). */
export const conversationEventSource = `${bus.source}.conversations`;

/** Source of workspace events for integrators (`IntegrationEvent`, modules/integrations). */
export const integrationEventSource = `${bus.source}.integrations`;

/**
 * The integrator events' rules: the workspace-events sink's `IntegrationEvent`s, and the
 * stream's conversation assignments and closes, into one queue. `deliver` is also the delivery
 * consumer's dedupe namespace.
 */
export const integrationRules = {
  deliver: 'DeliverIntegrationEvent',
  conversations: 'ForwardConversationEventsToIntegrations',
} as const;

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
  {
    name: integrationRules.deliver,
    pattern: { source: [integrationEventSource], 'detail-type': ['IntegrationEvent'] },
    target: { kind: 'queue', queue: 'IntegrationEventsQueue' },
    maxRetries: 185,
  },
  {
    name: integrationRules.conversations,
    pattern: {
      source: [conversationEventSource],
      'detail-type': ['ConversationAssigned', 'ConversationClosed'],
    },
    target: { kind: 'queue', queue: 'IntegrationEventsQueue' },
    maxRetries: 185,
  },
];

import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { RouteRepo } from '../../modules/channels/channel.repo';
import type { Db } from '../data/dynamo';
import { tenantData } from '../data/tenant-data';
import { createMessageProcessor } from '../../modules/messaging/message-processor.service';
import { outboundDepsOf, type OutboundDeps } from '../../modules/messaging/outbound-deps';
import {
  createMediaFetcher,
  type Backoff as MediaBackoff,
} from '../../modules/messaging/media/media-fetcher.service';
import type { AuthOverrides } from '../../modules/identity/settings';
import type { SsoDeps } from '../../modules/identity/sso.oidc';
import { createApp } from '../http/app';
import { lazy } from '../lazy';
import { createLogger, type Logger } from '../log';
import { FileBlobStore } from '../local/file-blobs';
import { DailyFileArchive } from '../local/daily-archive';
import { createReplayer } from '../../modules/messaging/replay.service';
import { FileMailer } from '../local/file-mailer';
import { FileSecretStore } from '../local/file-secrets';
import type { LocalQueue } from '../local/local-queue';
import type { DynamoFaultInjector } from '../local/fault-injection';
import { localDlqAdmin, openQueueWithDlq } from '../local/queue-pair';
import { QueuePoller } from '../local/queue-poller';
import {
  GraphClient,
  graphConfigFromEnv,
  type GraphConfig,
} from '../../modules/messaging/meta/graph-client';
import { startMetaStandIn, type MetaStandIn } from '../../modules/messaging/meta/standin/server';
import type { DeadLetterAdmin } from '../ports/dlq';
import type { SqsBatchHandler } from '../ports/queue';
import { TokenService } from '../security/jwt';
import { LocalTokenCipher } from '../security/token-cipher';
import { queues } from '../topology';
import {
  createCampaignSender,
  createDueSweep,
  type CampaignScheduler,
  type CampaignSenderDeps,
} from '../../modules/campaigns/campaign-runner';
import { bootstrapPlatformAdmin } from '../../modules/platform/bootstrap-admin.service';
import { HmacAssetSigner } from '../local/hmac-asset-signer';
import { HmacUploadSigner } from '../local/hmac-upload-signer';
import { defaultHubspotBaseUrl, type CrmSettings } from '../../modules/leads/crm-connectors';
import type { Backoff } from '../../modules/leads/crm-sync.service';
import type { LeadLimits } from '../../modules/leads/lead-deps';
import { startLeadPipeline, type LeadPipeline, type LeadQueueName } from './lead-pipeline';
import type { QueueName } from '../topology';
import {
  startSupervisedDatabase,
  type DatabaseProcess,
  type DynamoDbEndpoint,
  type SandboxDatabaseOptions,
} from './supervised-database';
import { withWebApp } from './web-static';
import { ChangeFeed, dbImageReader } from '../local/change-feed';
import { LocalQueue as StreamDlqQueue } from '../local/local-queue';
import type { ChangeStreamSource, StreamBatchHandler } from '../ports/change-stream';
import { table, tableStream } from '../topology';
import { createStreamConsumer, isStreamedKey } from '../../modules/stream-consumer.service';
import { formCdnApp } from './form-cdn';
import { EventFanout } from '../workspace-events';
import { createIntegrationEventSink } from '../../modules/integrations/integration-events';
import { LiveSocketServer } from '../local/live-socket-server';
import { admitLiveTicket } from '../../modules/live/live-admission';

// The local sandbox as a library: `startSandbox()` composes the same functions the Lambdas run, with
// local adapters (dynalite, a durable file queue, file blobs and secrets); `stop()` ends it cleanly.

export type SandboxOptions = {
  dataDir: string;
  port?: number;
  host?: string;
  metaAppSecret?: string;
  metaVerifyToken?: string;
  adminEmail?: string;
  adminPassword?: string;
  log?: Logger;
  /** Poll the queue at all (tests of the receiver alone may turn it off). */
  processMessages?: boolean;
  /** Seconds before a failed record is retried (SQS's visibility timeout); locally short so fixes show quickly. */
  retryDelaySeconds?: number;
  /** Wraps the processor, the way a fault-injection or tracing layer would wrap the Lambda handler. */
  wrapProcessor?: (handler: SqsBatchHandler) => SqsBatchHandler;
  /** Injects DynamoDB errors into the client (fault tests); the SDK's own retries are reduced with it. */
  dynamoFaults?: DynamoFaultInjector;
  /** The HTTP app's clock (sessions, rate-limit windows, audit times): tests move it to skip a lockout. */
  now?: () => Date;
  /** Auth limits and lifetimes (e.g. a small sign-in lockout for tests); defaults in domain/auth/settings.ts. */
  auth?: AuthOverrides;
  /**
   * Where Graph API calls go. Unset (and no META_GRAPH_BASE_URL): the built-in Meta stand-in, which
   * also posts signed status webhooks back. Set: that base, and no stand-in.
   */
  metaGraphBaseUrl?: string;
  /** Graph client tuning (tests shorten timeouts and retries); base URL and version come from above and the env. */
  graph?: Partial<Omit<GraphConfig, 'baseUrl' | 'instagramBaseUrl'>>;
  /** Gap between the stand-in's sent, delivered and read webhooks (default 300 ms). */
  metaStatusDelayMs?: number;
  /** The web app's static export served at `/` (default packages/web/out); false: the API only. */
  webDir?: string | false;
  /**
   * CRM connectors: loopback destinations are allowed by default in the sandbox (a developer's
   * local receiver); the HubSpot base URL defaults to HUBSPOT_BASE_URL or api.hubapi.com.
   */
  crm?: Partial<CrmSettings>;
  /** Backoff of failed CRM pushes (default 30 s doubling to 15 min); `retryDelaySeconds` overrides it. */
  crmBackoff?: Backoff;
  /** Backoff of attachment fetches that failed for now (default 5 s doubling to 5 min); `retryDelaySeconds` overrides it. */
  mediaBackoff?: MediaBackoff;
  /** Public submission limits per IP and per form. */
  leadLimits?: Partial<LeadLimits>;
  /** The web app's origin, allowed to post to every form (its hosted form page). */
  hostedFormOrigin?: string;
  /** Wraps a leads-flow consumer (fault tests). */
  wrapLeadConsumer?: (queue: LeadQueueName, handler: SqsBatchHandler) => SqsBatchHandler;
  /** The database child's supervision: restarts, backoff, how long callers wait for it. */
  database?: SandboxDatabaseOptions;
  /**
   * Where the table's change records come from. Default: the change feed in the data layer
   * (local/change-feed.ts), which journals every lead and conversation write the sandbox makes.
   * Set: that source instead (e.g. the real Streams API of DynamoDB Local), and no feed.
   */
  changeStream?: ChangeStreamSource;
  /** Wraps the stream consumer, the way a fault-injection layer would wrap the Lambda handler. */
  wrapStreamConsumer?: (handler: StreamBatchHandler) => StreamBatchHandler;
  /** Another DynamoDB API engine (DynamoDB Local, a real table) instead of dynalite. */
  dynamodb?: DynamoDbEndpoint;
  /** The sender of the sandbox's mail (default no-reply@switchboard.local). */
  mailFrom?: string;
  /**
   * Campaign sending: the per-number rate (default CAMPAIGN_SEND_RATE or 20/s), the tier of
   * channels that store none, the run's lease and slice, the due sweep's period (default 1 s).
   */
  campaigns?: Partial<
    Pick<
      CampaignSenderDeps,
      | 'ratePerSecond'
      | 'defaultTier'
      | 'leaseMs'
      | 'sliceMs'
      | 'backoffMs'
      | 'maxAttempts'
      | 'concurrency'
      | 'onClaimed'
    >
  > & { sweepMs?: number };
  /** The web app's origin in mailed links (default: this sandbox's own URL, which serves it). */
  webOrigin?: string;
  /**
   * Called once the database could not be kept running and the sandbox has stopped itself (its
   * HTTP server closed, the queues closed, nothing lost). Default: logged only; `npm start` exits 1.
   */
  onFatal?: (error: Error) => void;
  /**
   * Single sign-on: the platform's identity provider (default from SSO_ISSUER, SSO_CLIENT_ID,
   * SSO_CLIENT_SECRET, SSO_NAME, SSO_MFA; none when SSO_ISSUER is unset). Workspaces' own
   * providers may be on loopback here (`allowLoopback`, default true), as a local Keycloak is.
   */
  sso?: {
    platform?: SandboxPlatformIdp;
    allowLoopback?: boolean;
    timeoutMs?: number;
    startsPerIpPerMinute?: number;
  };
};

export type SandboxPlatformIdp = {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  name?: string;
  mfa?: 'off' | 'optional' | 'required';
};

function platformIdpFromEnv(env: NodeJS.ProcessEnv): SandboxPlatformIdp | undefined {
  if (!env.SSO_ISSUER || !env.SSO_CLIENT_ID) return undefined;
  const mfa = env.SSO_MFA;
  return {
    issuer: env.SSO_ISSUER,
    clientId: env.SSO_CLIENT_ID,
    clientSecret: env.SSO_CLIENT_SECRET || undefined,
    name: env.SSO_NAME,
    mfa: mfa === 'off' || mfa === 'optional' || mfa === 'required' ? mfa : undefined,
  };
}

function sandboxSso(opts: SandboxOptions['sso']): SsoDeps {
  const platform = opts?.platform ?? platformIdpFromEnv(process.env);
  return {
    allowLoopback: opts?.allowLoopback ?? true,
    timeoutMs: opts?.timeoutMs,
    startsPerIpPerMinute: opts?.startsPerIpPerMinute,
    platform: platform && {
      issuer: platform.issuer,
      clientId: platform.clientId,
      clientSecret: async () => platform.clientSecret,
      name: platform.name ?? 'Single sign-on',
      mfa: platform.mfa,
    },
  };
}

export type Sandbox = {
  url: string;
  port: number;
  dataDir: string;
  db: Db;
  meta: { appSecret: string; verifyToken: string };
  admin: { email: string; password: string };
  queues: {
    incoming: LocalQueue;
    incomingDlq: LocalQueue;
    /** Attachments and Instagram profiles to fetch (the MediaFetcher's queue). */
    media: LocalQueue;
    mediaDlq: LocalQueue;
  };
  dlq: Record<QueueName, DeadLetterAdmin>;
  /** The leads flow: local bus, rule target queues and their DLQs. */
  leads: LeadPipeline;
  /** Where Graph calls go: the stand-in's URL, or the configured base. */
  graphBaseUrl: string;
  /** The built-in Meta stand-in (absent when a Graph base URL is configured), with its test hooks. */
  metaStandIn?: MetaStandIn;
  /** The dynalite child, restarted when it dies, or the engine at `dynamodb` (supervised-database.ts). */
  database: DatabaseProcess;
  /** Every mail sent, as `<dataDir>/mail/*.eml` (the mailbox page and `npm run mail` read them). */
  mail: FileMailer;
  /** The table's change records: their source (the feed unless `changeStream` was given) and DLQ. */
  stream: { source: ChangeStreamSource; feed?: ChangeFeed; dlq: StreamDlqQueue };
  /** Workspace events (live sockets, integrators); a test may add a sink to watch them. */
  events: EventFanout;
  /** Campaign slices (CampaignSendQueue) and the due sweep that starts and resumes campaigns. */
  campaigns: { queue: LocalQueue; dlq: LocalQueue; sweep: CampaignScheduler };
  /** The `/live` WebSocket on this sandbox's port: one of `events`' sinks. */
  live: LiveSocketServer;
  stop(): Promise<void>;
};

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? createLogger('info');
  await mkdir(dataDir, { recursive: true });

  // The stream consumer's on-failure queue (StreamConsumerDlq in AWS), and the change feed, whose
  // middleware must be on the client before its first write.
  const streamDlq = await StreamDlqQueue.open({
    dir: join(dataDir, 'queues'),
    name: tableStream.onFailureQueue,
    visibilityTimeoutSeconds: 30,
  });
  // On another engine (`dynamodb`) the table's own stream is the source (see below).
  const changeFeed =
    opts.changeStream || opts.dynamodb
      ? undefined
      : await ChangeFeed.open({
          dir: join(dataDir, 'streams'),
          tableName: table.logicalName,
          watch: isStreamedKey,
          log,
          deadLetters: streamDlq,
        });
  const database = await startSupervisedDatabase({
    path: join(dataDir, 'dynamodb'),
    endpoint: opts.dynamodb,
    log,
    database: opts.database,
    // The feed innermost: it records what the table applied, faults included.
    middleware: [
      ...(opts.dynamoFaults ? [opts.dynamoFaults.middleware] : []),
      ...(changeFeed ? [changeFeed.middleware] : []),
    ],
    sdkMaxAttempts: opts.dynamoFaults?.sdkMaxAttempts,
  });
  const db = database.db;
  changeFeed?.attach(dbImageReader(db), db.tableName);
  const { streamArn } = await db.ensureTable();

  const secrets = new FileSecretStore(join(dataDir, 'secrets'), {
    metaAppSecret: opts.metaAppSecret,
    metaVerifyToken: opts.metaVerifyToken,
  });
  const random = () => randomBytes(24).toString('base64url');
  const meta = {
    appSecret: await secrets.get('metaAppSecret', random),
    verifyToken: await secrets.get('metaVerifyToken', random),
  };
  const tokens = await TokenService.fromSecrets(secrets);
  const cipher = new LocalTokenCipher(
    await secrets.get('channelTokenKey', LocalTokenCipher.generateKey),
  );
  const blobs = new FileBlobStore(join(dataDir, 'blobs'));
  // Every accepted webhook, one append-only file per UTC day (Firehose to S3 in AWS).
  const rawArchive = new DailyFileArchive(join(dataDir, 'archive', 'raw'));
  const admin = await bootstrapPlatformAdmin(
    db,
    secrets,
    opts.adminEmail ?? 'admin@switchboard.local',
    opts.adminPassword,
  );

  const spec = queues.IncomingMessagesQueue;
  const queueDir = join(dataDir, 'queues');
  const incomingPair = await openQueueWithDlq(queueDir, spec);
  const { queue: incoming, dlq: incomingDlq } = incomingPair;

  const mediaSpec = queues.MediaQueue;
  const mediaPair = await openQueueWithDlq(queueDir, mediaSpec);
  const { queue: mediaQueue, dlq: mediaDlq } = mediaPair;

  const replaySpec = queues.ReplayQueue;
  const replayPair = await openQueueWithDlq(queueDir, replaySpec);
  const campaignSpec = queues.CampaignSendQueue;
  const campaignPair = await openQueueWithDlq(queueDir, campaignSpec);
  const replayQueue = replayPair.queue;

  // Workspace events: the live socket and integrators' endpoints attach their sinks.
  const events = new EventFanout();
  // The `/live` socket on this server's port: a sink of the events, attached once it listens.
  // A ticket opens a socket only while its session, membership and workspace still stand, as
  // the deployed `$connect` authorizer checks.
  const live = new LiveSocketServer({
    log,
    redeem: (ticket) => admitLiveTicket(db, ticket, opts.now?.() ?? new Date()),
  });
  events.add(live);

  const crm: CrmSettings = {
    allowLoopback: true,
    hubspotBaseUrl: process.env.HUBSPOT_BASE_URL ?? defaultHubspotBaseUrl,
    ...opts.crm,
  };
  // Known once the Graph client is (below): forms' WhatsApp follow-ups wait for it.
  const handoff: { outbound?: OutboundDeps } = {};
  const leads = await startLeadPipeline({
    dataDir,
    db,
    log,
    cipher,
    crm,
    outbound: () => handoff.outbound,
    retryDelaySeconds: opts.retryDelaySeconds,
    crmBackoff: opts.crmBackoff,
    wrapConsumer: (queue, handler) =>
      database.consumer(opts.wrapLeadConsumer ? opts.wrapLeadConsumer(queue, handler) : handler),
  });
  if (opts.processMessages !== false) leads.start();
  // Integrators' events: published on the leads flow's bus, delivered by EventDelivery.
  events.add(createIntegrationEventSink({ db, bus: leads.bus }));
  // Lead and conversation changes -> StreamConsumer -> the bus (CRM syncs, inbox events).
  const streamSource: ChangeStreamSource =
    opts.changeStream ??
    database.changeStream({
      streamArn,
      checkpointFile: join(dataDir, 'streams', `${db.tableName}.checkpoint.json`),
      watch: isStreamedKey,
      deadLetters: streamDlq,
    }) ??
    changeFeed!;
  const streamConsumer = createStreamConsumer({ bus: leads.bus, log });
  if (opts.processMessages !== false) {
    await streamSource.start(
      opts.wrapStreamConsumer ? opts.wrapStreamConsumer(streamConsumer) : streamConsumer,
    );
  }
  const assetSigningKey = await secrets.get('assetsSigningKey', () =>
    randomBytes(32).toString('base64url'),
  );

  const dlq: Record<QueueName, DeadLetterAdmin> = {
    IncomingMessagesQueue: localDlqAdmin(incomingPair),
    MediaQueue: localDlqAdmin(mediaPair),
    ReplayQueue: localDlqAdmin(replayPair),
    CampaignSendQueue: localDlqAdmin(campaignPair),
    ...leads.dlq,
  };
  const envGraph = graphConfigFromEnv();
  const configuredBase = (opts.metaGraphBaseUrl ?? process.env.META_GRAPH_BASE_URL)?.replace(
    /\/+$/,
    '',
  );
  const routes = new RouteRepo(db);
  const metaStandIn = configuredBase
    ? undefined
    : await startMetaStandIn({
        appSecret: meta.appSecret,
        log,
        statusDelayMs: opts.metaStatusDelayMs,
        wabaIdOf: async (phoneNumberId) => {
          const target = await routes.resolve('wa-phone', phoneNumberId);
          if (!target) return undefined;
          const data = tenantData(db, {
            tenantId: target.tenantId,
            actor: { kind: 'system', reason: 'sandbox' },
          });
          return (await data.channels.get(target.channelId))?.wabaId;
        },
      });
  const graphBaseUrl = configuredBase ?? metaStandIn!.baseUrl;
  const mail = new FileMailer(join(dataDir, 'mail'), {
    fromAddress: opts.mailFrom ?? 'no-reply@switchboard.local',
    now: opts.now,
  });
  // Known once the server listens (port 0 in tests).
  const own: { origin?: string } = {};
  const graph = new GraphClient({
    ...opts.graph,
    version: opts.graph?.version ?? envGraph.version,
    baseUrl: graphBaseUrl,
    instagramBaseUrl: graphBaseUrl,
  });
  handoff.outbound = outboundDepsOf({ db, cipher, log, graph, events, now: opts.now });
  const baseProcessor = createMessageProcessor({
    db,
    log,
    archive: blobs,
    mediaQueue,
    events,
    // Consent keywords' confirmations go out through the one send path, to the same Graph.
    outbound: outboundDepsOf({ db, cipher, log, graph, events, now: opts.now }),
  });
  const processor = database.consumer(
    opts.wrapProcessor ? opts.wrapProcessor(baseProcessor) : baseProcessor,
  );
  const poller = new QueuePoller(incoming, processor, {
    batchSize: spec.batchSize,
    maxConcurrency: 2,
    // Locally a failed record comes back after a few seconds, not minutes, so fixes show quickly.
    retryDelaySeconds: opts.retryDelaySeconds ?? 2,
    onError: (error) => log.error('queue poller error', { error: String(error) }),
  });
  if (opts.processMessages !== false) poller.start();

  // Attachments and profiles, fetched off the message's path. With the stand-in, downloads go to it
  // only (loopback); with a configured Graph base (real Meta), to Meta's media hosts.
  const mediaFetcher = database.consumer(
    createMediaFetcher({
      db,
      log,
      events,
      blobs,
      cipher,
      graph,
      backoff: opts.mediaBackoff,
      download: { allowLoopback: true, allowedHosts: metaStandIn ? [] : undefined },
      delayRetry: async (record, seconds) => {
        await mediaQueue.changeVisibility(record.receiptHandle, seconds);
      },
    }),
  );
  const mediaPoller = new QueuePoller(mediaQueue, mediaFetcher, {
    batchSize: mediaSpec.batchSize,
    // One batch at a time: attachments yield the CPU to text messages, which share this process.
    maxConcurrency: 1,
    // The fetcher schedules its own backoff (like the CRM sync); set, this replaces it.
    retryDelaySeconds: opts.retryDelaySeconds,
    onError: (error) => log.error('media queue poller error', { error: String(error) }),
  });
  if (opts.processMessages !== false) mediaPoller.start();

  // Replays of archived webhooks: a day, then each of its chunks, back onto the incoming queue.
  const replayer = database.consumer(
    createReplayer({
      db,
      archive: rawArchive,
      largeBodies: blobs,
      incomingQueue: incoming,
      replayQueue,
      log,
    }),
  );
  const replayPoller = new QueuePoller(replayQueue, replayer, {
    batchSize: replaySpec.batchSize,
    maxConcurrency: 1,
    retryDelaySeconds: opts.retryDelaySeconds ?? 2,
    onError: (error) => log.error('replay queue poller error', { error: String(error) }),
  });
  if (opts.processMessages !== false) replayPoller.start();

  // Campaigns: one slice per message, at the number's rate; the sweep starts and resumes them.
  const envRate = Number(process.env.CAMPAIGN_SEND_RATE);
  const envLease = Number(process.env.CAMPAIGN_LEASE_MS);
  const { sweepMs, ...campaignOpts } = opts.campaigns ?? {};
  const campaignSender = database.consumer(
    createCampaignSender({
      db,
      log,
      cipher,
      graph,
      queue: campaignPair.queue,
      events,
      now: opts.now ? () => opts.now!().getTime() : undefined,
      ...(envRate > 0 ? { ratePerSecond: envRate } : {}),
      ...(envLease > 0 ? { leaseMs: envLease } : {}),
      ...campaignOpts,
    }),
  );
  const campaignPoller = new QueuePoller(campaignPair.queue, campaignSender, {
    batchSize: campaignSpec.batchSize,
    maxConcurrency: 1,
    retryDelaySeconds: opts.retryDelaySeconds ?? 2,
    onError: (error) => log.error('campaign queue poller error', { error: String(error) }),
  });
  const campaignSweep = createDueSweep({
    db,
    queue: campaignPair.queue,
    log,
    intervalMs: sweepMs,
    leaseMs: campaignOpts.leaseMs ?? (envLease > 0 ? envLease : undefined),
    now: opts.now ? () => opts.now!().getTime() : undefined,
  });
  if (opts.processMessages !== false) {
    campaignPoller.start();
    campaignSweep.start();
  }

  const api = createApp({
    db,
    log,
    events,
    live,
    tokens: async () => tokens,
    cipher,
    cursorKey: lazy(async () =>
      Buffer.from(await secrets.get('cursorKey', () => randomBytes(32).toString('base64url'))),
    ),
    incomingQueue: incoming,
    rawArchive,
    replayQueue,
    blobs,
    uploads: new HmacUploadSigner(async () => assetSigningKey),
    meta,
    dlq,
    now: opts.now,
    auth: opts.auth,
    graph,
    leads: {
      bus: leads.bus,
      assets: new HmacAssetSigner(async () => assetSigningKey),
      crm,
      limits: opts.leadLimits,
      hostedFormOrigin: opts.hostedFormOrigin,
    },
    mailer: mail,
    mailbox: mail,
    webOrigin: () => opts.webOrigin ?? own.origin,
    sso: sandboxSso(opts.sso),
  });
  const app = await withWebApp(api, opts.webDir, log, [formCdnApp(blobs)]);
  const host = opts.host ?? '127.0.0.1';
  const server: ServerType = await new Promise((resolveServe, reject) => {
    const s = serve(
      { fetch: database.serve(app.fetch), port: opts.port ?? 3000, hostname: host },
      () => resolveServe(s),
    );
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  // The stand-in posts status webhooks to this sandbox, as Meta would to the public URL.
  const loopback = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const loopbackOrigin = `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}`;
  metaStandIn?.setWebhookUrl(`${loopbackOrigin}/webhooks/meta`);
  own.origin = loopbackOrigin;
  live.attach(server as Server, loopbackOrigin);
  const runtimeFile = join(dataDir, 'sandbox.json');
  await writeFile(runtimeFile, JSON.stringify({ url, pid: process.pid }), { mode: 0o600 });

  // Both stop receiving at once; each resolves once the batches it holds are handled.
  let consumersStopping: Promise<unknown> | undefined;
  const stopConsumers = () =>
    (consumersStopping ??= Promise.all([
      poller.stop(),
      mediaPoller.stop(),
      replayPoller.stop(),
      campaignSweep.stop().then(() => campaignPoller.stop()),
      // The stream consumer publishes to the leads flow's queues: it stops before they close.
      streamSource.stop().then(() => leads.stop()),
    ]));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await metaStandIn?.stop();
      live.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        // Keep-alive sockets would hold close() open until they time out.
        (server as Server).closeAllConnections?.();
      });
      await stopConsumers();
      await incoming.close();
      await incomingDlq.close();
      await mediaQueue.close();
      await mediaDlq.close();
      await replayQueue.close();
      await replayPair.dlq.close();
      await campaignPair.queue.close();
      await campaignPair.dlq.close();
      await rawArchive.close();
      await changeFeed?.close();
      await streamDlq.close();
      await database.stop();
      await rm(runtimeFile, { force: true });
    })());
  // A database that keeps dying stops the sandbox: consumers first, so no record spends its
  // receives on the outage (what they were handling comes back on the next start).
  database.onGiveUp((error) => {
    log.error('the sandbox is stopping: its database could not be kept running');
    void stopConsumers();
    stop().then(
      () => opts.onFatal?.(error),
      (stopError: unknown) => {
        log.error('stop after a database failure failed', { error: String(stopError) });
        opts.onFatal?.(error);
      },
    );
  });
  return {
    url,
    port,
    dataDir,
    db,
    meta,
    admin: { email: admin.email, password: admin.password },
    queues: { incoming, incomingDlq, media: mediaQueue, mediaDlq },
    dlq,
    leads,
    graphBaseUrl,
    metaStandIn,
    database: database.process,
    mail,
    stream: { source: streamSource, feed: changeFeed, dlq: streamDlq },
    events,
    campaigns: { queue: campaignPair.queue, dlq: campaignPair.dlq, sweep: campaignSweep },
    live,
    stop,
  };
}

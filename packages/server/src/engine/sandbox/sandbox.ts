import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { RouteRepo } from '../../modules/channels/channel.repo';
import { Db } from '../data/dynamo';
import { tenantData } from '../data/tenant-data';
import { createMessageProcessor } from '../../modules/messaging/message-processor.service';
import type { AuthOverrides } from '../../modules/identity/settings';
import { createApp } from '../http/app';
import { lazy } from '../lazy';
import { createLogger, type Logger } from '../log';
import { FileBlobStore } from '../local/file-blobs';
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
import { queues, table } from '../topology';
import { bootstrapPlatformAdmin } from '../../modules/platform/bootstrap-admin.service';
import { HmacAssetSigner } from '../local/hmac-asset-signer';
import { defaultHubspotBaseUrl, type CrmSettings } from '../../modules/leads/crm-connectors';
import type { Backoff } from '../../modules/leads/crm-sync.service';
import type { LeadLimits } from '../../modules/leads/lead-deps';
import { startLeadPipeline, type LeadPipeline, type LeadQueueName } from './lead-pipeline';
import type { QueueName } from '../topology';
import { withWebApp } from './web-static';

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
  /** Public submission limits per IP and per form. */
  leadLimits?: Partial<LeadLimits>;
  /** The web app's origin, allowed to post to every form (its hosted form page). */
  hostedFormOrigin?: string;
  /** Wraps a leads-flow consumer (fault tests). */
  wrapLeadConsumer?: (queue: LeadQueueName, handler: SqsBatchHandler) => SqsBatchHandler;
};

export type Sandbox = {
  url: string;
  port: number;
  dataDir: string;
  db: Db;
  meta: { appSecret: string; verifyToken: string };
  admin: { email: string; password: string };
  queues: { incoming: LocalQueue; incomingDlq: LocalQueue };
  dlq: Record<QueueName, DeadLetterAdmin>;
  /** The leads flow: local bus, rule target queues and their DLQs. */
  leads: LeadPipeline;
  /** Where Graph calls go: the stand-in's URL, or the configured base. */
  graphBaseUrl: string;
  /** The built-in Meta stand-in (absent when a Graph base URL is configured), with its test hooks. */
  metaStandIn?: MetaStandIn;
  stop(): Promise<void>;
};

type Dynalite = { endpoint: string; stop(): Promise<void> };

/** dynalite in a child process (see local/dynalite-child.mjs): the second core does the database work. */
async function startDynalite(path: string): Promise<Dynalite> {
  await mkdir(path, { recursive: true });
  const script = fileURLToPath(new URL('../local/dynalite-child.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, path], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolvePort, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /PORT (\d+)/.exec(output);
      if (match?.[1]) resolvePort(Number(match[1]));
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`dynalite exited with ${code}: ${output}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.stdin.end();
      }),
  };
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = resolve(opts.dataDir);
  const log = opts.log ?? createLogger('info');
  await mkdir(dataDir, { recursive: true });

  const dyn = await startDynalite(join(dataDir, 'dynamodb'));
  // One Db for platform and tenant data alike: dynalite has no IAM, so there is no tenant-scoped
  // session to assume (deployed, aws/deps.ts gives each tenant its own `tenantDb`).
  const db = Db.connect({
    endpoint: dyn.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    tableName: table.logicalName,
    maxAttempts: opts.dynamoFaults?.sdkMaxAttempts ?? 5,
    middleware: opts.dynamoFaults ? [opts.dynamoFaults.middleware] : undefined,
  });
  await db.ensureTable();

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

  const baseProcessor = createMessageProcessor({ db, log, archive: blobs });
  const processor = opts.wrapProcessor ? opts.wrapProcessor(baseProcessor) : baseProcessor;
  const poller = new QueuePoller(incoming, processor, {
    batchSize: spec.batchSize,
    maxConcurrency: 2,
    // Locally a failed record comes back after a few seconds, not minutes, so fixes show quickly.
    retryDelaySeconds: opts.retryDelaySeconds ?? 2,
    onError: (error) => log.error('queue poller error', { error: String(error) }),
  });
  if (opts.processMessages !== false) poller.start();

  const crm: CrmSettings = {
    allowLoopback: true,
    hubspotBaseUrl: process.env.HUBSPOT_BASE_URL ?? defaultHubspotBaseUrl,
    ...opts.crm,
  };
  const leads = await startLeadPipeline({
    dataDir,
    db,
    log,
    cipher,
    crm,
    retryDelaySeconds: opts.retryDelaySeconds,
    crmBackoff: opts.crmBackoff,
    wrapConsumer: opts.wrapLeadConsumer,
  });
  if (opts.processMessages !== false) leads.start();
  const assetSigningKey = await secrets.get('assetsSigningKey', () =>
    randomBytes(32).toString('base64url'),
  );

  const dlq: Record<QueueName, DeadLetterAdmin> = {
    IncomingMessagesQueue: localDlqAdmin(incomingPair),
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
  const graph = new GraphClient({
    ...opts.graph,
    version: opts.graph?.version ?? envGraph.version,
    baseUrl: graphBaseUrl,
    instagramBaseUrl: graphBaseUrl,
  });
  const api = createApp({
    db,
    log,
    tokens: async () => tokens,
    cipher,
    cursorKey: lazy(async () =>
      Buffer.from(await secrets.get('cursorKey', () => randomBytes(32).toString('base64url'))),
    ),
    incomingQueue: incoming,
    blobs,
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
  });
  const app = await withWebApp(api, opts.webDir, log);
  const host = opts.host ?? '127.0.0.1';
  const server: ServerType = await new Promise((resolveServe, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 3000, hostname: host }, () =>
      resolveServe(s),
    );
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  // The stand-in posts status webhooks to this sandbox, as Meta would to the public URL.
  const loopback = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  metaStandIn?.setWebhookUrl(
    `http://${loopback.includes(':') ? `[${loopback}]` : loopback}:${port}/webhooks/meta`,
  );
  const runtimeFile = join(dataDir, 'sandbox.json');
  await writeFile(runtimeFile, JSON.stringify({ url, pid: process.pid }), { mode: 0o600 });

  let stopped = false;
  return {
    url,
    port,
    dataDir,
    db,
    meta,
    admin: { email: admin.email, password: admin.password },
    queues: { incoming, incomingDlq },
    dlq,
    leads,
    graphBaseUrl,
    metaStandIn,
    async stop() {
      if (stopped) return;
      stopped = true;
      await metaStandIn?.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        // Keep-alive sockets would hold close() open until they time out.
        (server as Server).closeAllConnections?.();
      });
      await poller.stop();
      await leads.stop();
      await incoming.close();
      await incomingDlq.close();
      db.destroy();
      await dyn.stop();
      await rm(runtimeFile, { force: true });
    },
  };
}

import type { WorkspaceEvents } from '../ports/workspace-events';
import type { LiveConnections } from '../ports/live-connections';
import { ApiGatewayLive } from './api-gateway-live';
import { LiveConnectionRepo } from '../../modules/live/live-connection.repo';
import { EventFanout } from '../workspace-events';
import { createIntegrationEventSink } from '../../modules/integrations/integration-events';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Db } from '../data/dynamo';
import type { TenantDbFactory } from '../data/tenant-data';
import type { AppDeps } from '../http/app';
import { lazy } from '../lazy';
import { createLogger, type LogLevel, type Logger } from '../log';
import type { BlobStore } from '../ports/blobs';
import type { CampaignWakeups } from '../ports/campaign-wakeups';
import type { DeadLetterAdmin } from '../ports/dlq';
import type { Mailer } from '../ports/mailer';
import type { QueueSender } from '../ports/queue';
import type { RawArchive } from '../ports/raw-archive';
import type { UploadUrlSigner } from '../ports/upload-urls';
import type { SecretName, SecretStore } from '../ports/secrets';
import { TokenService } from '../security/jwt';
import type { TokenCipher } from '../security/token-cipher';
import { queues, type FunctionName, type QueueName } from '../topology';
import { envNames, rawWebhookPrefix } from './env-names';
import { FirehoseArchive } from './firehose-archive';
import { KmsTokenCipher } from './kms-token-cipher';
import { SchedulerCampaignWakeups } from './campaign-scheduler';
import { awsEventBus, awsLeadDeps } from './lead-deps';
import { prefixRoutedBlobs, S3BlobStore } from './s3-blobs';
import { SecretsManagerStore } from './secrets-manager';
import { SesMailer, sesHttpTransport } from './ses-mailer';
import { s3UploadClient, S3UploadSigner } from './s3-upload-signer';
import { awsSsoDeps } from './sso-env';
import { SqsDeadLetterAdmin } from './sqs-dlq-admin';
import { SqsQueueSender } from './sqs-queue';
import { tenantScopedDbs } from './tenant-credentials';
import { NotGrantedError, unavailable } from './unavailable';
import { mediaKeyPattern } from '../../modules/messaging/media/media-keys';

// Composes the ports from the environment the stack sets per function (names in env-names.ts).
// Anything a function's topology entry does not grant is absent from its environment and becomes
// a stand-in that throws on use. SDK clients are built once per container and reused.

type Env = Record<string, string | undefined>;

const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const secretNames: readonly SecretName[] = [
  'metaAppSecret',
  'metaVerifyToken',
  'jwtSigningKeys',
  'channelTokenKey',
  'adminPassword',
  'assetsSigningKey',
  'cursorKey',
];

export type AwsRuntime = {
  fn: FunctionName;
  log: Logger;
  db: Db;
  /** Tenant partitions on TenantDataAccessRole credentials; absent without the role's ARN. */
  tenantDb?: TenantDbFactory;
  secrets: SecretStore;
  blobs: BlobStore;
  cipher: TokenCipher;
  incomingQueue: QueueSender;
  /** Attachments to fetch from Meta (MessageProcessor sends, MediaFetcher consumes). */
  mediaQueue: QueueSender;
  /** Replays: days and chunks (Api sends, Replayer consumes and sends). */
  replayQueue: QueueSender;
  /** The raw webhook archive: Firehose to write (WebhookReceiver), the bucket to read (Replayer). */
  rawArchive: RawArchive;
  dlq: Record<QueueName, DeadLetterAdmin>;
  /** Presigned PUTs on the media bucket (direct uploads); a stand-in that throws without it. */
  uploads: UploadUrlSigner;
  /** Workspace events after a write: the sinks this function's environment grants. */
  events: WorkspaceEvents;
  /** The live sockets (the WebSocket API and its connections table), where granted. */
  live: LiveConnections;
  /** Campaign wake-ups (Scheduler and delayed SQS sends), where the topology grants them. */
  campaignWakeups: CampaignWakeups;
};

/** The schedule group, Scheduler's role and CampaignSendQueue, set for `wakesCampaigns`. */
function awsCampaignWakeups(env: Env, sqs: SQSClient, log: Logger): CampaignWakeups {
  const groupName = env[envNames.campaignScheduleGroup];
  const roleArn = env[envNames.campaignSchedulerRoleArn];
  const queueArn = env[envNames.queueArn('CampaignSendQueue')];
  const queueUrl = env[envNames.queueUrl('CampaignSendQueue')];
  if (!groupName || !roleArn || !queueArn || !queueUrl) {
    return unavailable<CampaignWakeups>('Campaign wake-ups');
  }
  return new SchedulerCampaignWakeups({
    scheduler: new SchedulerClient({}),
    sqs,
    config: { groupName, roleArn, queueArn, queueUrl },
    log,
  });
}

/**
 * The live fan-out and closer, for functions the topology grants `live` (the connections table,
 * the stage's ManageConnections). Elsewhere: no URL, and closing does nothing but say so.
 */
function awsLive(env: Env, log: Logger): { live: LiveConnections; sinks: ApiGatewayLive[] } {
  const table = env[envNames.liveConnectionsTable];
  const endpoint = env[envNames.liveManagementEndpoint];
  const socketUrl = env[envNames.liveSocketUrl];
  if (!table || !endpoint || !socketUrl) {
    const live: LiveConnections = {
      url: () => undefined,
      closeWhere: async (_filter, reason) =>
        log.warn('live connections not granted to this function; none closed', { reason }),
    };
    return { live, sinks: [] };
  }
  const connections = new LiveConnectionRepo(Db.connect({ tableName: table }));
  const live = ApiGatewayLive.fromEndpoint({ connections, endpoint, socketUrl, log });
  return { live, sinks: [live] };
}

/** The connections table, for the socket's own routes (topology `live: 'connections'`). */
export function liveConnectionsOf(env: Env = process.env): LiveConnectionRepo {
  const table = env[envNames.liveConnectionsTable];
  return table
    ? new LiveConnectionRepo(Db.connect({ tableName: table }))
    : unavailable<LiveConnectionRepo>('The live connections table');
}

function logLevelOf(value: string | undefined): LogLevel {
  return logLevels.find((level) => level === value) ?? 'info';
}

/** The ports of one function, built from its environment. No network call happens here. */
export function awsRuntime(fn: FunctionName, env: Env = process.env): AwsRuntime {
  const log = createLogger(logLevelOf(env[envNames.logLevel]), { fn });
  const sqs = new SQSClient({});
  const s3 = new S3Client({});

  const tableName = env[envNames.tableName];
  const db = tableName ? Db.connect({ tableName }) : unavailable<Db>('The table');
  // The IAM second wall: tenant partitions are reached with credentials of TenantDataAccessRole
  // tagged with the tenant's id (dynamodb:LeadingKeys). `db` keeps the function's own role, for
  // platform items and the global pointers a tenant action writes (see data/tenant-data.ts).
  const roleArn = env[envNames.tenantDataRoleArn];
  const tenantDb = tableName && roleArn ? tenantScopedDbs({ roleArn, tableName }) : undefined;

  const secretArns: Partial<Record<SecretName, string>> = {};
  for (const name of secretNames) {
    const arn = env[envNames.secretArn(name)];
    if (arn) secretArns[name] = arn;
  }
  const secrets = new SecretsManagerStore(new SecretsManagerClient({}), secretArns);

  const bucketStore = (name: string | undefined, what: string): BlobStore =>
    name ? new S3BlobStore(s3, name) : unavailable<BlobStore>(what);
  // Three buckets behind one key space: raw webhooks in the archive, tenants' attachments
  // (`tenants/<id>/media/…`) in the media bucket, every other tenant asset in the assets bucket.
  const blobs = prefixRoutedBlobs(
    [
      {
        prefix: rawWebhookPrefix,
        store: bucketStore(env[envNames.rawWebhookBucket], 'The raw webhook archive'),
      },
      {
        pattern: mediaKeyPattern,
        store: bucketStore(env[envNames.mediaBucket], 'The media bucket'),
      },
    ],
    bucketStore(env[envNames.assetsBucket], 'The tenant assets bucket'),
  );

  const keyId = env[envNames.channelTokenKeyId];
  const cipher = keyId
    ? new KmsTokenCipher(new KMSClient({}), keyId)
    : unavailable<TokenCipher>('The channel token key');

  const sender = (name: QueueName): QueueSender => {
    const url = env[envNames.queueUrl(name)];
    return url ? new SqsQueueSender(sqs, url) : unavailable<QueueSender>(name);
  };
  const incomingQueue = sender('IncomingMessagesQueue');
  const mediaQueue = sender('MediaQueue');
  const replayQueue = sender('ReplayQueue');

  const archiveBucket = env[envNames.rawWebhookBucket];
  const archiveStream = env[envNames.rawArchiveStream];
  const rawArchive =
    archiveBucket || archiveStream
      ? new FirehoseArchive(
          new FirehoseClient({}),
          archiveStream ?? '',
          archiveBucket
            ? new S3BlobStore(s3, archiveBucket)
            : unavailable('The raw archive bucket'),
        )
      : unavailable<RawArchive>('The raw webhook archive');

  const dlq = Object.fromEntries(
    (Object.keys(queues) as QueueName[]).map((name) => {
      const dlqUrl = env[envNames.dlqUrl(name)];
      const dlqArn = env[envNames.dlqArn(name)];
      const sourceUrl = env[envNames.queueUrl(name)];
      const sourceArn = env[envNames.queueArn(name)];
      const admin =
        dlqUrl && dlqArn && sourceUrl && sourceArn
          ? new SqsDeadLetterAdmin(sqs, { dlqUrl, dlqArn, sourceUrl, sourceArn })
          : unavailable<DeadLetterAdmin>(`The ${name} dead-letter queue`);
      return [name, admin];
    }),
  ) as Record<QueueName, DeadLetterAdmin>;

  const live = awsLive(env, log);

  const mediaBucket = env[envNames.mediaBucket];
  const uploads = mediaBucket
    ? new S3UploadSigner(s3UploadClient(), mediaBucket)
    : unavailable<UploadUrlSigner>('The media bucket');

  return {
    fn,
    log,
    db,
    tenantDb,
    secrets,
    blobs,
    cipher,
    incomingQueue,
    mediaQueue,
    replayQueue,
    rawArchive,
    dlq,
    uploads,
    // Integrators' events go on the bus from the functions the topology lets publish.
    events: new EventFanout([
      ...live.sinks,
      ...(env[envNames.eventBusName] && tableName
        ? [createIntegrationEventSink({ db, tenantDb, bus: awsEventBus(env) })]
        : []),
    ]),
    live: live.live,
    campaignWakeups: awsCampaignWakeups(env, sqs, log),
  };
}

/**
 * The Meta app secret and verify token, read once at cold start by functions granted them. Others
 * get a stand-in that throws: an empty HMAC key would let anyone forge a signature.
 */
async function loadMeta(secrets: SecretStore, env: Env): Promise<AppDeps['meta']> {
  const granted =
    env[envNames.secretArn('metaAppSecret')] && env[envNames.secretArn('metaVerifyToken')];
  if (!granted) return unavailable<AppDeps['meta']>('The Meta app secret');
  // Both exist from the first deploy (generated); the operator replaces them with Meta's values.
  const never = () => {
    throw new Error('Meta secrets are created by the stack, never by a function');
  };
  const [appSecret, verifyToken] = await Promise.all([
    secrets.get('metaAppSecret', never),
    secrets.get('metaVerifyToken', never),
  ]);
  return { appSecret, verifyToken };
}

/** SES for the functions the topology lets mail (`sendsMail`); a stand-in that throws elsewhere. */
function awsMailer(env: Env): Mailer {
  const fromAddress = env[envNames.mailFromAddress];
  const configurationSet = env[envNames.mailConfigurationSet];
  return fromAddress && configurationSet
    ? new SesMailer({ fromAddress, configurationSet }, sesHttpTransport(env))
    : unavailable<Mailer>('E-mail');
}

const createdByStack = () => {
  throw new Error('The cursor key is created by the stack, never by a function');
};

/** Everything `createApp` needs for one function: the AWS side of the sandbox's composition. */
export async function awsAppDeps(runtime: AwsRuntime, env: Env = process.env): Promise<AppDeps> {
  const { db, tenantDb, log, secrets, blobs, cipher, incomingQueue, dlq, uploads, events } =
    runtime;
  const { live } = runtime;
  const { rawArchive, replayQueue } = runtime;
  return {
    db,
    tenantDb,
    log,
    events,
    live,
    tokens: lazy(() => TokenService.fromSecrets(secrets)),
    cipher,
    cursorKey: env[envNames.secretArn('cursorKey')]
      ? lazy(async () => Buffer.from(await secrets.get('cursorKey', createdByStack)))
      : () =>
          Promise.reject(new NotGrantedError('The cursor key is not granted (see topology.ts)')),
    incomingQueue,
    rawArchive,
    replayQueue,
    blobs,
    uploads,
    meta: await loadMeta(secrets, env),
    campaignWakeups: runtime.campaignWakeups,
    dlq,
    leads: awsLeadDeps(secrets, env),
    mailer: awsMailer(env),
    webOrigin: () => env[envNames.webOrigin],
    // The platform's identity provider, on the functions the stack configures it for.
    sso: awsSsoDeps(env, new SecretsManagerClient({})),
  };
}

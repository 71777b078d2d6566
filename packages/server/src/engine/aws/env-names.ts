import type { SecretName } from '../ports/secrets';
import type { QueueName } from '../topology';

// Environment variable names shared by the CDK app (which sets them per function) and the Lambda
// composition (which reads them), so the two cannot drift. Handlers never see physical names.

/** `IncomingMessagesQueue` -> `INCOMING_MESSAGES_QUEUE`. */
export function screamingSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export const envNames = {
  functionName: 'SWITCHBOARD_FUNCTION',
  logLevel: 'LOG_LEVEL',
  tableName: 'TABLE_NAME',
  channelTokenKeyId: 'CHANNEL_TOKEN_KEY_ID',
  rawWebhookBucket: 'RAW_WEBHOOK_BUCKET',
  /** The Firehose delivery stream of the raw archive, set for the webhook receiver. */
  rawArchiveStream: 'RAW_ARCHIVE_STREAM',
  assetsBucket: 'ASSETS_BUCKET',
  /** Tenants' attachments (`tenants/<id>/media/…`), set for functions whose topology has `media`. */
  mediaBucket: 'MEDIA_BUCKET',
  assetsCdnDomain: 'ASSETS_CDN_DOMAIN',
  assetsKeyPairId: 'ASSETS_KEY_PAIR_ID',
  tenantDataRoleArn: 'TENANT_DATA_ROLE_ARN',
  eventBusName: 'EVENT_BUS_NAME',
  adminEmail: 'ADMIN_EMAIL',
  webOrigin: 'WEB_ORIGIN',
  /** The API's public base URL with its stage (`https://<id>.execute-api.<region>.amazonaws.com/prod`). */
  publicApiUrl: 'PUBLIC_API_URL',
  /** The verified SES sender (`no-reply@<domain>`) and the configuration set every mail goes through. */
  mailFromAddress: 'MAIL_FROM_ADDRESS',
  mailConfigurationSet: 'MAIL_CONFIGURATION_SET',
  /** Live sockets: the connections table, the `wss://` URL tickets name, the stage's management endpoint. */
  liveConnectionsTable: 'LIVE_CONNECTIONS_TABLE',
  liveSocketUrl: 'LIVE_SOCKET_URL',
  liveManagementEndpoint: 'LIVE_MANAGEMENT_ENDPOINT',
  /**
   * Campaign wake-ups (topology `wakesCampaigns`): the schedule group of the campaigns' one-time
   * schedules and the role Scheduler assumes to send their jobs (with CampaignSendQueue's URL and ARN).
   */
  campaignScheduleGroup: 'CAMPAIGN_SCHEDULE_GROUP',
  campaignSchedulerRoleArn: 'CAMPAIGN_SCHEDULER_ROLE_ARN',
  queueUrl: (queue: QueueName) => `${screamingSnake(queue)}_URL`,
  queueArn: (queue: QueueName) => `${screamingSnake(queue)}_ARN`,
  dlqUrl: (queue: QueueName) => `${screamingSnake(queue)}_DLQ_URL`,
  dlqArn: (queue: QueueName) => `${screamingSnake(queue)}_DLQ_ARN`,
  secretArn: (secret: SecretName) => `SECRET_${screamingSnake(secret)}_ARN`,
} as const;

/**
 * Secrets Manager cannot generate some values (an ES256 JWK set). The stack creates those secrets
 * holding a JSON object with this key; the first function that reads one fills it in (see
 * secrets-manager.ts), exactly once even when cold starts race.
 */
export const pendingSecretKey = 'switchboardPendingInitialisation';

/** Raw webhook bodies live under this key prefix, in their own bucket with a short lifecycle. */
export const rawWebhookPrefix = 'webhooks/raw/';

/** The raw archive as Firehose delivers it: `<prefix>YYYY/MM/DD/<object>/…gz` (archive.construct.ts). */
export const rawArchiveDailyPrefix = `${rawWebhookPrefix}daily/`;
/** Records Firehose could not deliver or partition. */
export const rawArchiveErrorPrefix = `${rawWebhookPrefix}errors/`;
/** Whole bodies of deliveries with an entry sent by reference (the only objects the receiver PUTs). */
export const rawLargeBodyPrefix = `${rawWebhookPrefix}large/`;

/**
 * The stack's recurring schedule that finds lost campaign wake-ups: how often, and the message it
 * puts on CampaignSendQueue (CampaignSender runs the sweep on it; campaign-scheduler.ts).
 */
export const lostWakeupSweep = {
  expression: 'rate(5 minutes)',
  message: { v: 1, sweep: 'lost-wakeups' },
} as const;

/** The prefix of every campaign's one-time schedule: what the functions may create and delete. */
export const campaignSchedulePrefix = 'campaign-';

import { Stack } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { rawLargeBodyPrefix, rawWebhookPrefix } from './server';
import type { CampaignSchedules } from './campaign-schedules.construct';
import type { Data } from './data.construct';
import type { Keys } from './keys.construct';
import type { LiveSockets } from './live.construct';
import type { Mail } from './mail.construct';
import type { Queues } from './queues.construct';
import type { Secrets } from './secrets.construct';
import type { PlatformSso } from './sso.construct';
import { mediaObjects, type Storage } from './storage.construct';
import type { FunctionAccess } from './topology-reader';

// Least-privilege IAM from a function's topology entry. Written out by hand rather than with CDK's
// grant helpers, which add Scan and wildcard KMS actions (`kms:GenerateDataKey*`).

export type PolicyInputs = {
  bus: IEventBus;
  keys: Keys;
  data: Data;
  queues: Queues;
  storage: Storage;
  secrets: Secrets;
  mail: Mail;
  /** The platform's identity provider for single sign-on, when the stack has one. */
  platformSso?: PlatformSso;
  /** The live WebSocket API and its connections table. */
  live: LiveSockets;
  /** The campaigns' schedule group and the role Scheduler assumes for them. */
  campaignSchedules: CampaignSchedules;
};

/** The only purpose a user-bound (not tenant-bound) token-key context may name. */
export const userBoundPurpose = 'totp';

const tableRead = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
];
const tableWrite = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];

/** The encryption context EventBridge binds every event on a CMK-encrypted bus to: the bus ARN. */
export const busEncryptionContext = 'kms:EncryptionContext:aws:events:event-bus:arn';

/** The table actions tenant-scoped credentials may use. Never Scan: it would cross tenants. */
export const tenantTableActions = [...tableRead, ...tableWrite];

export function tableStatements(
  mode: 'read' | 'readwrite',
  inputs: Pick<PolicyInputs, 'data' | 'keys'>,
): PolicyStatement[] {
  const { data, keys } = inputs;
  return [
    new PolicyStatement({
      sid: 'Table',
      actions: mode === 'read' ? tableRead : tenantTableActions,
      resources: [data.table.tableArn, ...data.indexArns],
    }),
    new PolicyStatement({
      sid: 'TableKey',
      actions:
        mode === 'read'
          ? ['kms:Decrypt', 'kms:DescribeKey']
          : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [keys.table.keyArn],
    }),
  ];
}

/**
 * The live sockets: the fan-out lists a tenant's (or a person's) connections, posts to them and
 * deletes the gone or closed ones; the socket's own function writes a connection at $connect and
 * deletes it at $disconnect. ManageConnections only on this API's stage, only the two methods the
 * fan-out calls (POST: PostToConnection, DELETE: DeleteConnection).
 */
export function liveStatements(
  mode: 'fanout' | 'connections',
  inputs: Pick<PolicyInputs, 'live' | 'keys'>,
): PolicyStatement[] {
  const { live, keys } = inputs;
  const statements = [
    new PolicyStatement({
      sid: 'LiveConnections',
      actions:
        mode === 'fanout'
          ? ['dynamodb:Query', 'dynamodb:DeleteItem']
          : ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources:
        mode === 'fanout' ? [live.table.tableArn, ...live.indexArns] : [live.table.tableArn],
    }),
    // The main table's key, as a read-write function of the main table holds it (both modes
    // delete, a write).
    new PolicyStatement({
      sid: 'LiveConnectionsKey',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [keys.table.keyArn],
    }),
  ];
  if (mode === 'fanout') {
    statements.push(
      new PolicyStatement({
        sid: 'LiveManageConnections',
        actions: ['execute-api:ManageConnections'],
        resources: live.connectionArns,
      }),
    );
  }
  return statements;
}

/**
 * Campaign wake-ups: the campaigns' one-time schedules in their group (not the group's recurring
 * sweep), and passing Scheduler its role, to Scheduler only.
 */
export function campaignWakeupStatements(schedules: CampaignSchedules): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: 'CampaignSchedules',
      actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
      resources: [schedules.campaignScheduleArns],
    }),
    new PolicyStatement({
      sid: 'PassCampaignSchedulerRole',
      actions: ['iam:PassRole'],
      resources: [schedules.role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    }),
  ];
}

export function functionStatements(
  access: FunctionAccess,
  inputs: PolicyInputs,
): PolicyStatement[] {
  const { bus, keys, queues, storage, secrets } = inputs;
  const { region } = Stack.of(keys);
  const statements: PolicyStatement[] = [];
  const spec = access.spec;

  if (spec.table !== 'none') statements.push(...tableStatements(spec.table, inputs));

  if (spec.sendsTo.length > 0) {
    statements.push(
      new PolicyStatement({
        sid: 'SendToQueues',
        actions: ['sqs:SendMessage'],
        resources: spec.sendsTo.map((name) => queues.get(name).queue.queueArn),
      }),
      new PolicyStatement({
        sid: 'SendToQueuesKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [keys.messaging.keyArn],
      }),
    );
  }

  if (spec.consumesTableStream) {
    // The stream's on-failure destination: Lambda sends a failed batch's description with the
    // function's role. (The stream itself is granted by the event source mapping.)
    statements.push(
      new PolicyStatement({
        sid: 'StreamFailureQueue',
        actions: ['sqs:SendMessage'],
        resources: [queues.streamConsumerDlq.queueArn],
      }),
      new PolicyStatement({
        sid: 'StreamFailureQueueKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [keys.messaging.keyArn],
      }),
    );
  }

  if (access.secrets.length > 0) {
    const owned = access.secrets.map((name) => secrets.get(name));
    const filled = access.secrets.filter((name) => secrets.filledByApp.has(name));
    statements.push(
      new PolicyStatement({
        sid: 'ReadSecrets',
        actions: ['secretsmanager:GetSecretValue'],
        resources: owned.map((s) => s.secretArn),
      }),
      new PolicyStatement({
        sid: 'SecretsKey',
        actions: filled.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
        resources: [keys.secrets.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
        },
      }),
    );
    if (filled.length > 0) {
      statements.push(
        new PolicyStatement({
          sid: 'FillPendingSecrets',
          actions: ['secretsmanager:PutSecretValue'],
          resources: filled.map((name) => secrets.get(name).secretArn),
        }),
      );
    }
  }

  if (spec.publishesEvents) {
    statements.push(
      new PolicyStatement({
        sid: 'PublishEvents',
        actions: ['events:PutEvents'],
        resources: [bus.eventBusArn],
      }),
      // The bus is encrypted with the events key. Only through EventBridge and only for this bus:
      // the grant cannot decrypt anything else, even another bus's events under the same key.
      new PolicyStatement({
        sid: 'PublishEventsKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [keys.events.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': `events.${region}.amazonaws.com`,
            [busEncryptionContext]: bus.eventBusArn,
          },
        },
      }),
    );
  }

  if (spec.sendsMail) {
    statements.push(
      new PolicyStatement({
        sid: 'SendMail',
        actions: ['ses:SendEmail'],
        // SES authorises a send against the identity and the configuration set it goes through.
        resources: [inputs.mail.identity.emailIdentityArn, inputs.mail.configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': inputs.mail.fromAddress } },
      }),
    );
  }

  if (access.channelTokenKey) {
    statements.push(
      new PolicyStatement({
        sid: 'ChannelTokens',
        actions: ['kms:Encrypt', 'kms:Decrypt'],
        resources: [keys.channelTokens.keyArn],
        // Only with a tenant in the encryption context: a token is always bound to its tenant.
        conditions: { Null: { 'kms:EncryptionContext:tenantId': 'false' } },
      }),
    );
  }

  if (access.userBoundSecrets) {
    // Two-factor secrets are bound to their person, not a tenant: `{ userId, purpose: 'totp' }`.
    // Exactly those two keys, that purpose, and a user id: no other user-bound use of the key.
    statements.push(
      new PolicyStatement({
        sid: 'UserBoundSecrets',
        actions: ['kms:Encrypt', 'kms:Decrypt'],
        resources: [keys.channelTokens.keyArn],
        conditions: {
          StringEquals: { 'kms:EncryptionContext:purpose': userBoundPurpose },
          Null: { 'kms:EncryptionContext:userId': 'false' },
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['userId', 'purpose'] },
        },
      }),
    );
  }

  if (access.platformSso && inputs.platformSso) {
    statements.push(
      new PolicyStatement({
        sid: 'ReadPlatformSsoSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [inputs.platformSso.clientSecret.secretArn],
      }),
    );
    if (access.secrets.length === 0) {
      statements.push(
        new PolicyStatement({
          sid: 'PlatformSsoSecretKey',
          actions: ['kms:Decrypt'],
          resources: [keys.secrets.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
          },
        }),
      );
    }
  }

  const archive = storage.rawWebhooks;
  const archiveObjects = `${archive.bucketArn}/${rawWebhookPrefix}*`;
  if (access.rawArchive === 'write') {
    // Every delivery goes to Firehose (archive.construct.ts grants the stream); the receiver
    // PUTs only the rare whole body of a delivery with an entry sent by reference.
    statements.push(
      new PolicyStatement({
        sid: 'ArchiveLargeBodies',
        actions: ['s3:PutObject'],
        resources: [`${archive.bucketArn}/${rawLargeBodyPrefix}*`],
      }),
      new PolicyStatement({
        sid: 'ArchiveKey',
        actions: ['kms:GenerateDataKey'],
        resources: [keys.messaging.keyArn],
      }),
    );
  }
  if (access.rawArchive === 'read') {
    statements.push(
      new PolicyStatement({
        sid: 'ReadRawWebhooks',
        actions: ['s3:GetObject'],
        resources: [archiveObjects],
      }),
      // With ListBucket a missing key answers 404 rather than 403.
      new PolicyStatement({
        sid: 'ListRawWebhooks',
        actions: ['s3:ListBucket'],
        resources: [archive.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${rawWebhookPrefix}*` } },
      }),
      new PolicyStatement({
        sid: 'ArchiveKey',
        actions: ['kms:Decrypt'],
        resources: [keys.messaging.keyArn],
      }),
    );
  }

  if (access.assets === 'readwrite') {
    statements.push(
      new PolicyStatement({
        sid: 'TenantAssets',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [`${storage.assets.bucketArn}/*`],
      }),
      new PolicyStatement({
        sid: 'ListTenantAssets',
        actions: ['s3:ListBucket'],
        resources: [storage.assets.bucketArn],
      }),
    );
  }

  if (access.media === 'readwrite') {
    statements.push(
      new PolicyStatement({
        sid: 'TenantMedia',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [`${storage.media.bucketArn}/${mediaObjects}`],
      }),
      // With ListBucket a missing attachment answers 404 rather than 403. Not narrowed by
      // s3:prefix (a GetObject request has no prefix to match): the bucket holds only media.
      new PolicyStatement({
        sid: 'ListTenantMedia',
        actions: ['s3:ListBucket'],
        resources: [storage.media.bucketArn],
      }),
      // SSE-KMS under the media key, only through S3: PutObject needs a data key, GetObject (and
      // a multipart upload's completion) decrypts one.
      new PolicyStatement({
        sid: 'TenantMediaKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [keys.media.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
      }),
    );
  }

  if (access.live !== 'none') statements.push(...liveStatements(access.live, inputs));

  if (spec.wakesCampaigns) statements.push(...campaignWakeupStatements(inputs.campaignSchedules));

  if (access.dlqAdmin) {
    const pairs = [...queues.byName.values()];
    statements.push(
      new PolicyStatement({
        sid: 'DlqAdmin',
        actions: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
          'sqs:StartMessageMoveTask',
          'sqs:ListMessageMoveTasks',
          'sqs:CancelMessageMoveTask',
        ],
        resources: pairs.map((p) => p.dlq.queueArn),
      }),
      new PolicyStatement({
        sid: 'DlqRedriveTarget',
        actions: ['sqs:SendMessage'],
        resources: pairs.map((p) => p.queue.queueArn),
      }),
      new PolicyStatement({
        sid: 'DlqKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [keys.messaging.keyArn],
      }),
    );
  }
  return statements;
}

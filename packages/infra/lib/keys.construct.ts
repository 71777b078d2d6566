import { Annotations, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * Customer-managed KMS keys, one per kind of data so a grant on one never opens another. All rotate
 * yearly and are retained when the stack is deleted (data encrypted under them outlives the stack).
 */
export class Keys extends Construct {
  /** SocialCRMTable. */
  readonly table: Key;
  /** Queues, their DLQs, the bus DLQ and the raw webhook archive: messages in flight. */
  readonly messaging: Key;
  /**
   * SwitchboardBus and its archive: lead events carry names, e-mails and phone numbers. Its own
   * key, so EventBridge's grant (scoped to the bus by encryption context) opens nothing else.
   */
  readonly events: Key;
  /**
   * The media bucket: tenants' attachments. Its own key because CloudFront must decrypt with it
   * (the assets distribution serves media through OAC), and that grant should open nothing else.
   */
  readonly media: Key;
  /** Secrets Manager entries. */
  readonly secrets: Key;
  /** Tenants' channel access tokens (app-level encryption, bound to the tenant by context). */
  readonly channelTokens: Key;
  /** Log groups and the alarm topic. */
  readonly ops: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const key = (name: string, description: string) =>
      new Key(this, name, { description: `Switchboard: ${description}`, enableKeyRotation: true });

    this.table = key('TableKey', 'SocialCRMTable');
    this.messaging = key('MessagingKey', 'queues, DLQs and raw webhook archive');
    // The EventBridge statements (bus and archive) are added by the Bus construct.
    this.events = key('EventsKey', 'SwitchboardBus events and their archive');
    this.media = key('MediaKey', 'tenant media (attachments) bucket');
    this.secrets = key('SecretsKey', 'Secrets Manager entries');
    this.channelTokens = key('ChannelTokenKey', 'tenant channel access tokens');
    this.ops = key('OpsKey', 'log groups and alarm notifications');

    const { region, account, partition } = Stack.of(this);
    // CloudWatch Logs encrypts with the key itself, only for this account's log groups.
    this.ops.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsUse',
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt',
          'kms:Decrypt',
          'kms:ReEncryptFrom',
          'kms:ReEncryptTo',
          'kms:GenerateDataKey',
          'kms:GenerateDataKeyWithoutPlaintext',
          'kms:DescribeKey',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms publish to the encrypted alarm topic.
    this.ops.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
    // EventBridge delivers to queues under this key: the rule targets and the bus DLQ. (CDK's
    // SqsQueue target adds a broader statement of its own for the targets.)
    this.messaging.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBridgeToQueues',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );
  }

  /**
   * CloudFront reads the media bucket through OAC, so it must decrypt with the media key. CDK's
   * origin adds that Allow for any distribution of this account: naming the assets distribution
   * in the key policy would make a cycle (key -> distribution -> media bucket -> key). The bucket
   * policy does name it, so no other distribution can read an object. Once the stack exists, the
   * operator pins the key too with `-c assetsDistributionId=<id>` (the AssetsDistributionId
   * output): every other distribution is then denied the key.
   */
  pinMediaDecrypt(assetsDistributionId: string | undefined): void {
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
      'The media bucket policy names the assets distribution; the key is pinned to it with -c assetsDistributionId (see Keys.pinMediaDecrypt).',
    );
    if (!assetsDistributionId) return;
    const { account, partition } = Stack.of(this);
    this.media.addToResourcePolicy(
      new PolicyStatement({
        sid: 'MediaDecryptOnlyByAssetsDistribution',
        effect: Effect.DENY,
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['kms:*'],
        resources: ['*'],
        conditions: {
          StringNotEquals: {
            'AWS:SourceArn': `arn:${partition}:cloudfront::${account}:distribution/${assetsDistributionId}`,
          },
        },
      }),
    );
  }
}

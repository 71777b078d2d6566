import { Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { LogGroup, LogStream } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Functions } from './functions.construct';
import {
  envNames,
  rawArchiveDailyPrefix,
  rawArchiveErrorPrefix,
  rawLargeBodyPrefix,
  rawWebhookPrefix,
} from './server';

const arnOf = (resource: Construct) =>
  `<${Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement)}.Arn>`;

function ack(scope: Construct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
}

/** Firehose's buffer before it writes an object: whichever comes first. */
export const archiveBuffer = { sizeInMBs: 64, intervalInSeconds: 300 };

/**
 * The raw webhook archive's delivery stream: Amazon Data Firehose (Direct PUT, encrypted with the
 * messaging CMK) batching every accepted delivery into GZIP'd newline-delimited objects in the
 * raw-webhook bucket, partitioned by day and by Meta's `object` (dynamic partitioning, a JQ query
 * on the record: `webhooks/raw/daily/YYYY/MM/DD/<object>/`), failures under their own prefix, and
 * delivery errors logged to CloudWatch. One S3 PUT per object instead of one per webhook.
 */
export class RawArchiveStream extends Construct {
  readonly stream: CfnDeliveryStream;
  readonly role: Role;

  constructor(
    scope: Construct,
    id: string,
    props: { bucket: Bucket; key: IKey; logsKey: IKey; logRetentionDays: number },
  ) {
    super(scope, id);
    const { bucket, key } = props;
    const { region } = Stack.of(this);
    const logGroup = new LogGroup(this, 'DeliveryLogs', {
      retention: props.logRetentionDays,
      encryptionKey: props.logsKey,
    });
    const logStream = new LogStream(this, 'S3Delivery', { logGroup });

    this.role = new Role(this, 'DeliveryRole', {
      assumedBy: new ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Firehose writes the raw webhook archive to its bucket',
    });
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ArchiveBucket',
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [bucket.bucketArn],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ArchiveObjects',
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
        resources: [
          `${bucket.bucketArn}/${rawArchiveDailyPrefix}*`,
          `${bucket.bucketArn}/${rawArchiveErrorPrefix}*`,
        ],
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ArchiveKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
          StringLike: {
            'kms:EncryptionContext:aws:s3:arn': `${bucket.bucketArn}/${rawWebhookPrefix}*`,
          },
        },
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'DeliveryLogs',
        actions: ['logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn}:*`],
      }),
    );

    this.stream = new CfnDeliveryStream(this, 'Stream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: {
        keyType: 'CUSTOMER_MANAGED_CMK',
        keyArn: key.keyArn,
      },
      extendedS3DestinationConfiguration: {
        bucketArn: bucket.bucketArn,
        roleArn: this.role.roleArn,
        bufferingHints: archiveBuffer,
        compressionFormat: 'GZIP',
        // Each record is one JSON line already (the writer appends the newline).
        prefix: `${rawArchiveDailyPrefix}!{timestamp:yyyy/MM/dd}/!{partitionKeyFromQuery:object}/`,
        errorOutputPrefix: `${rawArchiveErrorPrefix}!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: key.keyArn } },
        dynamicPartitioningConfiguration: {
          enabled: true,
          retryOptions: { durationInSeconds: Duration.minutes(5).toSeconds() },
        },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'MetadataExtraction',
              parameters: [
                { parameterName: 'MetadataExtractionQuery', parameterValue: '{object:.object}' },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
          ],
        },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
      },
    });
    this.stream.node.addDependency(this.role);
    this.bucket = bucket;

    for (const prefix of [rawArchiveDailyPrefix, rawArchiveErrorPrefix]) {
      ack(
        this.role,
        `IAM5[Resource::${arnOf(bucket)}/${prefix}*]`,
        'Firehose names each object it delivers (time and a random suffix) under this prefix; the role may write only the archive prefixes of the archive bucket.',
      );
    }
    ack(
      this.role,
      `IAM5[Resource::${arnOf(logGroup)}:*]`,
      'Firehose writes its delivery errors to a log stream of this one log group.',
    );
  }

  private readonly bucket: Bucket;

  /** The receivers put records on this stream only; the stream's name is in their environment. */
  connect(functions: Functions): void {
    for (const f of functions.byName.values()) {
      if (f.access.rawArchive !== 'write') continue;
      f.role.addToPolicy(
        new PolicyStatement({
          sid: 'ArchiveToFirehose',
          actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
          resources: [this.stream.attrArn],
        }),
      );
      f.fn.addEnvironment(envNames.rawArchiveStream, this.stream.ref);
      ack(
        f.role,
        `IAM5[Resource::${arnOf(this.bucket)}/${rawLargeBodyPrefix}*]`,
        'The whole body of a delivery with an entry too large for a queue message is keyed by date and content hash under this prefix; the receiver may PUT nothing else in the archive bucket.',
      );
    }
  }
}

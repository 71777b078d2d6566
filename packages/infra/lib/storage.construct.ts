import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  type BucketProps,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The buckets. All block public access, encrypt at rest, refuse plain HTTP, and log access to the
 * log bucket. The raw webhook archive holds message content, so it uses the messaging CMK.
 */
export class Storage extends Construct {
  readonly logs: Bucket;
  readonly web: Bucket;
  readonly assets: Bucket;
  readonly rawWebhooks: Bucket;

  constructor(scope: Construct, id: string, props: { archiveKey: IKey }) {
    super(scope, id);
    const base: BucketProps = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
    };

    this.logs = new Bucket(this, 'AccessLogs', {
      ...base,
      // S3 access-log delivery and CloudFront standard logs only write to SSE-S3 buckets, and
      // CloudFront's log delivery still needs ACLs.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    const logged = (prefix: string): BucketProps => ({
      ...base,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: `s3/${prefix}/`,
    });

    this.web = new Bucket(this, 'Web', {
      ...logged('web'),
      // Served through CloudFront with OAC; SSE-S3 keeps the origin simple (public content).
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });

    this.assets = new Bucket(this, 'TenantAssets', {
      ...logged('assets'),
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
    });

    this.rawWebhooks = new Bucket(this, 'RawWebhookArchive', {
      ...logged('raw-webhooks'),
      encryption: BucketEncryption.KMS,
      encryptionKey: props.archiveKey,
      bucketKeyEnabled: true,
      // Long enough to replay deliveries after a fix; short enough not to hoard message content.
      lifecycleRules: [
        { expiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}

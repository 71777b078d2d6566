import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
  StorageClass,
  type BucketProps,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * Tenants' attachments, as a key pattern: the media bucket holds nothing else, the assets
 * distribution routes these paths to it, and IAM grants them (`tenants/<id>/media/<mediaId>/<file>`,
 * see the server's media-keys.ts).
 */
export const mediaObjects = 'tenants/*/media/*';

/**
 * The buckets. All block public access, encrypt at rest, refuse plain HTTP, and log access to the
 * log bucket. The raw webhook archive holds message content, so it uses the messaging CMK; tenants'
 * attachments are message content too, under their own CMK (CloudFront decrypts them).
 */
export class Storage extends Construct {
  readonly logs: Bucket;
  readonly web: Bucket;
  readonly assets: Bucket;
  readonly rawWebhooks: Bucket;
  /** `tenants/<tenantId>/media/<mediaId>/<file>`: inbound attachments and outbound uploads. */
  readonly media: Bucket;

  constructor(
    scope: Construct,
    id: string,
    props: { archiveKey: IKey; mediaKey: IKey; mediaExpirationDays?: number },
  ) {
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

    this.media = new Bucket(this, 'Media', {
      ...logged('media'),
      encryption: BucketEncryption.KMS,
      encryptionKey: props.mediaKey,
      // One data key per bucket rather than per object: far fewer KMS calls from the fetcher and
      // from CloudFront reading through OAC.
      bucketKeyEnabled: true,
      // Not versioned: a key names one attachment (`<mediaId>/<file>`) and is written once; a
      // retried fetch rewrites the same bytes, which a version would only keep twice.
      lifecycleRules: [
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        {
          id: 'Tiering',
          // Agents look at recent conversations; after two months an attachment is rarely opened,
          // and Standard-IA halves the storage price (retrieval is billed per GB, still
          // milliseconds). After a year, Glacier Instant Retrieval: cheaper again and still served
          // at once, so an old thread's images load through the same signed URL. Objects under
          // 128 KB stay in Standard (S3's default minimum for transitions): tiering them costs more.
          transitions: [
            { storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(60) },
            {
              storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
              transitionAfter: Duration.days(365),
            },
          ],
        },
        // No expiry by default: a tenant's messages are kept and keep pointing at their media, so
        // an expired object would break old threads. An operator with a retention policy sets
        // `-c mediaExpirationDays=N`; past N days an old message's attachment no longer loads.
        ...(props.mediaExpirationDays
          ? [{ id: 'Retention', expiration: Duration.days(props.mediaExpirationDays) }]
          : []),
      ],
    });
  }

  /**
   * Direct uploads (`POST /media/uploads`): the browser PUTs a file to an S3 presigned URL on this
   * bucket, cross-origin from the web app. Only that origin (the web distribution's own domain: the
   * bucket is not one of its origins, so the reference makes no cycle), only PUT, only the signed
   * `content-type` header. The presigned URL stays the authorisation; CORS only lets the browser
   * send it and read the answer.
   */
  allowDirectUploads(webOrigin: string): void {
    this.media.addCorsRule({
      id: 'DirectUploads',
      allowedOrigins: [webOrigin],
      allowedMethods: [HttpMethods.PUT],
      allowedHeaders: ['content-type'],
      exposedHeaders: ['etag'],
      maxAge: 3600,
    });
  }
}

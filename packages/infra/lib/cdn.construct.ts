import { Duration } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  KeyGroup,
  PublicKey,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  ViewerProtocolPolicy,
  type ResponseSecurityHeadersBehavior,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { mediaObjects, type Storage } from './storage.construct';

/**
 * Published form configs (`current.json`, `v<n>.<rev>.json`) and their logo copies, in the assets
 * bucket: public, unsigned, read by any landing page (the embed script) and the hosted form.
 */
export const formConfigObjects = 'public/forms/*';

/** Nothing served from the form config path can run, frame or be sniffed into something else. */
export const formConfigContentSecurityPolicy =
  "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox";

export type CdnProps = {
  storage: Storage;
  webAcl: CfnWebACL;
  /** The API's origin, the one place the web app may call besides itself. */
  apiOrigin: string;
  /** The live WebSocket API's `wss://` origin (connect-src too). */
  liveOrigin?: string;
  /** PEM of the key that signs tenant asset URLs (the private half stays with the operator). */
  assetsSigningPublicKeyPem: string;
};

/** The web app's Content-Security-Policy: nothing loads from anywhere but here and the API. */
export function webContentSecurityPolicy(apiOrigin: string, liveOrigin?: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    // Attachments come from the assets distribution (signed URLs); blob: shows a pasted file
    // before it is uploaded.
    "img-src 'self' data: blob: https:",
    "media-src 'self' blob: https:",
    `connect-src 'self' ${apiOrigin}${liveOrigin ? ` ${liveOrigin}` : ''}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * Tenants' attachments: an image or a video may be shown and played, nothing may run. `sandbox`
 * gives a document opened in a tab a unique origin with scripts, forms and plugins off, so a file
 * that a browser would render as HTML or SVG can never act as this origin.
 */
export const mediaContentSecurityPolicy =
  "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox";

function securityHeaders(csp: string): ResponseSecurityHeadersBehavior {
  return {
    contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
    strictTransportSecurity: {
      accessControlMaxAge: Duration.days(730),
      includeSubdomains: true,
      override: true,
    },
    contentTypeOptions: { override: true },
    frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
    referrerPolicy: {
      referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
      override: true,
    },
  };
}

/**
 * Two distributions behind the CLOUDFRONT-scope WAF, both reading private buckets through Origin
 * Access Control: the web app (strict CSP, SPA routing) and tenant assets (signed URLs only). The
 * assets distribution also serves tenants' attachments from the media bucket (`tenants/<id>/media/…`)
 * with the same key group, so one signer and one URL shape serve both.
 */
export class Cdn extends Construct {
  readonly web: Distribution;
  readonly assets: Distribution;
  readonly assetsPublicKey: PublicKey;
  readonly webHeaders: ResponseHeadersPolicy;
  readonly mediaHeaders: ResponseHeadersPolicy;
  readonly formConfigHeaders: ResponseHeadersPolicy;
  readonly formConfigCache: CachePolicy;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    const { storage } = props;
    const common = {
      webAclId: props.webAcl.attrArn,
      enableLogging: true,
      logBucket: storage.logs,
      httpVersion: HttpVersion.HTTP2_AND_3,
    };
    // One signing identity (SigV4 on every origin request) for the three private buckets: each
    // bucket policy names the distribution allowed to read it, so sharing it opens nothing.
    const oac = new S3OriginAccessControl(this, 'BucketsOac', {
      description: 'Switchboard: CloudFront reads the private buckets',
    });
    const privateBucket = (bucket: Storage['web']) =>
      S3BucketOrigin.withOriginAccessControl(bucket, { originAccessControl: oac });

    this.assetsPublicKey = new PublicKey(this, 'AssetsSigningKey', {
      comment: 'Verifies signed URLs for tenant assets',
      encodedKey: props.assetsSigningPublicKeyPem,
    });
    const keyGroup = new KeyGroup(this, 'AssetsKeyGroup', {
      comment: 'Signers of tenant asset URLs',
      items: [this.assetsPublicKey],
    });
    // The S3 object's own Content-Type and Content-Disposition (set at upload: documents are
    // attachments) pass through; these add what the object cannot say itself.
    this.mediaHeaders = new ResponseHeadersPolicy(this, 'MediaHeaders', {
      comment: 'Switchboard tenant media: shown or played, never run, framed or sniffed',
      securityHeadersBehavior: securityHeaders(mediaContentSecurityPolicy),
    });
    // Form configs: CORS for any page (public files, no credentials), GET and HEAD only.
    this.formConfigHeaders = new ResponseHeadersPolicy(this, 'FormConfigHeaders', {
      comment: 'Switchboard published form configs: public, CORS for any origin, inert',
      corsBehavior: {
        accessControlAllowOrigins: ['*'],
        accessControlAllowMethods: ['GET', 'HEAD'],
        accessControlAllowHeaders: ['*'],
        accessControlAllowCredentials: false,
        accessControlMaxAge: Duration.days(1),
        originOverride: true,
      },
      securityHeadersBehavior: securityHeaders(formConfigContentSecurityPolicy),
    });
    // The object's own Cache-Control rules (a minute for current.json, a year for the immutable
    // versions); 60 s for anything stored without one. No cookies, headers or query in the key.
    this.formConfigCache = new CachePolicy(this, 'FormConfigCache', {
      comment: 'Switchboard published form configs: the object Cache-Control decides',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(60),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    // One origin for the bucket, shared by the signed default and the public form configs.
    const assetsOrigin = privateBucket(storage.assets);
    // Unsigned: landing pages anywhere (the embed script) read these; the web distribution serves
    // the same behavior so the hosted form page reads them from its own origin (its CSP's
    // connect-src cannot name the assets distribution: media bucket CORS -> web -> assets -> media).
    const formConfigBehavior = {
      origin: assetsOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: CachedMethods.CACHE_GET_HEAD,
      cachePolicy: this.formConfigCache,
      responseHeadersPolicy: this.formConfigHeaders,
      compress: true,
    };
    const signedOnly = {
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      // The signature's query string is not part of the cache key: CloudFront checks it first.
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      trustedKeyGroups: [keyGroup],
    };
    this.assets = new Distribution(this, 'Assets', {
      ...common,
      comment: 'Switchboard tenant assets (signed URLs)',
      logFilePrefix: 'cloudfront/assets/',
      defaultBehavior: {
        ...signedOnly,
        origin: assetsOrigin,
        responseHeadersPolicy: new ResponseHeadersPolicy(this, 'AssetHeaders', {
          comment: 'Switchboard tenant assets: inert content, never framed or sniffed',
          securityHeadersBehavior: securityHeaders("default-src 'none'; sandbox"),
        }),
      },
      additionalBehaviors: {
        // The media bucket is KMS-encrypted: CDK adds CloudFront's kms:Decrypt to its key policy
        // (see Keys.pinMediaDecrypt for why the statement cannot name this distribution).
        [mediaObjects]: {
          ...signedOnly,
          origin: privateBucket(storage.media),
          responseHeadersPolicy: this.mediaHeaders,
        },
        [formConfigObjects]: formConfigBehavior,
      },
    });

    this.webHeaders = new ResponseHeadersPolicy(this, 'WebHeaders', {
      comment: 'Switchboard web app: strict CSP, HSTS, nosniff, no framing',
      securityHeadersBehavior: securityHeaders(
        webContentSecurityPolicy(props.apiOrigin, props.liveOrigin),
      ),
    });
    this.web = new Distribution(this, 'Web', {
      ...common,
      comment: 'Switchboard web app',
      logFilePrefix: 'cloudfront/web/',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: privateBucket(storage.web),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.webHeaders,
        compress: true,
      },
      additionalBehaviors: { [formConfigObjects]: formConfigBehavior },
      // SPA routing: a deep link the bucket does not hold (403 through OAC) gets the app shell.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
    });
  }
}

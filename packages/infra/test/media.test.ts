import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { formConfigObjects, mediaContentSecurityPolicy } from '../lib/cdn.construct';
import { functions, queues, type FunctionName } from '../lib/server';
import { mediaObjects } from '../lib/storage.construct';
import type { SwitchboardStack } from '../lib/switchboard-stack';
import {
  asArray,
  flatten,
  identityStatements,
  propsOf,
  referencedIds,
  resourcesOf,
  statementsOfRole,
  type CfnTemplate,
} from './cfn';
import { synthStack } from './synth';

// Tenants' attachments on AWS: the media bucket, its key, its CloudFront behavior, MediaQueue and
// MediaFetcher, and who may touch an attachment. Bundling is skipped (stack.test.ts bundles every
// function, MediaFetcher included).

const synth = synthStack;

let stack: SwitchboardStack;
let template: CfnTemplate;
beforeAll(() => {
  ({ stack, template } = synth());
}, 120_000);

const idIn = (s: SwitchboardStack, element: { node: { defaultChild?: unknown } }) =>
  s.getLogicalId(element.node.defaultChild as CfnElement);
const id = (element: { node: { defaultChild?: unknown } }) => idIn(stack, element);

/** The identity statements of one function's role. */
function statementsOf(name: FunctionName): any[] {
  // Inline and attached: a large role's statements overflow into managed policies.
  return statementsOfRole(template, id(stack.functions.get(name).role));
}

const envOf = (name: FunctionName): Record<string, unknown> =>
  propsOf(template.Resources[id(stack.functions.get(name).fn)]!).Environment.Variables;

const allFunctionNames = Object.keys(functions) as FunctionName[];

describe('the media bucket', () => {
  it('is encrypted with its own customer managed key (rotated), with an S3 bucket key', () => {
    const props = propsOf(template.Resources[id(stack.storage.media)]!);
    const [rule] = props.BucketEncryption.ServerSideEncryptionConfiguration;
    expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(referencedIds(rule.ServerSideEncryptionByDefault.KMSMasterKeyID)).toEqual(
      new Set([id(stack.keys.media)]),
    );
    expect(rule.BucketKeyEnabled).toBe(true);
    const key = propsOf(template.Resources[id(stack.keys.media)]!);
    expect(key.EnableKeyRotation).toBe(true);
    // Its own key: no other bucket, queue or table is encrypted with it.
    const users = Object.entries(template.Resources).filter(
      ([rid, r]) =>
        rid !== id(stack.storage.media) &&
        !r.Type.startsWith('AWS::IAM::') &&
        referencedIds(r.Properties).has(id(stack.keys.media)),
    );
    expect(users.map(([rid]) => rid)).toEqual([]);
  });

  it('blocks all public access, refuses plain HTTP and logs access', () => {
    const mediaId = id(stack.storage.media);
    const props = propsOf(template.Resources[mediaId]!);
    expect(props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(referencedIds(props.LoggingConfiguration.DestinationBucketName)).toEqual(
      new Set([id(stack.storage.logs)]),
    );
    const policy = resourcesOf(template, 'AWS::S3::BucketPolicy')
      .map(([, r]) => propsOf(r))
      .find((p) => referencedIds(p.Bucket).has(mediaId));
    expect(
      policy?.PolicyDocument.Statement.some(
        (s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      ),
    ).toBe(true);
  });

  it('aborts stale multipart uploads, tiers old media, and keeps it unless told otherwise', () => {
    const rules = propsOf(template.Resources[id(stack.storage.media)]!).LifecycleConfiguration
      .Rules as any[];
    expect(rules.every((r) => r.Status === 'Enabled')).toBe(true);
    expect(rules.some((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation === 1)).toBe(
      true,
    );
    const transitions = rules.flatMap((r) => r.Transitions ?? []);
    expect(transitions).toContainEqual({ StorageClass: 'STANDARD_IA', TransitionInDays: 60 });
    expect(transitions).toContainEqual({ StorageClass: 'GLACIER_IR', TransitionInDays: 365 });
    // Messages keep pointing at their media: nothing expires by default.
    expect(rules.filter((r) => r.ExpirationInDays !== undefined)).toEqual([]);

    const retained = synth({ mediaExpirationDays: '730' });
    const retainedRules = propsOf(
      retained.template.Resources[idIn(retained.stack, retained.stack.storage.media)]!,
    ).LifecycleConfiguration.Rules as any[];
    expect(retainedRules.map((r) => r.ExpirationInDays).filter(Boolean)).toEqual([730]);
  }, 120_000);
});

describe('direct uploads to the media bucket', () => {
  it('lets the web app’s origin PUT (presigned) with only the content-type header, nothing else', () => {
    const props = propsOf(template.Resources[id(stack.storage.media)]!);
    const rules = props.CorsConfiguration.CorsRules as any[];
    expect(rules).toHaveLength(1);
    const [rule] = rules;
    expect(rule.AllowedMethods).toEqual(['PUT']);
    expect(rule.AllowedHeaders).toEqual(['content-type']);
    expect(rule.AllowedOrigins).toHaveLength(1);
    // The web distribution's own domain, never a wildcard.
    expect(rule.AllowedOrigins[0]).not.toBe('*');
    expect(referencedIds(rule.AllowedOrigins[0])).toEqual(new Set([id(stack.cdn.web)]));
  });
});

describe('signed delivery of media through the assets distribution', () => {
  const distribution = () => propsOf(template.Resources[id(stack.cdn.assets)]!).DistributionConfig;
  const mediaBehavior = () =>
    (distribution().CacheBehaviors as any[]).find((b) => b.PathPattern === mediaObjects);

  it('routes tenants/*/media/* to the media bucket through Origin Access Control', () => {
    const behavior = mediaBehavior();
    expect(behavior).toBeDefined();
    const origin = (distribution().Origins as any[]).find((o) => o.Id === behavior.TargetOriginId);
    expect(referencedIds(origin.DomainName)).toEqual(new Set([id(stack.storage.media)]));
    expect(referencedIds(origin.OriginAccessControlId).size).toBe(1);
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    const [oacId] = referencedIds(origin.OriginAccessControlId);
    const oac = propsOf(template.Resources[oacId!]!).OriginAccessControlConfig;
    expect(oac).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
  });

  it('requires a URL signed by the assets key group, over HTTPS, for GET and HEAD only', () => {
    const behavior = mediaBehavior();
    expect(behavior.TrustedKeyGroups).toEqual(distribution().DefaultCacheBehavior.TrustedKeyGroups);
    expect(behavior.TrustedKeyGroups).toHaveLength(1);
    expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    // Every behavior of the distribution is signed-only but the public form configs
    // (form-config.test.ts): no other path reaches a bucket unsigned.
    for (const b of [distribution().DefaultCacheBehavior, ...distribution().CacheBehaviors].filter(
      (x) => x.PathPattern !== formConfigObjects,
    )) {
      expect(b.TrustedKeyGroups, b.PathPattern ?? 'default').toHaveLength(1);
    }
  });

  it('answers media with nosniff, a sandboxing CSP and no framing', () => {
    const behavior = mediaBehavior();
    expect(referencedIds(behavior.ResponseHeadersPolicyId)).toEqual(
      new Set([id(stack.cdn.mediaHeaders)]),
    );
    const headers = propsOf(template.Resources[id(stack.cdn.mediaHeaders)]!)
      .ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.ContentSecurityPolicy).toEqual({
      ContentSecurityPolicy: mediaContentSecurityPolicy,
      Override: true,
    });
    expect(mediaContentSecurityPolicy).toBe(
      "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox",
    );
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
  });

  it('lets only the assets distribution read the media bucket, and CloudFront only decrypt', () => {
    const mediaId = id(stack.storage.media);
    const policy = resourcesOf(template, 'AWS::S3::BucketPolicy')
      .map(([, r]) => propsOf(r))
      .find((p) => referencedIds(p.Bucket).has(mediaId))!;
    const allows = (policy.PolicyDocument.Statement as any[]).filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0].Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allows[0].Action).toBe('s3:GetObject');
    expect(flatten(allows[0].Condition.StringEquals['AWS:SourceArn'])).toBe(
      `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${id(stack.cdn.assets)}}`,
    );

    const keyPolicy = propsOf(template.Resources[id(stack.keys.media)]!).KeyPolicy;
    const cloudfront = (keyPolicy.Statement as any[]).filter(
      (s) => s.Principal?.Service === 'cloudfront.amazonaws.com',
    );
    expect(cloudfront).toHaveLength(1);
    expect(cloudfront[0].Action).toBe('kms:Decrypt');
    // This account's distributions (naming the distribution here would be a dependency cycle).
    expect(flatten(cloudfront[0].Condition.ArnLike['AWS:SourceArn'])).toBe(
      'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*',
    );
  });

  it('pins the media key to the deployed assets distribution with -c assetsDistributionId', () => {
    const pinned = synth({ assetsDistributionId: 'E2QWRUHAPOMQZL' });
    const keyPolicy = propsOf(
      pinned.template.Resources[idIn(pinned.stack, pinned.stack.keys.media)]!,
    ).KeyPolicy;
    const deny = (keyPolicy.Statement as any[]).find((s) => s.Effect === 'Deny');
    expect(deny.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(flatten(deny.Condition.StringNotEquals['AWS:SourceArn'])).toBe(
      'arn:aws:cloudfront::${AWS::AccountId}:distribution/E2QWRUHAPOMQZL',
    );
    expect(() => synth({ assetsDistributionId: 'not an id' })).toThrow(/distribution id/);
  }, 120_000);
});

describe('MediaQueue and MediaFetcher', () => {
  it('gives MediaQueue a KMS-encrypted DLQ with the topology redrive count, alarmed', () => {
    const pair = stack.queues.get('MediaQueue');
    const props = propsOf(template.Resources[id(pair.queue)]!);
    expect(props.RedrivePolicy.maxReceiveCount).toBe(queues.MediaQueue.maxReceiveCount);
    expect(referencedIds(props.RedrivePolicy.deadLetterTargetArn)).toEqual(new Set([id(pair.dlq)]));
    expect(props.VisibilityTimeout).toBe(queues.MediaQueue.visibilityTimeoutSeconds);
    expect(referencedIds(props.KmsMasterKeyId)).toEqual(new Set([id(stack.keys.messaging)]));
    expect(referencedIds(propsOf(template.Resources[id(pair.dlq)]!).KmsMasterKeyId)).toEqual(
      new Set([id(stack.keys.messaging)]),
    );
    const alarmed = resourcesOf(template, 'AWS::CloudWatch::Alarm').some(
      ([, a]) =>
        propsOf(a).MetricName === 'ApproximateNumberOfMessagesVisible' &&
        referencedIds(propsOf(a).Dimensions).has(id(pair.dlq)),
    );
    expect(alarmed).toBe(true);
  });

  it('drains MediaQueue into MediaFetcher with ReportBatchItemFailures, within its concurrency', () => {
    const queueId = id(stack.queues.get('MediaQueue').queue);
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping')
      .map(([, r]) => propsOf(r))
      .filter((m) => referencedIds(m.EventSourceArn).has(queueId));
    expect(mappings).toHaveLength(1);
    const [mapping] = mappings;
    expect(mapping!.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mapping!.BatchSize).toBe(queues.MediaQueue.batchSize);
    expect(mapping!.ScalingConfig).toEqual({
      MaximumConcurrency: functions.MediaFetcher.reservedConcurrency,
    });
    expect(referencedIds(mapping!.FunctionName)).toEqual(
      new Set([id(stack.functions.get('MediaFetcher').fn)]),
    );
  });

  it('runs MediaFetcher as the topology declares it, alarmed on errors and throttles', () => {
    const fn = stack.functions.get('MediaFetcher').fn;
    const props = propsOf(template.Resources[id(fn)]!);
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.MemorySize).toBe(1024);
    expect(props.Timeout).toBe(functions.MediaFetcher.timeoutSeconds);
    expect(props.ReservedConcurrentExecutions).toBe(10);
    const metrics = resourcesOf(template, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => propsOf(a))
      .filter((a) => referencedIds(a.Dimensions).has(id(fn)))
      .map((a) => a.MetricName)
      .sort();
    expect(metrics).toEqual(['Errors', 'Throttles']);
  });
});

describe('who may touch an attachment', () => {
  const touchesMedia = (s: any) =>
    referencedIds(s.Resource).has(id(stack.storage.media)) ||
    referencedIds(s.Resource).has(id(stack.keys.media));

  it('lets only MediaFetcher and Api read and write media objects, under the media pattern', () => {
    const mediaId = id(stack.storage.media);
    const writers = allFunctionNames.filter((name) =>
      statementsOf(name).some(
        (s) => referencedIds(s.Resource).has(mediaId) && asArray(s.Action).includes('s3:PutObject'),
      ),
    );
    expect(writers.sort()).toEqual(['Api', 'MediaFetcher']);
    for (const name of writers) {
      const objects = statementsOf(name).filter(
        (s) => referencedIds(s.Resource).has(mediaId) && s.Sid === 'TenantMedia',
      );
      expect(objects).toHaveLength(1);
      expect(asArray(objects[0].Action).sort()).toEqual(['s3:GetObject', 's3:PutObject']);
      expect(flatten(objects[0].Resource)).toBe(`\${${mediaId}.Arn}/${mediaObjects}`);
      const key = statementsOf(name).find((s) => s.Sid === 'TenantMediaKey');
      expect(asArray(key.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(key.Condition.StringEquals['kms:ViaService']).toBe(`s3.${stack.region}.amazonaws.com`);
      expect('MEDIA_BUCKET' in envOf(name)).toBe(true);
    }
    // Nor does any other identity in the stack (the tenant role included).
    const owners = new Set(
      identityStatements(template)
        .filter((s) => touchesMedia(s.statement))
        .map((s) => s.owner),
    );
    const allowed = new Set(
      (['Api', 'MediaFetcher'] as const).flatMap((name) => {
        const roleId = id(stack.functions.get(name).role);
        return resourcesOf(template, 'AWS::IAM::Policy')
          .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
          .map(([pid]) => pid);
      }),
    );
    expect([...owners].filter((o) => !allowed.has(o))).toEqual([]);
  });

  it('gives MessageProcessor and WebhookReceiver no access to media, and no media bucket', () => {
    for (const name of ['MessageProcessor', 'WebhookReceiver'] as const) {
      expect(statementsOf(name).filter(touchesMedia), name).toEqual([]);
      expect('MEDIA_BUCKET' in envOf(name), name).toBe(false);
    }
  });

  it('lets MessageProcessor send to MediaQueue, and tells it the queue URL', () => {
    const queueId = id(stack.queues.get('MediaQueue').queue);
    const sends = statementsOf('MessageProcessor').filter((s) =>
      asArray(s.Action).includes('sqs:SendMessage'),
    );
    expect(sends.some((s) => referencedIds(s.Resource).has(queueId))).toBe(true);
    expect(referencedIds(envOf('MessageProcessor').MEDIA_QUEUE_URL)).toEqual(new Set([queueId]));
    // The only senders to MediaQueue: MessageProcessor, and Api's DLQ redrive.
    const senders = allFunctionNames.filter((name) =>
      statementsOf(name).some(
        (s) =>
          asArray(s.Action).includes('sqs:SendMessage') && referencedIds(s.Resource).has(queueId),
      ),
    );
    expect(senders.sort()).toEqual(['Api', 'MessageProcessor']);
  });
});

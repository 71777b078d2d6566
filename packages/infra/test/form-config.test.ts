import { beforeAll, describe, expect, it } from 'vitest';
import { formConfigContentSecurityPolicy, formConfigObjects } from '../lib/cdn.construct';
import { mediaObjects } from '../lib/storage.construct';
import type { SwitchboardStack } from '../lib/switchboard-stack';
import { propsOf, referencedIds, resourcesOf, type CfnTemplate } from './cfn';
import { synthStack, type Synthesized } from './synth';

// Published form configs on AWS: the assets distribution's unsigned `public/forms/*` behavior
// reading the assets bucket through Origin Access Control, GET and HEAD only, CORS for any landing
// page, the object's Cache-Control honoured, the CloudFront WAF in front; the web app's CSP lets
// the hosted form fetch them; the functions learn the distribution's domain.

let stack: SwitchboardStack;
let template: CfnTemplate;
let id: Synthesized['id'];
beforeAll(() => {
  ({ stack, template, id } = synthStack());
}, 120_000);

const assets = () => propsOf(template.Resources[id(stack.cdn.assets)]!).DistributionConfig;
const behavior = () =>
  (assets().CacheBehaviors as any[]).find((b) => b.PathPattern === formConfigObjects);

describe('the CDN behavior for published form configs', () => {
  it('serves public/forms/* from the assets bucket through Origin Access Control', () => {
    expect(formConfigObjects).toBe('public/forms/*');
    const b = behavior();
    expect(b).toBeDefined();
    const origin = (assets().Origins as any[]).find((o) => o.Id === b.TargetOriginId);
    expect(referencedIds(origin.DomainName)).toEqual(new Set([id(stack.storage.assets)]));
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    const [oacId] = referencedIds(origin.OriginAccessControlId);
    expect(propsOf(template.Resources[oacId!]!).OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    // The same origin as the signed default behavior: one bucket, one origin.
    expect(b.TargetOriginId).toBe(assets().DefaultCacheBehavior.TargetOriginId);
  });

  it('is unsigned, HTTPS only, GET and HEAD only; every other behavior stays signed', () => {
    const b = behavior();
    expect(b.TrustedKeyGroups).toBeUndefined();
    expect(b.TrustedSigners).toBeUndefined();
    expect(b.ViewerProtocolPolicy).toBe('https-only');
    expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(b.CachedMethods).toEqual(['GET', 'HEAD']);
    const unsigned = [assets().DefaultCacheBehavior, ...assets().CacheBehaviors]
      .filter((x: any) => !x.TrustedKeyGroups?.length)
      .map((x: any) => x.PathPattern);
    expect(unsigned).toEqual([formConfigObjects]);
    const media = (assets().CacheBehaviors as any[]).find((x) => x.PathPattern === mediaObjects);
    expect(media.TrustedKeyGroups).toHaveLength(1);
  });

  it('answers with CORS for any origin (GET/HEAD, no credentials), nosniff and an inert CSP', () => {
    expect(referencedIds(behavior().ResponseHeadersPolicyId)).toEqual(
      new Set([id(stack.cdn.formConfigHeaders)]),
    );
    const config = propsOf(
      template.Resources[id(stack.cdn.formConfigHeaders)]!,
    ).ResponseHeadersPolicyConfig;
    expect(config.CorsConfig).toMatchObject({
      AccessControlAllowOrigins: { Items: ['*'] },
      AccessControlAllowMethods: { Items: ['GET', 'HEAD'] },
      AccessControlAllowCredentials: false,
      OriginOverride: true,
    });
    const security = config.SecurityHeadersConfig;
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(security.ContentSecurityPolicy).toEqual({
      ContentSecurityPolicy: formConfigContentSecurityPolicy,
      Override: true,
    });
    expect(formConfigContentSecurityPolicy).toContain('sandbox');
    expect(security.FrameOptions.FrameOption).toBe('DENY');
  });

  it("honours the object's Cache-Control: no minimum, a year at most, no cookies or query", () => {
    expect(referencedIds(behavior().CachePolicyId)).toEqual(
      new Set([id(stack.cdn.formConfigCache)]),
    );
    const policy = propsOf(template.Resources[id(stack.cdn.formConfigCache)]!).CachePolicyConfig;
    expect(policy.MinTTL).toBe(0);
    expect(policy.DefaultTTL).toBe(60);
    expect(policy.MaxTTL).toBe(365 * 24 * 3600);
    const key = policy.ParametersInCacheKeyAndForwardedToOrigin;
    expect(key.CookiesConfig.CookieBehavior).toBe('none');
    expect(key.QueryStringsConfig.QueryStringBehavior).toBe('none');
    expect(key.HeadersConfig.HeaderBehavior).toBe('none');
  });

  it('sits behind the CloudFront WAF that fronts the distribution', () => {
    expect(referencedIds(assets().WebACLId)).toEqual(
      new Set([stack.getLogicalId(stack.webAcls.cdn)]),
    );
  });

  it('lets the two distributions read the assets bucket, and nothing else', () => {
    const bucketId = id(stack.storage.assets);
    const policy = resourcesOf(template, 'AWS::S3::BucketPolicy')
      .map(([, r]) => propsOf(r))
      .find((p) => referencedIds(p.Bucket).has(bucketId))!;
    const allows = (policy.PolicyDocument.Statement as any[]).filter((s) => s.Effect === 'Allow');
    const readers = allows.map((a) => {
      expect(a.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(a.Action).toBe('s3:GetObject');
      return [...referencedIds(a.Condition.StringEquals['AWS:SourceArn'])].filter(
        (ref) => !ref.startsWith('AWS::'),
      );
    });
    expect(readers.flat().sort()).toEqual([id(stack.cdn.assets), id(stack.cdn.web)].sort());
  });
});

describe('who learns where the configs are', () => {
  it('serves the same behavior on the web distribution, for the hosted page on its own origin', () => {
    const web = propsOf(template.Resources[id(stack.cdn.web)]!).DistributionConfig;
    const b = (web.CacheBehaviors as any[]).find((x) => x.PathPattern === formConfigObjects);
    expect(b).toBeDefined();
    const origin = (web.Origins as any[]).find((o) => o.Id === b.TargetOriginId);
    expect(referencedIds(origin.DomainName)).toEqual(new Set([id(stack.storage.assets)]));
    expect(referencedIds(origin.OriginAccessControlId).size).toBe(1);
    expect(b.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(referencedIds(b.ResponseHeadersPolicyId)).toEqual(
      new Set([id(stack.cdn.formConfigHeaders)]),
    );
    expect(referencedIds(b.CachePolicyId)).toEqual(new Set([id(stack.cdn.formConfigCache)]));
    expect(referencedIds(web.WebACLId)).toEqual(new Set([stack.getLogicalId(stack.webAcls.cdn)]));
  });

  it('gives the functions that publish forms and serve the embed script its domain', () => {
    for (const name of ['Api', 'LeadIngest'] as const) {
      const fn = propsOf(template.Resources[id(stack.functions.get(name).fn)]!);
      const domain = fn.Environment.Variables.ASSETS_CDN_DOMAIN;
      expect(referencedIds(domain), name).toEqual(new Set([id(stack.cdn.assets)]));
    }
  });
});

import { readFileSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../lib/build-app';
import { functions, queues, routes, table } from '../lib/server';
import type { SwitchboardStack } from '../lib/switchboard-stack';
import { tenantLeadingKeys } from '../lib/tenant-role.construct';
import {
  asArray,
  flatten,
  identityStatements,
  propsOf,
  referencedIds,
  resourcesOf,
  type CfnTemplate,
} from './cfn';

// One synthesis (with real esbuild bundling of every function) shared by every assertion.
let stack: SwitchboardStack;
let template: CfnTemplate;

const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

beforeAll(() => {
  const app = new App({ context: cdkJson.context });
  stack = buildApp(app);
  template = Template.fromStack(stack).toJSON() as CfnTemplate;
}, 120_000);

const logicalId = (element: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(element.node.defaultChild as CfnElement);

/** API Gateway resource logical id -> its full path, walking ParentId up to the root. */
function resourcePaths(): Map<string, string> {
  const parts = new Map(
    resourcesOf(template, 'AWS::ApiGateway::Resource').map(([id, r]) => [
      id,
      { part: propsOf(r).PathPart as string, parent: propsOf(r).ParentId as unknown },
    ]),
  );
  const pathOf = (id: string): string => {
    const node = parts.get(id);
    if (!node) throw new Error(`no resource ${id}`);
    const parentRef = (node.parent as { Ref?: string }).Ref;
    const prefix = parentRef && parts.has(parentRef) ? pathOf(parentRef) : '';
    return `${prefix}/${node.part}`;
  };
  return new Map([...parts.keys()].map((id) => [id, pathOf(id)]));
}

describe('routes', () => {
  it('wires every route to the function that serves it (method, path, Lambda proxy)', () => {
    const paths = resourcePaths();
    const methods = resourcesOf(template, 'AWS::ApiGateway::Method').map(([, r]) => propsOf(r));
    for (const route of routes) {
      const resourceId = [...paths].find(([, path]) => path === route.path)?.[0];
      expect(resourceId, `resource for ${route.path}`).toBeDefined();
      const method = methods.find(
        (m) => m.HttpMethod === route.method && m.ResourceId?.Ref === resourceId,
      );
      expect(method, `${route.method} ${route.path}`).toBeDefined();
      expect(method?.Integration?.Type).toBe('AWS_PROXY');
      const expected = logicalId(stack.functions.get(route.function).fn);
      const targets = [...referencedIds(method?.Integration?.Uri)];
      expect(targets, `${route.id} -> ${route.function}`).toEqual([expected]);
    }
  });

  it('has no method that is not in the route table (besides CORS preflights)', () => {
    const served = resourcesOf(template, 'AWS::ApiGateway::Method').filter(
      ([, r]) => propsOf(r).HttpMethod !== 'OPTIONS',
    );
    expect(served).toHaveLength(routes.length);
  });

  it('throttles the stage, logs access, traces, and bounds API-key traffic with a usage plan', () => {
    const [[, stage]] = resourcesOf(template, 'AWS::ApiGateway::Stage') as [[string, any]];
    const props = propsOf(stage);
    expect(props.TracingEnabled).toBe(true);
    expect(props.AccessLogSetting?.DestinationArn).toBeDefined();
    const all = (props.MethodSettings as any[]).find((s) => s.HttpMethod === '*');
    expect(all.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(all.ThrottlingBurstLimit).toBeGreaterThan(0);
    expect(all.DataTraceEnabled).toBe(false);
    const [[, plan]] = resourcesOf(template, 'AWS::ApiGateway::UsagePlan') as [[string, any]];
    expect(propsOf(plan).Throttle.RateLimit).toBeGreaterThan(0);
    expect(propsOf(plan).Quota.Limit).toBeGreaterThan(0);
  });

  it('is one regional REST API', () => {
    const apis = resourcesOf(template, 'AWS::ApiGateway::RestApi');
    expect(apis).toHaveLength(1);
    expect(propsOf(apis[0]![1]).EndpointConfiguration.Types).toEqual(['REGIONAL']);
  });
});

describe('functions', () => {
  it('runs every topology function on Node 22 arm64 with tracing, its own log group and limits', () => {
    for (const spec of Object.values(functions)) {
      const props = propsOf(template.Resources[logicalId(stack.functions.get(spec.name).fn)]!);
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Handler).toBe('index.handler');
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect(props.Timeout).toBe(spec.timeoutSeconds);
      expect(props.MemorySize).toBe(spec.memoryMb);
      expect(props.ReservedConcurrentExecutions).toBe(spec.reservedConcurrency);
      expect(referencedIds(props.LoggingConfig?.LogGroup)).toEqual(
        new Set([logicalId(stack.functions.get(spec.name).logGroup)]),
      );
    }
  });

  it('lets exactly the publishing functions put events on SwitchboardBus, and tells them its name', () => {
    const busId = logicalId(stack.bus.bus);
    const statements = identityStatements(template);
    for (const spec of Object.values(functions)) {
      const deployed = stack.functions.get(spec.name);
      const props = propsOf(template.Resources[logicalId(deployed.fn)]!);
      const roleId = logicalId(deployed.role);
      const policyIds = resourcesOf(template, 'AWS::IAM::Policy')
        .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
        .map(([id]) => id);
      const puts = statements.filter(
        (s) =>
          policyIds.includes(s.owner) && asArray(s.statement.Action).includes('events:PutEvents'),
      );
      const publishes = spec.publishesEvents === true;
      expect(puts.length > 0, spec.name).toBe(publishes);
      for (const { statement } of puts) {
        expect(referencedIds(statement.Resource), spec.name).toEqual(new Set([busId]));
      }
      expect('EVENT_BUS_NAME' in props.Environment.Variables, spec.name).toBe(publishes);
    }
  });

  it('gives HTTP functions the web origin and the API base URL with its stage', () => {
    for (const spec of Object.values(functions)) {
      const vars = propsOf(template.Resources[logicalId(stack.functions.get(spec.name).fn)]!)
        .Environment.Variables;
      const serves = routes.some((r) => r.function === spec.name);
      expect('WEB_ORIGIN' in vars, spec.name).toBe(serves);
      if (serves) expect(flatten(vars.PUBLIC_API_URL)).toMatch(/\.execute-api\..*\/prod$/);
    }
  });

  it('consumes each queue with partial batch failures and the topology batch settings', () => {
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').map(([, r]) =>
      propsOf(r),
    );
    expect(mappings).toHaveLength(Object.keys(queues).length);
    for (const [name, spec] of Object.entries(queues)) {
      const queueId = logicalId(stack.queues.get(name as keyof typeof queues).queue);
      const mapping = mappings.find((m) => referencedIds(m.EventSourceArn).has(queueId));
      expect(mapping, name).toBeDefined();
      expect(mapping?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(mapping?.BatchSize).toBe(spec.batchSize);
      expect(mapping?.MaximumBatchingWindowInSeconds).toBe(spec.maxBatchingWindowSeconds);
      expect(referencedIds(mapping?.FunctionName)).toEqual(
        new Set([logicalId(stack.functions.get(spec.consumer).fn)]),
      );
    }
  });
});

describe('queues', () => {
  it('gives every topology queue a DLQ with the topology redrive count and visibility timeout', () => {
    for (const [name, spec] of Object.entries(queues)) {
      const pair = stack.queues.get(name as keyof typeof queues);
      const props = propsOf(template.Resources[logicalId(pair.queue)]!);
      expect(props.RedrivePolicy.maxReceiveCount).toBe(spec.maxReceiveCount);
      expect(referencedIds(props.RedrivePolicy.deadLetterTargetArn)).toEqual(
        new Set([logicalId(pair.dlq)]),
      );
      expect(props.VisibilityTimeout).toBe(spec.visibilityTimeoutSeconds);
      expect(props.MessageRetentionPeriod).toBe(spec.retentionDays * 86_400);
    }
  });

  it('encrypts every queue with a customer managed key and refuses plain HTTP', () => {
    const all = resourcesOf(template, 'AWS::SQS::Queue');
    const policies = resourcesOf(template, 'AWS::SQS::QueuePolicy').map(([, r]) => propsOf(r));
    for (const [id, queue] of all) {
      expect(referencedIds(propsOf(queue).KmsMasterKeyId).size, id).toBe(1);
      const tlsOnly = policies.some(
        (p) =>
          asArray(p.Queues).some((q) => referencedIds(q).has(id)) &&
          p.PolicyDocument.Statement.some(
            (s: any) =>
              s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
          ),
      );
      expect(tlsOnly, `${id} enforces TLS`).toBe(true);
    }
  });

  it('has a bus with an archive and a DLQ for its rules', () => {
    const [[, bus]] = resourcesOf(template, 'AWS::Events::EventBus') as [[string, any]];
    expect(propsOf(bus).Name).toBe('SwitchboardBus');
    expect(resourcesOf(template, 'AWS::Events::Archive')).toHaveLength(1);
  });
});

describe('stores', () => {
  it('builds SocialCRMTable from the topology: on-demand, PITR, CMK, deletion protection, TTL', () => {
    const tables = resourcesOf(template, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(1);
    const props = propsOf(tables[0]![1]);
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(props.SSESpecification.SSEEnabled).toBe(true);
    expect(props.SSESpecification.SSEType).toBe('KMS');
    expect(referencedIds(props.SSESpecification.KMSMasterKeyId).size).toBe(1);
    expect(props.DeletionProtectionEnabled).toBe(true);
    expect(props.TimeToLiveSpecification).toEqual({
      AttributeName: table.ttlAttribute,
      Enabled: true,
    });
    expect(props.KeySchema).toEqual([
      { AttributeName: table.partitionKey, KeyType: 'HASH' },
      { AttributeName: table.sortKey, KeyType: 'RANGE' },
    ]);
    expect(props.GlobalSecondaryIndexes.map((i: any) => i.IndexName)).toEqual(
      table.indexes.map((i) => i.name),
    );
  });

  it('encrypts, blocks public access, enforces TLS and logs access on every bucket', () => {
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');
    const policies = resourcesOf(template, 'AWS::S3::BucketPolicy').map(([, r]) => propsOf(r));
    const logBucket = logicalId(stack.storage.logs);
    for (const [id, bucket] of buckets) {
      const props = propsOf(bucket);
      expect(props.BucketEncryption?.ServerSideEncryptionConfiguration?.length, id).toBe(1);
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      const tlsOnly = policies.some(
        (p) =>
          referencedIds(p.Bucket).has(id) &&
          p.PolicyDocument.Statement.some(
            (s: any) =>
              s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
          ),
      );
      expect(tlsOnly, `${id} enforces TLS`).toBe(true);
      if (id !== logBucket) {
        expect(referencedIds(props.LoggingConfiguration?.DestinationBucketName), id).toEqual(
          new Set([logBucket]),
        );
      }
    }
  });

  it('keeps raw webhooks under the messaging CMK for 30 days', () => {
    const props = propsOf(template.Resources[logicalId(stack.storage.rawWebhooks)]!);
    const rule = props.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(props.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(30);
  });

  it('encrypts every log group, secret and the alarm topic with a customer managed key', () => {
    for (const [id, group] of resourcesOf(template, 'AWS::Logs::LogGroup')) {
      expect(referencedIds(propsOf(group).KmsKeyId).size, id).toBe(1);
      expect(propsOf(group).RetentionInDays, id).toBeGreaterThan(0);
    }
    const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
    expect(secrets.map(([, s]) => flatten(propsOf(s).Name).split('/')[1]).sort()).toEqual([
      'adminPassword',
      'assetsSigningKey',
      'jwtSigningKeys',
      'metaAppSecret',
      'metaVerifyToken',
    ]);
    for (const [id, secret] of secrets) {
      expect(referencedIds(propsOf(secret).KmsKeyId).size, id).toBe(1);
      expect(propsOf(secret).GenerateSecretString, `${id} starts random`).toBeDefined();
    }
    for (const [id, topic] of resourcesOf(template, 'AWS::SNS::Topic')) {
      expect(referencedIds(propsOf(topic).KmsMasterKeyId).size, id).toBe(1);
    }
    for (const [id, key] of resourcesOf(template, 'AWS::KMS::Key')) {
      expect(propsOf(key).EnableKeyRotation, id).toBe(true);
    }
  });
});

describe('WAF', () => {
  it('protects the API stage with a REGIONAL web ACL', () => {
    const [[, association]] = resourcesOf(template, 'AWS::WAFv2::WebACLAssociation') as [
      [string, any],
    ];
    const stageId = logicalId(stack.api.api.deploymentStage);
    expect(flatten(propsOf(association).ResourceArn)).toContain(`\${${stageId}}`);
    const aclId = [...referencedIds(propsOf(association).WebACLArn)][0]!;
    expect(propsOf(template.Resources[aclId]!).Scope).toBe('REGIONAL');
  });

  it('protects both distributions with the CLOUDFRONT web ACL', () => {
    const distributions = resourcesOf(template, 'AWS::CloudFront::Distribution');
    expect(distributions).toHaveLength(2);
    for (const [id, distribution] of distributions) {
      const aclIds = referencedIds(propsOf(distribution).DistributionConfig.WebACLId);
      expect(aclIds.size, id).toBe(1);
      expect(propsOf(template.Resources[[...aclIds][0]!]!).Scope).toBe('CLOUDFRONT');
    }
  });

  it('runs the AWS common, known bad inputs and SQLi groups and a rate limit in both ACLs', () => {
    for (const [id, acl] of resourcesOf(template, 'AWS::WAFv2::WebACL')) {
      const rules = propsOf(acl).Rules as any[];
      const groups = rules.map((r) => r.Statement.ManagedRuleGroupStatement?.Name).filter(Boolean);
      expect(groups, id).toEqual(
        expect.arrayContaining([
          'AWSManagedRulesCommonRuleSet',
          'AWSManagedRulesKnownBadInputsRuleSet',
          'AWSManagedRulesSQLiRuleSet',
        ]),
      );
      expect(
        rules.some((r) => r.Statement.RateBasedStatement),
        id,
      ).toBe(true);
    }
  });

  it('caps the body of every route whose limit WAF can inspect, and no other route', () => {
    const acl = propsOf(template.Resources[stack.getLogicalId(stack.webAcls.api)]!);
    const guards = (acl.Rules as any[])
      .filter((r) => r.Name.startsWith('BodyLimit-'))
      .map((rule) => {
        const [method, paths, size] = rule.Statement.AndStatement.Statements as any[];
        const regexes = (paths.OrStatement?.Statements ?? [paths]).map(
          (s: any) => new RegExp(s.RegexMatchStatement.RegexString),
        );
        expect(rule.Action.Block.CustomResponse.ResponseCode).toBe(413);
        return {
          method: method.ByteMatchStatement.SearchString as string,
          size: size.SizeConstraintStatement.Size as number,
          matches: (path: string) => regexes.some((re: RegExp) => re.test(path)),
        };
      });
    const [[, stageResource]] = resourcesOf(template, 'AWS::ApiGateway::Stage') as [[string, any]];
    const stage = propsOf(stageResource).StageName as string;
    for (const route of routes) {
      const sample = `/${stage}${route.path.replace(/\{\w+\+?\}/g, 'x1')}`;
      const limit = 'maxBodyBytes' in route ? route.maxBodyBytes : undefined;
      const hits = guards.filter((g) => g.method === route.method && g.matches(sample));
      if (limit !== undefined && limit <= 64 * 1024) {
        expect(
          hits.map((g) => g.size),
          route.id,
        ).toEqual([limit]);
      } else {
        // A larger (or no) limit: WAF must not cut the body short.
        expect(hits, route.id).toEqual([]);
      }
    }
  });

  it('adds the admin IP allow-list only when adminAllowCidrs is set', () => {
    const acl = propsOf(template.Resources[stack.getLogicalId(stack.webAcls.api)]!);
    expect((acl.Rules as any[]).some((r) => r.Name === 'AdminAllowList')).toBe(false);
  });
});

describe('tenant isolation in IAM', () => {
  it('limits TenantDataAccessRole to the session tenant’s partitions, never Scan', () => {
    const role = propsOf(template.Resources[logicalId(stack.tenantRole)]!);
    const statements = role.Policies.flatMap((p: any) => p.PolicyDocument.Statement) as any[];
    const table = statements.find((s) => asArray(s.Action).includes('dynamodb:Query'));
    expect(table.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': tenantLeadingKeys },
    });
    expect(tenantLeadingKeys).toEqual([
      'TENANT#${aws:PrincipalTag/TenantId}',
      'TENANT#${aws:PrincipalTag/TenantId}#*',
    ]);
    expect(asArray(table.Action).sort()).toEqual(
      [
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ].sort(),
    );
  });

  it('is assumable, with a TenantId session tag, only by the functions that touch the table', () => {
    const role = propsOf(template.Resources[logicalId(stack.tenantRole)]!);
    const [trust] = role.AssumeRolePolicyDocument.Statement as any[];
    expect(role.AssumeRolePolicyDocument.Statement).toHaveLength(1);
    expect(asArray(trust.Action).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
    expect(trust.Condition).toEqual({ StringLike: { 'aws:RequestTag/TenantId': '?*' } });
    const expected = Object.values(functions)
      .filter((f) => f.table !== 'none')
      .map((f) => logicalId(stack.functions.get(f.name).role));
    expect(referencedIds(trust.Principal)).toEqual(new Set(expected));
  });

  it('tells every function that touches the table the role to assume for tenant data', () => {
    const roleId = logicalId(stack.tenantRole);
    for (const spec of Object.values(functions)) {
      const vars = propsOf(template.Resources[logicalId(stack.functions.get(spec.name).fn)]!)
        .Environment.Variables;
      const touches = spec.table !== 'none';
      expect('TENANT_DATA_ROLE_ARN' in vars, spec.name).toBe(touches);
      if (touches)
        expect(referencedIds(vars.TENANT_DATA_ROLE_ARN), spec.name).toEqual(new Set([roleId]));
    }
  });

  it('grants no identity dynamodb:Scan and no wildcard action', () => {
    const statements = identityStatements(template);
    expect(statements.length).toBeGreaterThan(0);
    for (const { owner, statement } of statements) {
      for (const action of asArray(statement.Action as string | string[])) {
        expect(action, owner).not.toContain('*');
        expect(action.toLowerCase(), owner).not.toBe('dynamodb:scan');
      }
      expect(statement.NotAction, owner).toBeUndefined();
    }
  });
});

describe('CloudFront', () => {
  it('sends the strict CSP, HSTS, nosniff and a referrer policy with the web app', () => {
    const policy = propsOf(template.Resources[logicalId(stack.cdn.webHeaders)]!);
    const headers = policy.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = flatten(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    const apiId = logicalId(stack.api.api);
    expect(csp).toBe(
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https:",
        `connect-src 'self' https://\${${apiId}}.execute-api.${stack.region}.\${AWS::URLSuffix}`,
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ].join('; '),
    );
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(
      31_536_000,
    );
    expect(headers.ContentTypeOptions.Override).toBe(true);
    expect(headers.ReferrerPolicy.ReferrerPolicy).toBe('strict-origin-when-cross-origin');
  });

  it('serves tenant assets only through signed URLs', () => {
    const props = propsOf(template.Resources[logicalId(stack.cdn.assets)]!);
    expect(props.DistributionConfig.DefaultCacheBehavior.TrustedKeyGroups).toHaveLength(1);
    expect(resourcesOf(template, 'AWS::CloudFront::PublicKey')).toHaveLength(1);
  });
});

describe('alarms', () => {
  it('alarms on every DLQ, every function’s errors and throttles, and API 5xx', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => propsOf(a));
    const metrics = alarms.map((a) => a.MetricName as string);
    const dlqs = Object.keys(queues).length + 1; // + the bus rules DLQ
    expect(metrics.filter((m) => m === 'ApproximateNumberOfMessagesVisible')).toHaveLength(dlqs);
    expect(metrics.filter((m) => m === 'Errors')).toHaveLength(Object.keys(functions).length);
    expect(metrics.filter((m) => m === 'Throttles')).toHaveLength(Object.keys(functions).length);
    expect(metrics.filter((m) => m === '5XXError')).toHaveLength(1);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });
});

describe('cdk-nag', () => {
  it('reports no unacknowledged AwsSolutions finding (errors or warnings)', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map(
      (v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });
});

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeStackOf } from '../lib/api.construct';
import { buildApp } from '../lib/build-app';
import { readConfig } from '../lib/config';
import { busEncryptionContext, userBoundPurpose } from '../lib/function-policy';
import { copyRe2Package, esmBundling, re2PackageDir } from '../lib/functions.construct';
import { functions, queues, repoRoot, routes, serverPackageJson, table } from '../lib/server';
import type { SwitchboardStack } from '../lib/switchboard-stack';
import { tenantLeadingKeys } from '../lib/tenant-role.construct';
import { twoFactorRoutes } from '../lib/topology-reader';
import {
  asArray,
  flatten,
  identityStatements,
  nestedStacksOf,
  propsOf,
  referencedIds,
  resourcesOf,
  type CfnTemplate,
  withNestedStacks,
} from './cfn';

// One synthesis (with real esbuild bundling of every function) shared by every assertion.
let app: App;
let stack: SwitchboardStack;
let template: CfnTemplate;

const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

beforeAll(() => {
  app = new App({ context: cdkJson.context });
  stack = buildApp(app);
  template = withNestedStacks(stack);
  // Bundles every function with esbuild: minutes on a busy two-core machine.
}, 300_000);

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

  it('throttles every method on the stage, logs access and traces', () => {
    const [[, stage]] = resourcesOf(template, 'AWS::ApiGateway::Stage') as [[string, any]];
    const props = propsOf(stage);
    expect(props.TracingEnabled).toBe(true);
    expect(props.AccessLogSetting?.DestinationArn).toBeDefined();
    const all = (props.MethodSettings as any[]).find(
      (s) => s.HttpMethod === '*' && s.ResourcePath === '/*',
    );
    const config = readConfig(app.node);
    expect(all.ThrottlingRateLimit).toBe(config.api.rateLimit);
    expect(all.ThrottlingBurstLimit).toBe(config.api.burstLimit);
    expect(all.DataTraceEnabled).toBe(false);
  });

  it('has no usage plan or API Gateway key: API keys are the app’s, limited per key there', () => {
    for (const type of [
      'AWS::ApiGateway::UsagePlan',
      'AWS::ApiGateway::UsagePlanKey',
      'AWS::ApiGateway::ApiKey',
    ]) {
      expect(resourcesOf(template, type), type).toEqual([]);
    }
    for (const [id, method] of resourcesOf(template, 'AWS::ApiGateway::Method')) {
      expect(propsOf(method).ApiKeyRequired ?? false, id).toBe(false);
    }
    // Only a usage plan could answer QUOTA_EXCEEDED.
    const responses = resourcesOf(template, 'AWS::ApiGateway::GatewayResponse');
    expect(responses.map(([, r]) => propsOf(r).ResponseType)).not.toContain('QUOTA_EXCEEDED');
    // The plan's context keys are refused, not silently ignored.
    const withPlanKey = new App({ context: { usagePlanRateLimit: '50' } });
    expect(() => readConfig(withPlanKey.node)).toThrow(
      /usagePlanRateLimit: there is no usage plan/,
    );
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

  it('lets exactly the publishing functions put events on SwitchboardBus and use its key, and tells them its name', () => {
    const busId = logicalId(stack.bus.bus);
    const eventsKeyId = logicalId(stack.keys.events);
    const statements = identityStatements(template);
    for (const spec of Object.values(functions)) {
      const deployed = stack.functions.get(spec.name);
      const props = propsOf(template.Resources[logicalId(deployed.fn)]!);
      const roleId = logicalId(deployed.role);
      const policyIds = resourcesOf(template, 'AWS::IAM::Policy')
        .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
        .map(([id]) => id);
      const own = statements.filter((s) => policyIds.includes(s.owner));
      const puts = own.filter((s) => asArray(s.statement.Action).includes('events:PutEvents'));
      const publishes = spec.publishesEvents === true;
      expect(puts.length > 0, spec.name).toBe(publishes);
      for (const { statement } of puts) {
        expect(referencedIds(statement.Resource), spec.name).toEqual(new Set([busId]));
      }
      // The bus's key: only through EventBridge, only with this bus as encryption context.
      const keyUse = own.filter((s) => referencedIds(s.statement.Resource).has(eventsKeyId));
      expect(keyUse.length, spec.name).toBe(publishes ? 1 : 0);
      for (const { statement } of keyUse) {
        expect(asArray(statement.Action).sort(), spec.name).toEqual([
          'kms:Decrypt',
          'kms:GenerateDataKey',
        ]);
        expect(statement.Condition.StringEquals['kms:ViaService']).toBe(
          `events.${stack.region}.amazonaws.com`,
        );
        expect(referencedIds(statement.Condition.StringEquals[busEncryptionContext])).toEqual(
          new Set([busId]),
        );
      }
      expect('EVENT_BUS_NAME' in props.Environment.Variables, spec.name).toBe(publishes);
    }
  });

  it('lets exactly the mailing functions send through SES, from the sender and configuration set', () => {
    const identityId = logicalId(stack.mail.identity);
    const configSetId = logicalId(stack.mail.configurationSet);
    const statements = identityStatements(template);
    const ses = resourcesOf(template, 'AWS::SES::ConfigurationSet');
    expect(ses).toHaveLength(1);
    expect(propsOf(ses[0]![1]).DeliveryOptions).toMatchObject({ TlsPolicy: 'REQUIRE' });
    const identity = propsOf(template.Resources[identityId]!);
    expect(identity.EmailIdentity).toBe('switchboard.local');
    expect(referencedIds(identity.ConfigurationSetAttributes)).toEqual(new Set([configSetId]));
    for (const spec of Object.values(functions)) {
      const deployed = stack.functions.get(spec.name);
      const vars = propsOf(template.Resources[logicalId(deployed.fn)]!).Environment.Variables;
      const roleId = logicalId(deployed.role);
      const policyIds = resourcesOf(template, 'AWS::IAM::Policy')
        .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
        .map(([id]) => id);
      const sends = statements
        .filter((s) => policyIds.includes(s.owner))
        .filter((s) => asArray(s.statement.Action).some((a) => String(a).startsWith('ses:')));
      const mails = spec.sendsMail === true;
      expect(sends.length, spec.name).toBe(mails ? 1 : 0);
      for (const { statement } of sends) {
        expect(asArray(statement.Action), spec.name).toEqual(['ses:SendEmail']);
        expect(statement.Condition.StringEquals['ses:FromAddress']).toBe(
          'no-reply@switchboard.local',
        );
        expect(flatten(statement.Resource)).toContain(':identity/');
        expect(flatten(statement.Resource)).toContain(':configuration-set/');
      }
      expect('MAIL_FROM_ADDRESS' in vars, spec.name).toBe(mails);
      expect('MAIL_CONFIGURATION_SET' in vars, spec.name).toBe(mails);
    }
    expect(
      Object.values(functions)
        .filter((f) => f.sendsMail)
        .map((f) => f.name)
        .sort(),
    ).toEqual(['Api', 'AuthService']);
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
    // One per queue, and the table stream's (test/stream.test.ts).
    expect(mappings).toHaveLength(Object.keys(queues).length + 1);
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

  it('routes integrators’ events and the stream’s assignments and closes to IntegrationEventsQueue, drained by EventDelivery', () => {
    const queueId = logicalId(stack.queues.get('IntegrationEventsQueue').queue);
    const rules = resourcesOf(template, 'AWS::Events::Rule').map(([, r]) => propsOf(r));
    const into = rules.filter((r) =>
      (r.Targets as any[]).some((target) => referencedIds(target.Arn).has(queueId)),
    );
    expect(into.map((r) => r.Description).sort()).toEqual([
      'DeliverIntegrationEvent',
      'ForwardConversationEventsToIntegrations',
    ]);
    const patternOf = (name: string) => into.find((r) => r.Description === name)!.EventPattern;
    expect(patternOf('DeliverIntegrationEvent')).toEqual({
      source: ['switchboard.integrations'],
      'detail-type': ['IntegrationEvent'],
    });
    expect(patternOf('ForwardConversationEventsToIntegrations')).toEqual({
      source: ['switchboard.conversations'],
      'detail-type': ['ConversationAssigned', 'ConversationClosed'],
    });
    const pair = stack.queues.get('IntegrationEventsQueue');
    const props = propsOf(template.Resources[queueId]!);
    expect(props.RedrivePolicy.maxReceiveCount).toBe(queues.CrmSyncQueue.maxReceiveCount);
    expect(referencedIds(props.RedrivePolicy.deadLetterTargetArn)).toEqual(
      new Set([logicalId(pair.dlq)]),
    );
    const mapping = resourcesOf(template, 'AWS::Lambda::EventSourceMapping')
      .map(([, r]) => propsOf(r))
      .find((m) => referencedIds(m.EventSourceArn).has(queueId));
    expect(referencedIds(mapping?.FunctionName)).toEqual(
      new Set([logicalId(stack.functions.get('EventDelivery').fn)]),
    );
    // The emitters of message events may publish them.
    expect(functions.MessageProcessor.publishesEvents).toBe(true);
    expect(functions.Api.publishesEvents).toBe(true);
  });

  it('has a bus with an archive and a DLQ for its rules', () => {
    const [[, bus]] = resourcesOf(template, 'AWS::Events::EventBus') as [[string, any]];
    expect(propsOf(bus).Name).toBe('SwitchboardBus');
    expect(resourcesOf(template, 'AWS::Events::Archive')).toHaveLength(1);
  });
});

describe('SwitchboardBus encryption', () => {
  /** Key policy statements that let EventBridge (the service) use a key. */
  const eventBridgeStatements = (key: { node: { defaultChild?: unknown } }) =>
    (propsOf(template.Resources[logicalId(key)]!).KeyPolicy.Statement as any[]).filter(
      (s) => s.Effect === 'Allow' && s.Principal?.Service === 'events.amazonaws.com',
    );
  const busArn = () => `arn:aws:events:${stack.region}:\${AWS::AccountId}:event-bus/SwitchboardBus`;

  it('encrypts the bus and its archive with the events key, not an AWS owned key', () => {
    const eventsKeyId = logicalId(stack.keys.events);
    const [[, bus]] = resourcesOf(template, 'AWS::Events::EventBus') as [[string, any]];
    const [[, archive]] = resourcesOf(template, 'AWS::Events::Archive') as [[string, any]];
    expect(referencedIds(propsOf(bus).KmsKeyIdentifier)).toEqual(new Set([eventsKeyId]));
    expect(referencedIds(propsOf(archive).KmsKeyIdentifier)).toEqual(new Set([eventsKeyId]));
    expect(flatten(propsOf(archive).SourceArn)).toBe(busArn());
    const key = propsOf(template.Resources[eventsKeyId]!);
    expect(key.EnableKeyRotation).toBe(true);
    // Its own key: the messaging key's grants (queues, archive bucket) do not open it.
    expect(eventsKeyId).not.toBe(logicalId(stack.keys.messaging));
  });

  it('lets EventBridge use the events key for SwitchboardBus only', () => {
    const statements = eventBridgeStatements(stack.keys.events);
    const uses = statements.filter((s) => asArray(s.Action).includes('kms:GenerateDataKey'));
    expect(uses.length).toBeGreaterThan(0);
    for (const statement of uses) {
      expect(asArray(statement.Action)).toContain('kms:Decrypt');
      expect(flatten(statement.Condition.StringEquals[busEncryptionContext])).toBe(busArn());
    }
    // Anything else EventBridge may do with the key is metadata only.
    for (const statement of statements.filter((s) => !uses.includes(s))) {
      expect(asArray(statement.Action)).toEqual(['kms:DescribeKey']);
    }
    // Nobody else but the account root (the default key administration) is in the key policy.
    const key = propsOf(template.Resources[logicalId(stack.keys.events)]!);
    const others = (key.KeyPolicy.Statement as any[]).filter(
      (s) => s.Principal?.Service !== 'events.amazonaws.com',
    );
    expect(others.map((s) => flatten(s.Principal.AWS))).toEqual([
      'arn:aws:iam::${AWS::AccountId}:root',
    ]);
  });

  it('sends events the bus cannot encrypt or decrypt to the (alarmed) rules DLQ', () => {
    const [[, bus]] = resourcesOf(template, 'AWS::Events::EventBus') as [[string, any]];
    const dlqId = logicalId(stack.bus.dlq);
    expect(referencedIds(propsOf(bus).DeadLetterConfig.Arn)).toEqual(new Set([dlqId]));
    const policy = resourcesOf(template, 'AWS::SQS::QueuePolicy')
      .map(([, p]) => propsOf(p))
      .find((p) => asArray(p.Queues).some((q) => referencedIds(q).has(dlqId)))!;
    const fromBus = (policy.PolicyDocument.Statement as any[]).find(
      (s) =>
        s.Principal?.Service === 'events.amazonaws.com' &&
        referencedIds(s.Condition?.ArnEquals?.['aws:SourceArn']).has(logicalId(stack.bus.bus)),
    );
    expect(fromBus?.Action).toBe('sqs:SendMessage');
  });

  it('lets EventBridge write to the queues it delivers to, under their own key', () => {
    // Rule targets and the DLQ are queues under the messaging key, with an SSE data key per
    // message: EventBridge needs GenerateDataKey (and Decrypt) on that key, for this account only.
    for (const [, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
      for (const target of propsOf(rule).Targets as any[]) {
        for (const id of [
          ...referencedIds(target.Arn),
          ...referencedIds(target.DeadLetterConfig.Arn),
        ]) {
          expect(referencedIds(propsOf(template.Resources[id]!).KmsMasterKeyId)).toEqual(
            new Set([logicalId(stack.keys.messaging)]),
          );
        }
      }
    }
    const sendsToQueues = eventBridgeStatements(stack.keys.messaging).find(
      (s) => s.Sid === 'EventBridgeToQueues',
    );
    expect(asArray(sendsToQueues?.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(sendsToQueues?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
  });
});

describe('stores', () => {
  it('builds SocialCRMTable from the topology: on-demand, PITR, CMK, deletion protection, TTL', () => {
    // The other table is the live sockets' connections (live.test.ts).
    const all = resourcesOf(template, 'AWS::DynamoDB::Table');
    expect(all).toHaveLength(2);
    const tables = all.filter(([id]) => id !== logicalId(stack.live.table));
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
      'cursorKey',
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

/** The IAM statements of a function's role, in `cfn`. */
function roleStatements(cfn: CfnTemplate, roleId: string): any[] {
  const policyIds = resourcesOf(cfn, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
    .map(([id]) => id);
  return identityStatements(cfn)
    .filter((s) => policyIds.includes(s.owner))
    .map((s) => s.statement);
}

describe('the token key’s encryption contexts', () => {
  it('binds the key to a tenant everywhere, and lets only the two-factor function use { userId, purpose: totp }', () => {
    const keyId = logicalId(stack.keys.channelTokens);
    const twoFactorFunctions = new Set<string>(
      routes.filter((r) => twoFactorRoutes.has(r.id)).map((r) => r.function),
    );
    expect([...twoFactorFunctions]).toEqual(['Api']);
    for (const spec of Object.values(functions)) {
      const onKey = roleStatements(template, logicalId(stack.functions.get(spec.name).role)).filter(
        (s) => referencedIds(s.Resource).has(keyId),
      );
      const holds = spec.secrets.includes('channelTokenKey');
      const tenantBound = onKey.filter(
        (s) => s.Condition?.Null?.['kms:EncryptionContext:tenantId'] === 'false',
      );
      const userBound = onKey.filter(
        (s) => s.Condition?.StringEquals?.['kms:EncryptionContext:purpose'] !== undefined,
      );
      expect(tenantBound.length, spec.name).toBe(holds ? 1 : 0);
      expect(userBound.length, spec.name).toBe(holds && twoFactorFunctions.has(spec.name) ? 1 : 0);
      // Nothing else may touch the key: every statement on it is one of the two.
      expect(onKey.length, spec.name).toBe(tenantBound.length + userBound.length);
      for (const statement of userBound) {
        expect(asArray(statement.Action).sort(), spec.name).toEqual(['kms:Decrypt', 'kms:Encrypt']);
        expect(statement.Condition).toEqual({
          StringEquals: { 'kms:EncryptionContext:purpose': userBoundPurpose },
          Null: { 'kms:EncryptionContext:userId': 'false' },
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['userId', 'purpose'] },
        });
      }
    }
    expect(userBoundPurpose).toBe('totp');
  });
});

describe('single sign-on without a platform identity provider', () => {
  it('creates no Cognito resources and tells no function of a platform provider', () => {
    expect(
      Object.values(template.Resources).filter((r) => r.Type.startsWith('AWS::Cognito::')),
    ).toEqual([]);
    for (const spec of Object.values(functions)) {
      const vars = propsOf(template.Resources[logicalId(stack.functions.get(spec.name).fn)]!)
        .Environment.Variables;
      expect(
        Object.keys(vars).filter((k) => k.startsWith('SSO_')),
        spec.name,
      ).toEqual([]);
    }
  });

  it('reads the Cognito option and an external provider from the context', () => {
    const sso = (context: Record<string, string>) =>
      readConfig(new App({ context }).node, {}).platformSso;
    expect(sso({})).toBeUndefined();
    expect(sso({ cognito: 'false' })).toBeUndefined();
    expect(sso({ cognito: 'true' })).toMatchObject({ kind: 'cognito', mfa: 'optional' });
    expect(sso({ cognito: 'true', cognitoMfa: 'required' })).toMatchObject({ mfa: 'required' });
    expect(sso({ ssoIssuer: 'https://idp.example.com', ssoClientId: 'sb' })).toMatchObject({
      kind: 'external',
      issuer: 'https://idp.example.com',
      mfa: 'off',
    });
    expect(() => sso({ cognito: 'true', cognitoMfa: 'sometimes' })).toThrow(/cognitoMfa/);
    expect(() => sso({ ssoIssuer: 'http://idp.example.com', ssoClientId: 'sb' })).toThrow(/https/);
    expect(() => sso({ cognito: 'yes' })).toThrow(/cognito/);
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
    const liveId = logicalId(stack.live.api);
    expect(csp).toBe(
      [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob: https:",
        "media-src 'self' blob: https:",
        `connect-src 'self' https://\${${apiId}}.execute-api.${stack.region}.\${AWS::URLSuffix} wss://\${${liveId}}.execute-api.${stack.region}.\${AWS::URLSuffix}`,
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
    const dlqs = Object.keys(queues).length + 2; // + the bus rules DLQ and StreamConsumerDlq
    expect(metrics.filter((m) => m === 'ApproximateNumberOfMessagesVisible')).toHaveLength(dlqs);
    expect(metrics.filter((m) => m === 'Errors')).toHaveLength(Object.keys(functions).length);
    expect(metrics.filter((m) => m === 'Throttles')).toHaveLength(Object.keys(functions).length);
    expect(metrics.filter((m) => m === '5XXError')).toHaveLength(1);
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });
});

describe('re2-wasm in the bundles', () => {
  /** The staged asset directory of a function's code (what `cdk deploy` zips). */
  const assetDir = (name: keyof typeof functions) => {
    const props = propsOf(template.Resources[logicalId(stack.functions.get(name).fn)]!);
    const hash = (props.Code.S3Key as string).replace(/\.zip$/, '');
    return join(app.outdir, `asset.${hash}`);
  };
  /** Every module esbuild put in a bundle (its source map's sources). */
  const bundled = (dir: string) =>
    (JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;
  /** Runs an ES module script in a fresh node, away from the repository's node_modules. */
  const runNode = (script: string, env: Record<string, string> = {}) => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: tmpdir(),
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    // A failing minified module prints its source: keep only the error line.
    const error = /^\w*Error\b.*$/m.exec(run.stderr)?.[0];
    expect({ status: run.status, error }).toEqual({ status: 0, error: undefined });
    return JSON.parse(run.stdout) as unknown;
  };

  it('ships re2-wasm beside every bundle as a package, with its binary, not inside the bundle', () => {
    const binary = readFileSync(join(re2PackageDir, 'build/wasm/re2.wasm'));
    for (const spec of Object.values(functions)) {
      const dir = assetDir(spec.name);
      const shipped = join(dir, 'node_modules/re2-wasm/build/wasm/re2.wasm');
      expect(existsSync(shipped), spec.name).toBe(true);
      expect(readFileSync(shipped).equals(binary), spec.name).toBe(true);
      expect(
        bundled(dir).filter((s) => s.includes('node_modules/re2-wasm/')),
        spec.name,
      ).toEqual([]);
    }
    // The lead functions run tenant patterns (the copy goes to every function regardless).
    for (const name of ['Api', 'LeadIngest'] as const) {
      expect(
        bundled(assetDir(name)).some((s) => s.endsWith('modules/leads/safe-regex.ts')),
        name,
      ).toBe(true);
    }
  });

  it('loads RE2 from each function’s own asset directory', () => {
    for (const spec of Object.values(functions)) {
      const dir = assetDir(spec.name);
      const result = runNode(
        [
          "import { createRequire } from 'node:module';",
          'const require = createRequire(process.env.BUNDLE);',
          "const { RE2 } = require('re2-wasm');",
          "const re = new RE2('^a+$', 'u');",
          "console.log(JSON.stringify({ from: require.resolve('re2-wasm'), test: [re.test('aaa'), re.test('aab')] }));",
        ].join('\n'),
        { BUNDLE: join(dir, 'index.mjs') },
      ) as { from: string; test: boolean[] };
      expect(result.from.startsWith(join(dir, 'node_modules')), spec.name).toBe(true);
      expect(result.test, spec.name).toEqual([true, false]);
    }
  });

  it('serves both ways of loading it from an ESM bundle built like the functions’', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sb-re2-'));
    try {
      await build({
        stdin: {
          // A static import, and the server's run-time require: both must find the package.
          contents: [
            "import { createRequire } from 'node:module';",
            "import { RE2 } from 're2-wasm';",
            "const late = createRequire(import.meta.url)('re2-wasm') as { RE2: typeof RE2 };",
            "console.log(JSON.stringify([new RE2('^a+$', 'u').test('aaa'), new late.RE2('^a+$', 'u').test('aab')]));",
          ].join('\n'),
          resolveDir: dirname(serverPackageJson),
          loader: 'ts',
        },
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        banner: { js: esmBundling.banner },
        external: esmBundling.externalModules,
        outfile: join(out, 'index.mjs'),
        logLevel: 'error',
      });
      for (const command of copyRe2Package(repoRoot, out)) {
        execFileSync('bash', ['-c', command], { cwd: repoRoot });
      }
      expect(runNode(`await import(${JSON.stringify(join(out, 'index.mjs'))});`)).toEqual([
        true,
        false,
      ]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('stack size', () => {
  it('keeps every stack of the split under CloudFormation’s 500 resources', () => {
    const stacks: [string, CfnTemplate][] = [
      [stack.stackName, Template.fromStack(stack).toJSON() as CfnTemplate],
      ...nestedStacksOf(stack).map(
        (nested) =>
          [nested.node.id, Template.fromStack(nested).toJSON() as CfnTemplate] as [
            string,
            CfnTemplate,
          ],
      ),
    ];
    for (const [name, part] of stacks) {
      const resources = Object.values(part.Resources);
      const byType = new Map<string, number>();
      for (const r of resources) byType.set(r.Type, (byType.get(r.Type) ?? 0) + 1);
      const top = [...byType].sort((a, b) => b[1] - a[1]).slice(0, 5);
      console.log(
        `${name}: ${resources.length} of 500 CloudFormation resources (${top.map(([t, n]) => `${t.replace('AWS::', '')} ${n}`).join(', ')})`,
      );
      // Room to grow: a stack near the limit is split again before it is reached.
      expect(resources.length, name).toBeLessThan(400);
    }
  });

  it('places every route path in exactly one stack, whole trees together', () => {
    const owner = new Map<string, string>();
    for (const route of routes) {
      const segment = route.path.split('/')[1]!;
      const stackName = routeStackOf(route.path);
      expect(owner.get(segment) ?? stackName, segment).toBe(stackName);
      owner.set(segment, stackName);
    }
    expect(() => routeStackOf('/not-placed/x')).toThrow(/routeStacks/);
  });

  it('deploys the stage only after every nested route stack', () => {
    const deployments = resourcesOf(template, 'AWS::ApiGateway::Deployment');
    expect(deployments).toHaveLength(1);
    const dependsOn = asArray(
      (deployments[0]![1] as unknown as { DependsOn?: string[] }).DependsOn,
    );
    expect(stack.api.nestedRouteStacks.size).toBeGreaterThan(0);
    for (const nested of stack.api.nestedRouteStacks.values()) {
      expect(dependsOn).toContain(stack.getLogicalId(nested.nestedStackResource!));
    }
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

describe('the Cognito option (-c cognito=true)', () => {
  // A second synthesis, of the other shape; bundling is skipped (the first one proves it).
  let sso: SwitchboardStack;
  let cfn: CfnTemplate;
  beforeAll(() => {
    const ssoApp = new App({
      context: {
        ...cdkJson.context,
        cognito: 'true',
        cognitoMfa: 'required',
        'aws:cdk:bundling-stacks': [],
      },
    });
    sso = buildApp(ssoApp);
    cfn = Template.fromStack(sso).toJSON() as CfnTemplate;
  }, 120_000);

  const idOf = (element: { node: { defaultChild?: unknown } }) =>
    sso.getLogicalId(element.node.defaultChild as CfnElement);

  it('creates a user pool: e-mail as the username, verified e-mail, TOTP MFA as asked, no self sign-up', () => {
    const pools = resourcesOf(cfn, 'AWS::Cognito::UserPool');
    expect(pools).toHaveLength(1);
    const pool = propsOf(pools[0]![1]);
    expect(pool.UsernameAttributes).toEqual(['email']);
    expect(pool.AutoVerifiedAttributes).toEqual(['email']);
    expect(pool.MfaConfiguration).toBe('ON');
    expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    expect(pool.Schema).toContainEqual(expect.objectContaining({ Name: 'email', Required: true }));
    expect(pool.DeletionProtection).toBe('ACTIVE');
    expect(pool.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireSymbols: true,
      RequireUppercase: true,
    });
  });

  it('has a hosted domain and an app client for the code flow, calling back to the API', () => {
    const domains = resourcesOf(cfn, 'AWS::Cognito::UserPoolDomain');
    expect(domains).toHaveLength(1);
    expect(propsOf(domains[0]![1]).Domain).toMatch(/^switchboard-[a-z0-9]{8}$/);
    const clients = resourcesOf(cfn, 'AWS::Cognito::UserPoolClient');
    expect(clients).toHaveLength(1);
    const client = propsOf(clients[0]![1]);
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect([...client.AllowedOAuthScopes].sort()).toEqual(['email', 'openid', 'profile']);
    expect(client.GenerateSecret).toBe(true);
    expect(client.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(client.CallbackURLs).toHaveLength(1);
    const callback = flatten(client.CallbackURLs[0]);
    expect(callback).toMatch(/^https:\/\/\$\{\w+\}\.execute-api\..*\/prod\/auth\/sso\/callback$/);
    expect(referencedIds(client.CallbackURLs[0])).toContain(idOf(sso.api.api));
  });

  it('keeps the client secret in Secrets Manager, from the client (never in the template)', () => {
    const clientId = idOf(sso.platformSso!.client!);
    const secret = propsOf(cfn.Resources[idOf(sso.platformSso!.clientSecret)]!);
    expect(secret.SecretString).toEqual({ 'Fn::GetAtt': [clientId, 'ClientSecret'] });
    expect(referencedIds(secret.KmsKeyId)).toEqual(new Set([idOf(sso.keys.secrets)]));
  });

  it('tells exactly the functions serving single sign-on the issuer, client and secret, and lets them read it', () => {
    const poolId = idOf(sso.platformSso!.userPool!);
    const secretId = idOf(sso.platformSso!.clientSecret);
    const serving = new Set<string>(
      routes.filter((r) => r.id.startsWith('auth.sso.')).map((r) => r.function),
    );
    expect([...serving]).toEqual(['Api']);
    for (const spec of Object.values(functions)) {
      const deployed = sso.functions.get(spec.name);
      const vars = propsOf(cfn.Resources[idOf(deployed.fn)]!).Environment.Variables;
      const reads = roleStatements(cfn, idOf(deployed.role)).filter((s) =>
        referencedIds(s.Resource).has(secretId),
      );
      if (!serving.has(spec.name)) {
        expect(
          Object.keys(vars).filter((k) => k.startsWith('SSO_')),
          spec.name,
        ).toEqual([]);
        expect(reads, spec.name).toEqual([]);
        continue;
      }
      expect(flatten(vars.SSO_PLATFORM_ISSUER)).toMatch(/^https:\/\/cognito-idp\./);
      expect(referencedIds(vars.SSO_PLATFORM_ISSUER)).toContain(poolId);
      expect(referencedIds(vars.SSO_PLATFORM_CLIENT_ID)).toEqual(
        new Set([idOf(sso.platformSso!.client!)]),
      );
      expect(referencedIds(vars.SSO_PLATFORM_CLIENT_SECRET_ARN)).toEqual(new Set([secretId]));
      expect(vars.SSO_PLATFORM_MFA).toBe('required');
      expect(reads.map((s) => s.Action)).toEqual(['secretsmanager:GetSecretValue']);
    }
  });

  it('reports no unacknowledged AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(sso);
    const findings = report.violations.map(
      (v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });
});

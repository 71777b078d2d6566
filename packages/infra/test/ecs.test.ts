import { readFileSync } from 'node:fs';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../lib/config';
import { containerAccess, containerFunctions } from '../lib/ecs.construct';
import { viewerIpHeader } from '../lib/ecs-waf.construct';
import { esmBundling } from '../lib/functions.construct';
import { repoRoot, type FunctionName } from '../lib/server';
import type { SwitchboardStack } from '../lib/switchboard-stack';
import {
  asArray,
  flatten,
  identityStatements,
  propsOf,
  referencedIds,
  resourcesOf,
  type CfnTemplate,
  nestedStacksOf,
} from './cfn';
import { synthStack } from './synth';

// The API on ECS (`-c apiRuntime=ecs`) against the Lambda default: both shapes synthesised offline
// (no Docker: the image asset is only hashed), bundling skipped (stack.test.ts bundles).

const synth = synthStack;

let ecs: { stack: SwitchboardStack; template: CfnTemplate };
let lambda: { stack: SwitchboardStack; template: CfnTemplate };
beforeAll(() => {
  ecs = synth({ apiRuntime: 'ecs' });
  lambda = synth({});
}, 240_000);

const only = (template: CfnTemplate, type: string) => {
  const found = resourcesOf(template, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const logicalId = (stack: Stack, element: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(element.node.defaultChild as CfnElement);

/** Statements in a canonical form (sorted arrays) so two grants compare by content. */
function canonical(statement: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v))
      return v.map(sort).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, x]) => [k, sort(x)]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(statement));
}

/** The statements of every identity policy attached to (or inline in) a role. */
function roleStatements(template: CfnTemplate, roleId: string): any[] {
  const attached = new Set(
    [
      ...resourcesOf(template, 'AWS::IAM::Policy'),
      ...resourcesOf(template, 'AWS::IAM::ManagedPolicy'),
    ]
      .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
      .map(([id]) => id),
  );
  return identityStatements(template)
    .filter((s) => attached.has(s.owner) || s.owner === roleId)
    .map((s) => s.statement);
}

describe('apiRuntime', () => {
  it('is lambda by default and refuses anything but lambda or ecs, saying what it takes', () => {
    expect(readConfig(new App().node, {}).apiRuntime).toBe('lambda');
    expect(readConfig(new App({ context: { apiRuntime: 'ecs' } }).node, {}).apiRuntime).toBe('ecs');
    expect(() => readConfig(new App({ context: { apiRuntime: 'k8s' } }).node, {})).toThrow(
      /apiRuntime must be lambda .* or ecs .*got k8s/,
    );
    expect(() => readConfig(new App({ context: { ecsCpu: '300' } }).node, {})).toThrow(/ecsCpu/);
    expect(() =>
      readConfig(new App({ context: { ecsCpu: '256', ecsMemoryMiB: '4096' } }).node, {}),
    ).toThrow(/ecsMemoryMiB for ecsCpu=256 must be 512-2048/);
  });

  it('the Lambda default creates no VPC, cluster, service, load balancer or API distribution', () => {
    for (const type of [
      'AWS::EC2::VPC',
      'AWS::ECS::Cluster',
      'AWS::ECS::Service',
      'AWS::ECS::TaskDefinition',
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::CloudFront::VpcOrigin',
    ]) {
      expect(resourcesOf(lambda.template, type), type).toHaveLength(0);
    }
    expect(lambda.stack.ecsApi).toBeUndefined();
  });
});

describe('the API on ECS', () => {
  it('serves every HTTP function but the Meta webhook’s', () => {
    expect([...containerFunctions].sort()).toEqual(['Api', 'AuthService', 'LeadIngest']);
    // API Gateway keeps the webhook's methods only; no route stack is created.
    const methods = resourcesOf(ecs.template, 'AWS::ApiGateway::Method')
      .map(([, m]) => propsOf(m))
      .filter((m) => m.HttpMethod !== 'OPTIONS');
    expect(methods.map((m) => m.OperationName).sort()).toEqual([
      'webhook.receive',
      'webhook.verify',
    ]);
    expect(ecs.stack.api.nestedRouteStacks.size).toBe(0);
    // The replaced functions are not deployed as idle Lambdas; the rest all are.
    const deployed = [...ecs.stack.functions.byName.keys()];
    for (const name of containerFunctions) expect(deployed).not.toContain(name);
    expect(deployed).toContain('WebhookReceiver');
    expect(deployed.length + containerFunctions.length).toBe(lambda.stack.functions.byName.size);
  });

  it('runs a Fargate service without public IPs behind an internal ALB that health-checks /healthz', () => {
    const [, service] = only(ecs.template, 'AWS::ECS::Service');
    const svc = propsOf(service);
    expect(svc.LaunchType).toBe('FARGATE');
    expect(svc.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    expect(svc.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({
      Enable: true,
      Rollback: true,
    });
    expect(svc.LoadBalancers).toHaveLength(1);
    expect(svc.LoadBalancers[0].ContainerPort).toBe(8080);

    const [groupId, group] = only(ecs.template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(referencedIds(svc.LoadBalancers[0].TargetGroupArn).has(groupId)).toBe(true);
    expect(propsOf(group)).toMatchObject({
      HealthCheckPath: '/healthz',
      Matcher: { HttpCode: '200' },
      TargetType: 'ip',
    });

    const [albId, alb] = only(ecs.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(propsOf(alb).Scheme).toBe('internal');
    const attributes = Object.fromEntries(
      propsOf(alb).LoadBalancerAttributes.map((a: { Key: string; Value: unknown }) => [
        a.Key,
        a.Value,
      ]),
    );
    expect(attributes['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
    expect(attributes['access_logs.s3.enabled']).toBe('true');
    // Subnets of the private kind only.
    const privateSubnets = resourcesOf(ecs.template, 'AWS::EC2::Subnet')
      .filter(([, s]) => propsOf(s).MapPublicIpOnLaunch === false)
      .map(([id]) => id);
    for (const subnet of asArray(propsOf(alb).Subnets)) {
      expect(privateSubnets).toContain([...referencedIds(subnet)][0]);
    }

    // The only way in is CloudFront's VPC origin, over HTTPS for viewers.
    const [originId, origin] = only(ecs.template, 'AWS::CloudFront::VpcOrigin');
    expect(referencedIds(propsOf(origin).VpcOriginEndpointConfig.Arn).has(albId)).toBe(true);
    const distribution = resourcesOf(ecs.template, 'AWS::CloudFront::Distribution')
      .map(([, d]) => propsOf(d).DistributionConfig)
      .find((d) => d.Origins.some((o: any) => referencedIds(o.VpcOriginConfig).has(originId)));
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('https-only');
    expect(distribution.DefaultCacheBehavior.FunctionAssociations).toHaveLength(1);
    expect(distribution.WebACLId).toBeDefined();
  });

  it('associates the regional web ACL with the ALB, its per-IP rules keyed on the viewer the edge names', () => {
    const albId = only(ecs.template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0];
    const association = resourcesOf(ecs.template, 'AWS::WAFv2::WebACLAssociation')
      .map(([, a]) => propsOf(a))
      .find((a) => referencedIds(a.ResourceArn).has(albId));
    expect(association).toBeDefined();
    const aclId = [...referencedIds(association!.WebACLArn)][0]!;
    const acl = propsOf(ecs.template.Resources[aclId]!);
    expect(acl.Scope).toBe('REGIONAL');
    const rules = new Map<string, any>(acl.Rules.map((r: any) => [r.Name, r]));
    for (const name of ['RatePerIp', 'PublicWriteRatePerIp']) {
      const rate = rules.get(name).Statement.RateBasedStatement;
      expect(rate.AggregateKeyType).toBe('FORWARDED_IP');
      expect(rate.ForwardedIPConfig.HeaderName).toBe(viewerIpHeader);
    }
    expect(rules.has('AWS-AWSManagedRulesCommonRuleSet')).toBe(true);
    expect(rules.has('AWS-AWSManagedRulesSQLiRuleSet')).toBe(true);

    // The edge function overwrites that header with the viewer's address on every request.
    const [, fn] = only(ecs.template, 'AWS::CloudFront::Function');
    expect(propsOf(fn).FunctionCode).toContain(
      `headers['${viewerIpHeader}'] = { value: event.viewer.ip }`,
    );
  });

  it('grants the task role exactly what the replaced functions’ roles get, no wildcard action', () => {
    const taskRoleId = logicalId(ecs.stack, ecs.stack.ecsApi!.taskRole);
    const task = roleStatements(ecs.template, taskRoleId);
    // Expected: each replaced Lambda role's statements in the default shape, less what only a
    // Lambda needs (its own log group, X-Ray); the container's logs are written by ECS's agent.
    const lambdaOnly = (s: any) =>
      s.Sid === 'OwnLogGroup' || asArray(s.Action).some((a: string) => a.startsWith('xray:'));
    const expected = containerAccess.flatMap((access) =>
      roleStatements(
        lambda.template,
        logicalId(lambda.stack, lambda.stack.functions.get(access.name as FunctionName).role),
      ).filter((s) => !lambdaOnly(s)),
    );
    // As multisets: a statement two functions share is in each function's policy. The tenant
    // role's AssumeRole is one statement on the one task role, not one per function.
    const assume = (s: any) => s.Sid === 'AssumeTenantDataRole';
    const once = [...expected.filter((s) => !assume(s)), expected.find(assume)];
    expect(task.map(canonical).sort()).toEqual(once.map(canonical).sort());
    for (const statement of task) {
      for (const action of asArray<string>(statement.Action)) expect(action).not.toContain('*');
      for (const resource of asArray(statement.Resource)) expect(flatten(resource)).not.toBe('*');
    }
    // And the tenant role trusts it: tenant data goes through the same second wall.
    const tenantRole = ecs.template.Resources[logicalId(ecs.stack, ecs.stack.tenantRole)]!;
    expect(referencedIds(propsOf(tenantRole).AssumeRolePolicyDocument).has(taskRoleId)).toBe(true);
  });

  it('configures the container as the replaced Lambdas are configured', () => {
    const [, taskDef] = only(ecs.template, 'AWS::ECS::TaskDefinition');
    const [container] = propsOf(taskDef).ContainerDefinitions;
    const env = Object.fromEntries(
      container.Environment.map((e: { Name: string; Value: unknown }) => [
        e.Name,
        flatten(e.Value),
      ]),
    );
    const lambdaEnv: Record<string, string> = {};
    for (const name of containerFunctions) {
      const fnId = logicalId(lambda.stack, lambda.stack.functions.get(name).fn);
      for (const [key, value] of Object.entries(
        propsOf(lambda.template.Resources[fnId]!).Environment.Variables as Record<string, unknown>,
      )) {
        if (key !== 'SWITCHBOARD_FUNCTION') lambdaEnv[key] = flatten(value);
      }
    }
    // Same names and values, except the public URL (the container's distribution), plus where to
    // listen and the viewer header.
    const { PUBLIC_API_URL: publicUrl, PORT, HOST, VIEWER_IP_HEADER, ...rest } = env;
    const { PUBLIC_API_URL: _lambdaUrl, ...lambdaRest } = lambdaEnv;
    void _lambdaUrl;
    expect(rest).toEqual(lambdaRest);
    expect(publicUrl).toMatch(/^https:\/\/\$\{EcsApiDistribution\w+\.DomainName\}$/);
    expect({ PORT, HOST, VIEWER_IP_HEADER }).toEqual({
      PORT: '8080',
      HOST: '0.0.0.0',
      VIEWER_IP_HEADER: viewerIpHeader,
    });
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.HealthCheck.Command.join(' ')).toContain('/healthz');
  });

  it('scales on CPU and on requests per target', () => {
    const metrics = resourcesOf(ecs.template, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(
      ([, p]) =>
        propsOf(p).TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification
          .PredefinedMetricType,
    );
    expect(metrics.sort()).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
    const [, target] = only(ecs.template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    expect(propsOf(target)).toMatchObject({ MinCapacity: 2, MaxCapacity: 10 });
  });

  it('logs to an encrypted log group with the configured retention', () => {
    const [, taskDef] = only(ecs.template, 'AWS::ECS::TaskDefinition');
    const logging = propsOf(taskDef).ContainerDefinitions[0].LogConfiguration;
    expect(logging.LogDriver).toBe('awslogs');
    const groupId = [...referencedIds(logging.Options['awslogs-group'])][0]!;
    const group = propsOf(ecs.template.Resources[groupId]!);
    expect(group.RetentionInDays).toBe(90);
    expect(group.KmsKeyId).toBeDefined();
    const [, cluster] = only(ecs.template, 'AWS::ECS::Cluster');
    expect(propsOf(cluster).ClusterSettings).toContainEqual({
      Name: 'containerInsights',
      Value: 'enhanced',
    });
  });

  it('keeps every stack under 400 resources', () => {
    for (const stack of [ecs.stack, ...nestedStacksOf(ecs.stack)]) {
      const count = Object.keys(
        (Template.fromStack(stack).toJSON() as CfnTemplate).Resources,
      ).length;
      console.log(`apiRuntime=ecs ${stack.node.path}: ${count} resources`);
      expect(count, stack.node.path).toBeLessThan(400);
    }
  });
});

describe('the image', () => {
  const dockerfile = readFileSync(`${repoRoot}Dockerfile`, 'utf8');
  const ignore = readFileSync(`${repoRoot}.dockerignore`, 'utf8');

  it('is Node 22, multi-stage, non-root, with a health check and the bundle as its command', () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^node:22-/);
    expect(dockerfile).toMatch(/RUN npm ci\b/);
    expect(dockerfile).toMatch(/RUN node scripts\/build-container\.mjs \/out/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--enable-source-maps", "main\.mjs"\]$/m);
    // What the build copies is what the context lets through.
    for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(\S+)/gm)) {
      expect(ignore).toContain(`!${source!.replace(/\/$/, '')}`);
    }
  });

  it('bundles the entry as the Lambdas are bundled', async () => {
    // Plain JavaScript (the Dockerfile runs it with node alone): imported by path, untyped.
    const script = `${repoRoot}scripts/build-container.mjs`;
    const { containerBundle } = (await import(script)) as {
      containerBundle: { entry: string; banner: string; externalModules: string[] };
    };
    expect(containerBundle.entry).toMatch(/packages\/server\/src\/engine\/container\/main\.ts$/);
    expect(containerBundle.banner).toBe(esmBundling.banner);
    expect(containerBundle.externalModules).toEqual(esmBundling.externalModules);
  });
});

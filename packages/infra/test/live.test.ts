import { beforeAll, describe, expect, it } from 'vitest';
import { envNames, functions, liveSocket, type FunctionName } from '../lib/server';
import type { SwitchboardStack } from '../lib/switchboard-stack';
import {
  asArray,
  flatten,
  identityStatements,
  propsOf,
  referencedIds,
  resourcesOf,
  type CfnTemplate,
} from './cfn';
import { synthStack, type Synthesized } from './synth';

// The live sockets on AWS: a WebSocket API whose $connect is the only way in (a single-use
// ticket, checked by a REQUEST authorizer with no cache), a throttled and logged stage, the
// connections table, and ManageConnections on this API's stage only, for the functions the
// topology lets raise events or close sockets.

let stack: SwitchboardStack;
let template: CfnTemplate;
let id: Synthesized['id'];
beforeAll(() => {
  ({ stack, template, id } = synthStack());
}, 120_000);

const fanout = (Object.keys(functions) as FunctionName[]).filter(
  (name) => functions[name].live === 'fanout',
);

function only(type: string) {
  const found = resourcesOf(template, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
}

/** Route key -> its properties. */
function routes(): Map<string, Record<string, any>> {
  return new Map(
    resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => [
      propsOf(r).RouteKey as string,
      propsOf(r),
    ]),
  );
}

function statementsOfRole(template: CfnTemplate, roleId: string): any[] {
  const attached = new Set(
    [
      ...resourcesOf(template, 'AWS::IAM::Policy'),
      ...resourcesOf(template, 'AWS::IAM::ManagedPolicy'),
    ]
      .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
      .map(([policyId]) => policyId),
  );
  return identityStatements(template)
    .filter((s) => attached.has(s.owner) || s.owner === roleId)
    .map((s) => s.statement);
}

const envOf = (name: FunctionName): Record<string, unknown> =>
  propsOf(template.Resources[id(stack.functions.get(name).fn)]!).Environment.Variables;

describe('the live WebSocket API', () => {
  it('is one WebSocket API', () => {
    const [apiId, api] = only('AWS::ApiGatewayV2::Api');
    expect(apiId).toBe(id(stack.live.api));
    expect(propsOf(api).ProtocolType).toBe('WEBSOCKET');
  });

  it('has $connect, $disconnect and $default, and no route a client could name', () => {
    expect([...routes().keys()].sort()).toEqual([...liveSocket.routeKeys].sort());
  });

  it('authorizes $connect with a REQUEST authorizer on the ticket query string, uncached', () => {
    const [authorizerId, authorizer] = only('AWS::ApiGatewayV2::Authorizer');
    const props = propsOf(authorizer);
    expect(props.AuthorizerType).toBe('REQUEST');
    expect(props.IdentitySource).toEqual(['route.request.querystring.ticket']);
    // No cache: WebSocket authorizers keep none, and nothing may set one (single-use tickets).
    expect(props.AuthorizerResultTtlInSeconds ?? 0).toBe(0);
    expect(referencedIds(props.ApiId)).toEqual(new Set([id(stack.live.api)]));
    expect(referencedIds(props.AuthorizerUri)).toContain(
      id(stack.functions.get(liveSocket.authorizer).fn),
    );
    const connect = routes().get('$connect')!;
    expect(connect.AuthorizationType).toBe('CUSTOM');
    expect(referencedIds(connect.AuthorizerId)).toEqual(new Set([authorizerId]));
  });

  it('leaves only the routes of an open connection without an authorizer', () => {
    // API Gateway runs authorizers on $connect only: $disconnect and $default exist only on a
    // connection $connect let in. Any other unauthorized route would be a way in.
    const open = [...routes()]
      .filter(([, r]) => (r.AuthorizationType ?? 'NONE') === 'NONE')
      .map(([key]) => key)
      .sort();
    expect(open).toEqual(['$default', '$disconnect']);
    const authorized = [...routes()].filter(([, r]) => r.AuthorizationType === 'CUSTOM');
    expect(authorized.map(([key]) => key)).toEqual(['$connect']);
    for (const [key, route] of routes()) expect(route.ApiKeyRequired ?? false, key).toBe(false);
  });

  it('sends every route to the socket function, and lets API Gateway invoke only this API', () => {
    const socketFn = id(stack.functions.get(liveSocket.routes).fn);
    const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(3);
    for (const [integrationId, integration] of integrations) {
      expect(propsOf(integration).IntegrationType, integrationId).toBe('AWS_PROXY');
      expect(referencedIds(propsOf(integration).IntegrationUri), integrationId).toContain(socketFn);
    }
    for (const route of routes().values()) {
      expect(flatten(route.Target)).toMatch(/^integrations\//);
    }
    const authorizerFn = id(stack.functions.get(liveSocket.authorizer).fn);
    const permissions = resourcesOf(template, 'AWS::Lambda::Permission')
      .map(([, p]) => propsOf(p))
      .filter((p) => [socketFn, authorizerFn].some((fn) => referencedIds(p.FunctionName).has(fn)));
    expect(permissions.length).toBeGreaterThanOrEqual(2);
    for (const permission of permissions) {
      expect(permission.Principal).toBe('apigateway.amazonaws.com');
      expect(referencedIds(permission.SourceArn)).toContain(id(stack.live.api));
    }
  });

  it('answers on $default (a ping’s pong) and on no other route', () => {
    expect(routes().get('$default')!.RouteResponseSelectionExpression).toBe('$default');
    expect(routes().get('$connect')!.RouteResponseSelectionExpression).toBeUndefined();
    expect(routes().get('$disconnect')!.RouteResponseSelectionExpression).toBeUndefined();
  });
});

describe('the live stage', () => {
  it('throttles every route, deploys itself and writes access logs to an encrypted group', () => {
    const [, stage] = only('AWS::ApiGatewayV2::Stage');
    const props = propsOf(stage);
    expect(props.StageName).toBe(liveSocket.stageName);
    expect(props.AutoDeploy).toBe(true);
    expect(props.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
    expect(referencedIds(props.AccessLogSettings.DestinationArn)).toEqual(
      new Set([id(stack.live.accessLogs)]),
    );
    const format = JSON.parse(props.AccessLogSettings.Format as string) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      connectionId: '$context.connectionId',
      status: '$context.status',
    });
    // Never the query string: that is where the ticket travels.
    expect(JSON.stringify(format)).not.toMatch(/querystring|request\.querystring/i);
    // Deployed after its routes (an auto-deployed stage publishes what exists) and after the
    // account's CloudWatch role, which access logging needs.
    const dependsOn = asArray((stage as { DependsOn?: string | string[] }).DependsOn);
    const [accountId] = only('AWS::ApiGateway::Account');
    expect(dependsOn).toContain(accountId);
    for (const [routeId] of resourcesOf(template, 'AWS::ApiGatewayV2::Route')) {
      expect(dependsOn).toContain(routeId);
    }
    const group = propsOf(template.Resources[id(stack.live.accessLogs)]!);
    expect(referencedIds(group.KmsKeyId)).toEqual(new Set([id(stack.keys.ops)]));
  });
});

describe('the connections table', () => {
  it('is on-demand, encrypted with the table key, recoverable, expiring on expiresAt, with GSI1', () => {
    const props = propsOf(template.Resources[id(stack.live.table)]!);
    const spec = liveSocket.connectionsTable;
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS' });
    expect(referencedIds(props.SSESpecification.KMSMasterKeyId)).toEqual(
      new Set([id(stack.keys.table)]),
    );
    expect(props.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(spec.ttlAttribute).toBe('expiresAt');
    expect(props.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(props.GlobalSecondaryIndexes.map((i: any) => [i.IndexName, i.KeySchema])).toEqual([
      [
        'GSI1',
        [
          { AttributeName: 'GSI1PK', KeyType: 'HASH' },
          { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
        ],
      ],
    ]);
  });
});

describe('live IAM', () => {
  it('grants ManageConnections on this API’s stage connections only, never *', () => {
    const statements = identityStatements(template).filter((s) =>
      asArray(s.statement.Action).includes('execute-api:ManageConnections'),
    );
    expect(statements.length).toBe(fanout.length);
    for (const { owner, statement } of statements) {
      expect(asArray(statement.Action), owner).toEqual(['execute-api:ManageConnections']);
      const resources = asArray(statement.Resource).map(flatten).sort();
      const arn = (method: string) =>
        new RegExp(
          `^arn:(aws|\\$\\{AWS::Partition\\}):execute-api:${stack.region}:(\\d{12}|\\$\\{AWS::AccountId\\}):\\$\\{${id(stack.live.api)}\\}/${liveSocket.stageName}/${method}/@connections/\\*$`,
        );
      expect(resources, owner).toEqual([
        expect.stringMatching(arn('DELETE')),
        expect.stringMatching(arn('POST')),
      ]);
    }
  });

  it('gives the connections table and ManageConnections to exactly the functions granted live', () => {
    const tableId = id(stack.live.table);
    expect([...fanout].sort()).toEqual([
      'Api',
      'AuthService',
      'CampaignSender',
      'MediaFetcher',
      'MessageProcessor',
    ]);
    for (const name of Object.keys(functions) as FunctionName[]) {
      const own = statementsOfRole(template, id(stack.functions.get(name).role));
      const onTable = own.filter((s) => referencedIds(s.Resource).has(tableId));
      const manages = own.filter((s) =>
        asArray(s.Action).includes('execute-api:ManageConnections'),
      );
      const live = functions[name].live;
      expect(manages.length, name).toBe(live === 'fanout' ? 1 : 0);
      if (live === undefined) {
        expect(onTable, name).toEqual([]);
        continue;
      }
      expect(onTable, name).toHaveLength(1);
      // The fan-out lists and deletes; the socket's own function puts and deletes. No Scan.
      expect(asArray(onTable[0].Action).sort(), name).toEqual(
        live === 'fanout'
          ? ['dynamodb:DeleteItem', 'dynamodb:Query']
          : ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
      );
    }
  });

  it('lets the authorizer take tickets in the main table and nothing of the live API', () => {
    const own = statementsOfRole(template, id(stack.functions.get(liveSocket.authorizer).role));
    expect(own.some((s) => referencedIds(s.Resource).has(id(stack.live.table)))).toBe(false);
    expect(
      own.some((s) => asArray(s.Action).some((a: string) => a.startsWith('execute-api:'))),
    ).toBe(false);
  });
});

describe('live environment', () => {
  it('tells the fan-out functions the table, the management endpoint and the socket URL', () => {
    const apiId = id(stack.live.api);
    const host = `\${${apiId}}.execute-api.${stack.region}.\${AWS::URLSuffix}`;
    for (const name of fanout) {
      const vars = envOf(name);
      expect(referencedIds(vars[envNames.liveConnectionsTable]), name).toEqual(
        new Set([id(stack.live.table)]),
      );
      expect(flatten(vars[envNames.liveManagementEndpoint]), name).toBe(
        `https://${host}/${liveSocket.stageName}`,
      );
      expect(flatten(vars[envNames.liveSocketUrl]), name).toBe(
        `wss://${host}/${liveSocket.stageName}`,
      );
    }
  });

  it('tells the socket function the table only, and nobody else anything live', () => {
    for (const name of Object.keys(functions) as FunctionName[]) {
      const keys = Object.keys(envOf(name)).filter((k) => k.startsWith('LIVE_'));
      const expected =
        functions[name].live === 'fanout'
          ? [envNames.liveConnectionsTable, envNames.liveManagementEndpoint, envNames.liveSocketUrl]
          : functions[name].live === 'connections'
            ? [envNames.liveConnectionsTable]
            : [];
      expect(keys.sort(), name).toEqual([...expected].sort());
    }
  });
});

describe('live on ECS', () => {
  it('gives the API container’s task role and environment what the replaced functions get', () => {
    const ecs = synthStack({ apiRuntime: 'ecs' });
    const taskRoleId = ecs.id(ecs.stack.ecsApi!.taskRole);
    const manages = statementsOfRole(ecs.template, taskRoleId).filter((s) =>
      asArray(s.Action).includes('execute-api:ManageConnections'),
    );
    // One managed policy per replaced function, each granted live (Api, AuthService).
    expect(manages).toHaveLength(2);
    for (const statement of manages) {
      const refs = [...referencedIds(statement.Resource)].filter((r) => !r.startsWith('AWS::'));
      expect(refs).toEqual([ecs.id(ecs.stack.live.api)]);
      expect(asArray(statement.Resource).map(flatten).join()).toContain('/@connections/');
    }
    const [, taskDef] = resourcesOf(ecs.template, 'AWS::ECS::TaskDefinition')[0]!;
    const env = new Map(
      propsOf(taskDef).ContainerDefinitions[0].Environment.map(
        (e: { Name: string; Value: unknown }) => [e.Name, e.Value],
      ),
    );
    expect(referencedIds(env.get(envNames.liveConnectionsTable))).toEqual(
      new Set([ecs.id(ecs.stack.live.table)]),
    );
    expect(flatten(env.get(envNames.liveSocketUrl))).toMatch(/^wss:\/\/.*\/prod$/);
    expect(flatten(env.get(envNames.liveManagementEndpoint))).toMatch(/^https:\/\/.*\/prod$/);
  }, 120_000);
});

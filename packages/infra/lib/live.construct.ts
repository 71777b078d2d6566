import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
  type WebSocketRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import type { SwitchboardConfig } from './config';
import { liveSocket, type FunctionName } from './server';

// The deployed live sockets (topology `liveSocket`): API Gateway's WebSocket API holds the
// browsers' connections, the connections table says whose each is, and the functions that raise
// workspace events post to them through the stage's management endpoint (ApiGatewayLive in
// packages/server/src/engine/aws/api-gateway-live.ts). See docs/architecture.md, "Live updates".

export type LiveSocketsProps = {
  config: SwitchboardConfig;
  /** The main table's key: the connections table is encrypted the same way. */
  tableKey: IKey;
  logsKey: IKey;
  /** The account's API Gateway CloudWatch role (the REST API's): access logs need it first. */
  cloudWatchAccount?: IConstruct;
};

export class LiveSockets extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly table: Table;
  /** ARNs of the connections table's indexes, one by one (no `index/*` in any policy). */
  readonly indexArns: string[];
  readonly accessLogs: LogGroup;
  /** `wss://<id>.execute-api.<region>.amazonaws.com`: for the web app's CSP `connect-src`. */
  readonly origin: string;
  /** `wss://…/<stage>`: what tickets name (`LIVE_SOCKET_URL`). */
  readonly socketUrl: string;
  /** `https://…/<stage>`: PostToConnection / DeleteConnection (`LIVE_MANAGEMENT_ENDPOINT`). */
  readonly managementEndpoint: string;
  /**
   * The connections of this API's stage, per method the fan-out uses: POST (post to one) and
   * DELETE (close one). Built from the id and the stage name, not the Stage resource, so the
   * functions can carry it without a cycle (stage -> routes -> functions).
   */
  readonly connectionArns: string[];
  /** `$connect`, `$disconnect`, `$default`, once `addRoutes` ran. */
  readonly routes = new Map<string, WebSocketRoute>();

  constructor(scope: Construct, id: string, props: LiveSocketsProps) {
    super(scope, id);
    const { config } = props;
    const spec = liveSocket.connectionsTable;

    this.table = new Table(this, spec.logicalName, {
      partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
      sortKey: { name: spec.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.tableKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // API Gateway ends a connection after 2 hours; a row nobody deleted expires soon after.
      timeToLiveAttribute: spec.ttlAttribute,
      // Rows describe open sockets, which a replaced table would not have anyway.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    for (const index of spec.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    this.indexArns = spec.indexes.map((index) => `${this.table.tableArn}/index/${index.name}`);

    this.api = new WebSocketApi(this, liveSocket.logicalName, {
      apiName: `${Stack.of(this).stackName}-live`,
      // The default route selection (`$request.body.action`) sends every frame without a
      // matching route, which is all of them, to $default.
      description: 'Switchboard live updates (topology.ts liveSocket): server to browser only',
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays,
      encryptionKey: props.logsKey,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: liveSocket.stageName,
      autoDeploy: true,
      // Every route's default: connects and frames of all sockets together.
      throttle: { rateLimit: config.live.rateLimit, burstLimit: config.live.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // No query string: a ticket is single use, but it has no business in a log either.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            eventType: AccessLogField.contextEventType(),
            routeKey: AccessLogField.contextRouteKey(),
            connectionId: AccessLogField.contextConnectionId(),
            status: AccessLogField.contextStatus(),
            error: AccessLogField.contextErrorMessageString(),
            authorizerError: AccessLogField.contextAuthorizerError(),
            integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
            requestTime: AccessLogField.contextRequestTime(),
          }),
        ),
      },
    });
    if (props.cloudWatchAccount) this.stage.node.addDependency(props.cloudWatchAccount);

    const stack = Stack.of(this);
    const host = `${this.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.origin = `wss://${host}`;
    this.socketUrl = `wss://${host}/${liveSocket.stageName}`;
    this.managementEndpoint = `https://${host}/${liveSocket.stageName}`;
    this.connectionArns = ['POST', 'DELETE'].map((method) =>
      stack.formatArn({
        service: 'execute-api',
        resource: this.api.apiId,
        resourceName: `${liveSocket.stageName}/${method}/@connections/*`,
      }),
    );
  }

  /**
   * The three routes, to the socket's functions. Only $connect has an authorizer: API Gateway runs
   * none on other routes, which are reachable only on a connection $connect let in.
   */
  addRoutes(functionOf: (name: FunctionName) => IFunction): void {
    const routesFn = functionOf(liveSocket.routes);
    // (Not `Default`: CDK drops that id from logical ids, and it would collide with the route's.)
    const integration = (id: string) => new WebSocketLambdaIntegration(id, routesFn);
    // No result cache: WebSocket authorizers keep none, and a ticket is single use anyway.
    const authorizer = new WebSocketLambdaAuthorizer(
      'TicketAuthorizer',
      functionOf(liveSocket.authorizer),
      { identitySource: [`route.request.querystring.${liveSocket.ticketQueryParameter}`] },
    );
    this.routes.set(
      '$connect',
      this.api.addRoute('$connect', { integration: integration('ConnectIntegration'), authorizer }),
    );
    this.routes.set(
      '$disconnect',
      this.api.addRoute('$disconnect', { integration: integration('DisconnectIntegration') }),
    );
    // A two-way route: a ping's pong goes back on the socket.
    this.routes.set(
      '$default',
      this.api.addRoute('$default', {
        integration: integration('MessageIntegration'),
        returnResponse: true,
      }),
    );
    // An auto-deployed stage publishes whatever exists when it is created: routes first.
    for (const route of this.routes.values()) this.stage.node.addDependency(route);
    this.acknowledge();
  }

  private acknowledge(): void {
    const ack = (scope: IConstruct, id: string, reason: string) =>
      Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
    for (const key of ['$disconnect', '$default']) {
      ack(
        this.routes.get(key)!,
        'APIG4',
        'API Gateway runs WebSocket authorizers on $connect only; this route is reachable only on a connection that passed the ticket authorizer there, and its function trusts nothing the client sends (it answers a ping, nothing else).',
      );
    }
    for (const route of this.routes.values()) {
      ack(
        route,
        'COG4',
        'Users are Switchboard accounts (JWTs signed with keys from Secrets Manager), not a Cognito user pool: $connect is authorized by a single-use ticket that such a session obtained.',
      );
    }
  }
}

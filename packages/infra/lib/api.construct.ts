import { Duration, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { RequestValidator } from 'aws-cdk-lib/aws-apigateway';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
  type IResource,
  type IRestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { CfnWebACLAssociation, type CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { SwitchboardConfig } from './config';
import type { FunctionName, RouteSpec } from './server';
import { allRoutes } from './topology-reader';

const corsHeaders = ['Content-Type', 'Authorization', 'X-Api-Key', 'Idempotency-Key'];

/**
 * Where each route's resources and methods live: the stack split by concern. Each route costs a
 * Method, each path a Resource and a CORS preflight Method, and one CloudFormation stack holds at
 * most 500 resources, so the API's tree is spread over nested stacks, one per concern, keyed by a
 * path's first segment (a segment's whole tree must live in one stack: API Gateway refuses two
 * resources with the same parent and name). The root stack keeps the Meta webhook (the one path
 * the product cannot lose) and everything that is not a route. The assignment is fixed, not
 * computed, because moving a tree between stacks on a later deploy would create the new resource
 * before deleting the old one, which API Gateway refuses. A new first segment fails synth until it
 * is placed here.
 */
export const routeStacks = {
  Root: ['webhooks'],
  IdentityRoutes: [
    'auth',
    '.well-known',
    'users',
    'invitations',
    'api-keys',
    'security-policy',
    'sso-settings',
    'audit-events',
  ],
  PlatformRoutes: ['admin', 'openapi.json', 'docs'],
  InboxRoutes: [
    'channels',
    'conversations',
    'customers',
    'send-message',
    'media',
    'live',
    'labels',
    'canned-replies',
    'settings',
  ],
  LeadsRoutes: [
    'forms',
    'public',
    'leads',
    'pipeline',
    'branding',
    'assets',
    'crm-destinations',
    'event-destinations',
    'reports',
    'campaigns',
  ],
} as const satisfies Record<string, readonly string[]>;

export type RouteStackName = keyof typeof routeStacks;

/** The stack a route's path lives in, from its first segment. */
export function routeStackOf(path: string): RouteStackName {
  const segment = path.split('/')[1] ?? '';
  for (const [name, segments] of Object.entries(routeStacks)) {
    if ((segments as readonly string[]).includes(segment)) return name as RouteStackName;
  }
  throw new Error(
    `route path ${path}: its first segment "${segment}" is in no route stack; add it to routeStacks in packages/infra/lib/api.construct.ts`,
  );
}

/** API Gateway's own errors in the app's shape: `{ error: { code, message } }`. */
const gatewayErrors: { type: ResponseType; status: string; code: string }[] = [
  // An unknown path: API Gateway says 403 "Missing Authentication Token"; the app says 404.
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: '404', code: 'not_found' },
  { type: ResponseType.THROTTLED, status: '429', code: 'rate_limited' },
  { type: ResponseType.REQUEST_TOO_LARGE, status: '413', code: 'payload_too_large' },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, status: '400', code: 'bad_request' },
  { type: ResponseType.WAF_FILTERED, status: '403', code: 'forbidden' },
  { type: ResponseType.DEFAULT_4XX, status: '400', code: 'bad_request' },
  { type: ResponseType.DEFAULT_5XX, status: '502', code: 'internal_error' },
];

/**
 * The one regional REST API. Routes are added from the topology by `addRoutes`, each method a
 * Lambda proxy to the function that serves it. The stage throttles every method, traces, and
 * writes access logs; WAF is associated with it.
 *
 * No usage plan: API Gateway plans meter API Gateway API keys, and Switchboard's API keys are its
 * own (tenant keys in the table, checked by the app, `X-Api-Key` passed through untouched). A plan
 * with no key bounds nothing. Limits live in WAF (per IP), on this stage (all callers together)
 * and in the app (per API key and per tenant); see docs/architecture.md, "Request limits".
 */
export class Api extends Construct {
  readonly api: RestApi;
  /** `https://<id>.execute-api.<region>.amazonaws.com`: no stage, for CSP `connect-src`. */
  readonly origin: string;
  /** The origin plus the stage: what clients call. Built from the id, not the Stage, so functions
   * can carry it without a dependency cycle (stage -> deployment -> methods -> functions). */
  readonly publicUrl: string;
  private readonly validator: RequestValidator;
  /** The nested stacks holding the routes of each concern (all but the root's). */
  readonly nestedRouteStacks = new Map<Exclude<RouteStackName, 'Root'>, NestedStack>();

  constructor(
    scope: Construct,
    id: string,
    props: { config: SwitchboardConfig; logsKey: IKey; webAcl: CfnWebACL },
  ) {
    super(scope, id);
    const { config } = props;
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays,
      encryptionKey: props.logsKey,
    });

    this.api = new RestApi(this, 'RestApi', {
      restApiName: `${Stack.of(this).stackName}-api`,
      description: 'Switchboard HTTP API (routes from packages/server/src/engine/topology.ts)',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Execution logs need the account-level CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: config.apiStageName,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Never log bodies: they carry messages and tokens.
        dataTraceEnabled: false,
        // The default for every method (`*/*`): the whole API's share of the account's limit.
        throttlingRateLimit: config.api.rateLimit,
        throttlingBurstLimit: config.api.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            method: AccessLogField.contextHttpMethod(),
            resourcePath: AccessLogField.contextResourcePath(),
            status: AccessLogField.contextStatus(),
            responseLength: AccessLogField.contextResponseLength(),
            latencyMs: AccessLogField.contextResponseLatency(),
            integrationLatencyMs: AccessLogField.contextIntegrationLatency(),
            wafStatus: AccessLogField.contextWafResponseCode(),
            error: AccessLogField.contextErrorMessageString(),
            requestTime: AccessLogField.contextRequestTime(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
          }),
        ),
      },
    });
    const { region, urlSuffix } = Stack.of(this);
    // API Gateway would create its execution log group itself: unencrypted, kept forever.
    new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${config.apiStageName}`,
      retention: config.logRetentionDays,
      encryptionKey: props.logsKey,
    });
    this.origin = `https://${this.api.restApiId}.execute-api.${region}.${urlSuffix}`;
    this.publicUrl = `${this.origin}/${config.apiStageName}`;

    // Bodies are validated by the app (Zod); API Gateway checks the declared path parameters.
    this.validator = this.api.addRequestValidator('ParameterValidator', {
      validateRequestParameters: true,
      validateRequestBody: false,
    });

    const association = new CfnWebACLAssociation(this, 'WafAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: props.webAcl.attrArn,
    });
    association.node.addDependency(this.api.deploymentStage);
  }

  /**
   * Every topology route becomes a method on its resource, proxied to its function, in the stack
   * of its concern (`routeStacks`). The stage's deployment depends on every nested stack and
   * changes whenever the route table does, so a deploy never publishes a stage missing a method.
   */
  addRoutes(
    functionOf: (name: FunctionName) => IFunction,
    webOrigin: string,
    /** The routes API Gateway serves (`apiRuntime=ecs`: only the webhook's; see ecs.construct.ts). */
    served: (route: RouteSpec) => boolean = () => true,
  ): void {
    const apis = new Map<RouteStackName, IRestApi>([['Root', this.api]]);
    const apiOf = (name: RouteStackName): IRestApi => {
      let api = apis.get(name);
      if (!api) {
        const nested = new NestedStack(this, name, {
          description: `Switchboard API routes: ${routeStacks[name].join(', ')}`,
        });
        this.nestedRouteStacks.set(name as Exclude<RouteStackName, 'Root'>, nested);
        api = RestApi.fromRestApiAttributes(nested, 'RestApi', {
          restApiId: this.api.restApiId,
          rootResourceId: this.api.restApiRootResourceId,
        });
        apis.set(name, api);
      }
      return api;
    };
    const integrations = new Map<string, LambdaIntegration>();
    const integrationOf = (stack: RouteStackName, name: FunctionName) => {
      const key = `${stack}/${name}`;
      let integration = integrations.get(key);
      if (!integration) {
        // One invoke permission per function and stack for this API, not one per method: a stack
        // holds at most 500 resources and each route already costs a Method. A request that
        // reaches the wrong function still finds only that function's routes (createApp filters
        // by function).
        integration = new LambdaIntegration(functionOf(name), {
          proxy: true,
          scopePermissionToMethod: false,
        });
        integrations.set(key, integration);
      }
      return integration;
    };

    const byResource = new Map<IResource, RouteSpec[]>();
    const routes = allRoutes.filter(served);
    for (const route of routes) {
      const stack = routeStackOf(route.path);
      const resource = apiOf(stack).root.resourceForPath(route.path);
      resource.addMethod(route.method, integrationOf(stack, route.function), {
        operationName: route.id,
        requestValidator: this.validator,
        requestParameters: Object.fromEntries(
          [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => [
            `method.request.path.${m[1]}`,
            true,
          ]),
        ),
      });
      byResource.set(resource, [...(byResource.get(resource) ?? []), route]);
    }
    // Browsers preflight cross-origin calls from the web app; only its origin is allowed.
    for (const [resource, served] of byResource) {
      resource.addCorsPreflight({
        allowOrigins: [webOrigin],
        allowMethods: [...new Set(served.map((r) => r.method))],
        allowHeaders: corsHeaders,
        maxAge: Duration.hours(1),
      });
    }
    const deployment = this.api.latestDeployment;
    if (!deployment) throw new Error('the REST API has no deployment');
    for (const nested of this.nestedRouteStacks.values()) deployment.node.addDependency(nested);
    // Methods in nested stacks do not reach the root deployment's logical id: the route table
    // does, so any route change makes a new deployment.
    deployment.addToLogicalId(
      routes.map((r) => [r.id, r.method, r.path, r.function, routeStackOf(r.path)]),
    );
    for (const error of gatewayErrors) {
      this.api.addGatewayResponse(`Gateway${error.type.responseType}`, {
        type: error.type,
        statusCode: error.status,
        responseHeaders: { 'Access-Control-Allow-Origin': `'${webOrigin}'` },
        templates: {
          'application/json': `{"error":{"code":"${error.code}","message":$context.error.messageString}}`,
        },
      });
    }
  }
}

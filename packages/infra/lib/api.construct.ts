import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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

  /** Every topology route becomes a method on its resource, proxied to its function. */
  addRoutes(functionOf: (name: FunctionName) => IFunction, webOrigin: string): void {
    const integrations = new Map<FunctionName, LambdaIntegration>();
    const integrationOf = (name: FunctionName) => {
      let integration = integrations.get(name);
      if (!integration) {
        // One invoke permission per function for this API, not one per method: a stack holds at
        // most 500 resources and each route already costs a Method. A request that reaches the
        // wrong function still finds only that function's routes (createApp filters by function).
        integration = new LambdaIntegration(functionOf(name), {
          proxy: true,
          scopePermissionToMethod: false,
        });
        integrations.set(name, integration);
      }
      return integration;
    };

    const byResource = new Map<IResource, RouteSpec[]>();
    for (const route of allRoutes) {
      const resource = this.api.root.resourceForPath(route.path);
      resource.addMethod(route.method, integrationOf(route.function), {
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

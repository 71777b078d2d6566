import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Api } from './api.construct';
import type { Bus } from './bus.construct';
import type { CampaignSchedules } from './campaign-schedules.construct';
import type { Cdn } from './cdn.construct';
import type { Functions } from './functions.construct';
import type { LiveSockets } from './live.construct';
import type { Secrets } from './secrets.construct';
import type { PlatformSso } from './sso.construct';
import { mediaObjects, type Storage } from './storage.construct';
import { rawWebhookPrefix } from './server';

// Every cdk-nag finding Switchboard accepts, on the narrowest construct, with the reason it is
// right here. Anything not listed fails `npm run synth` (and the infra tests).

export type NagScope = {
  api: Api;
  functions: Functions;
  cdn: Cdn;
  bus: Bus;
  secrets: Secrets;
  storage: Storage;
  platformSso?: PlatformSso;
  /** The table stream consumer's on-failure queue. */
  streamFailureQueue?: IConstruct;
  live?: LiveSockets;
  campaignSchedules?: CampaignSchedules;
};

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
}

function arnToken(resource: IConstruct): string {
  const logicalId = Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement);
  return `<${logicalId}.Arn>`;
}

/** An ARN as cdk-nag names it in a finding: `{ Ref: X }` -> `<X>`, GetAtt -> `<X.Attr>`. */
function nagArn(scope: IConstruct, arn: string): string {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const obj = value as Record<string, unknown>;
    if (typeof obj.Ref === 'string') return `<${obj.Ref}>`;
    if (Array.isArray(obj['Fn::GetAtt'])) return `<${(obj['Fn::GetAtt'] as string[]).join('.')}>`;
    if (Array.isArray(obj['Fn::Join'])) {
      const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    return JSON.stringify(obj);
  };
  return render(Stack.of(scope).resolve(arn));
}

/** The live fan-out's ManageConnections on `@connections/*`, acknowledged on `role`. */
export function acknowledgeLiveConnections(role: IConstruct, live: LiveSockets): void {
  for (const arn of live.connectionArns) {
    ack(
      role,
      `IAM5[Resource::${nagArn(role, arn)}]`,
      'Connection ids are API Gateway’s, one per open socket; access is limited to this WebSocket API’s stage and the one method each call needs (POST to post, DELETE to close).',
    );
  }
}

/** Campaign wake-ups: the campaigns' schedules in their group, acknowledged on `role`. */
export function acknowledgeCampaignSchedules(role: IConstruct, schedules: CampaignSchedules): void {
  ack(
    role,
    `IAM5[Resource::${nagArn(role, schedules.campaignScheduleArns)}]`,
    'One schedule per campaign, named at runtime from a hash of its tenant and id; access is limited to that name prefix in the campaigns’ schedule group (not its recurring sweep).',
  );
}

export function acknowledgeNagFindings(scope: NagScope): void {
  const { api, functions, cdn, bus, secrets, storage, platformSso, streamFailureQueue } = scope;

  // The methods live in the API's own stack and in the nested route stacks of each concern.
  for (const routes of [api.api, ...api.nestedRouteStacks.values()]) {
    ack(
      routes,
      'APIG4',
      'Authorisation is the app’s: every route declares its access in topology.ts and the app verifies an ES256 JWT or API key (tenant from verified claims only); Meta webhooks are verified by HMAC. An API Gateway authorizer would duplicate that and split the logic across runtimes.',
    );
    ack(
      routes,
      'COG4',
      'Users are Switchboard accounts (JWTs signed with keys from Secrets Manager), not a Cognito user pool; see APIG4.',
    );
    ack(
      routes,
      'APIG2',
      'Bodies are validated by the app with Zod (one schema shared with the sandbox); the request validator checks path parameters, and WAF caps body sizes per route.',
    );
  }
  ack(
    api.api,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    'The account-level role API Gateway uses to write execution logs; AWS maintains this policy for exactly that purpose.',
  );

  for (const distribution of [cdn.web, cdn.assets]) {
    ack(
      distribution,
      'CFR1',
      'Tenants and their customers are worldwide; WAF rate limits and managed rules apply instead of country blocks.',
    );
    ack(
      distribution,
      'CFR4',
      'The default *.cloudfront.net certificate fixes the viewer TLS policy; attach a custom domain with an ACM certificate to enforce TLSv1.2_2021 (see README).',
    );
  }

  ack(
    bus.dlq,
    'SQS3',
    'This queue is the dead-letter queue of SwitchboardBus itself and of its rules (set on the bus and on each rule target), which cdk-nag does not recognise as DLQ use.',
  );

  if (streamFailureQueue) {
    ack(
      streamFailureQueue,
      'SQS3',
      'This queue is the on-failure destination of the table stream’s event source mapping (StreamConsumer), a dead-letter use cdk-nag does not recognise.',
    );
  }

  const archiveObjects = `${arnToken(storage.rawWebhooks)}/${rawWebhookPrefix}*`;
  const assetObjects = `${arnToken(storage.assets)}/*`;
  const mediaObjectArns = `${arnToken(storage.media)}/${mediaObjects}`;
  for (const { fn, role, access } of functions.byName.values()) {
    ack(
      fn,
      'L1',
      'Node.js 22 is the runtime the code is built and tested for (esbuild target node22); move to the next LTS runtime with the toolchain.',
    );
    ack(
      role,
      'IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords (added by active tracing) do not support resource-level permissions.',
    );
    if (access.rawArchive !== 'none') {
      ack(
        role,
        `IAM5[Resource::${archiveObjects}]`,
        'Raw webhook bodies are keyed by date and content hash under this prefix; the function may only touch that prefix of the archive bucket.',
      );
    }
    if (access.assets !== 'none') {
      ack(
        role,
        `IAM5[Resource::${assetObjects}]`,
        'Tenant asset keys are created at runtime (one per upload); access is limited to the tenant assets bucket, and the app scopes keys by tenant.',
      );
    }
    if (access.live === 'fanout' && scope.live) acknowledgeLiveConnections(role, scope.live);
    if (access.spec.wakesCampaigns && scope.campaignSchedules) {
      acknowledgeCampaignSchedules(role, scope.campaignSchedules);
    }
    if (access.media !== 'none') {
      ack(
        role,
        `IAM5[Resource::${mediaObjectArns}]`,
        'Attachment keys are created at runtime (one per media id) under each tenant’s media prefix; access is limited to that pattern in the media bucket, and the app builds keys from the verified tenant.',
      );
    }
  }

  if (platformSso) {
    ack(
      platformSso.clientSecret,
      'SMG4',
      'The identity provider issues this client secret (Cognito: set by the stack from the app client); rotating it is done at the provider, then here.',
    );
  }
  if (platformSso?.userPool) {
    if (platformSso.mfa !== 'required') {
      ack(
        platformSso.userPool,
        'COG2',
        'MFA is the operator’s choice (context cognitoMfa): optional lets every user enrol TOTP, and Switchboard’s own two-factor still applies to accounts that turn it on. Set cognitoMfa=required to enforce it in the pool.',
      );
    }
    ack(
      platformSso.userPool,
      'COG8',
      'The Plus feature plan (threat protection) is a paid tier: the operator opts in. Sign-ins are also throttled by WAF on the API and audited in the app.',
    );
  }

  for (const secret of secrets.byName.values()) {
    ack(
      secret,
      'SMG4',
      'Values come from Meta (app secret, verify token) or are rotated by the app (JWT key set keeps old keys to verify); the admin password is changed by signing in. Secrets Manager rotation Lambdas would fight those owners.',
    );
  }
}

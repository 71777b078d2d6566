import { Duration, RemovalPolicy, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { VpcOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  FlowLogDestination,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { GatewayVpcEndpointAwsService } from 'aws-cdk-lib/aws-ec2';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
  type ContainerDefinition,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import {
  ManagedPolicy,
  PolicyStatement,
  Role,
  ServicePrincipal,
  type IRole,
} from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { CfnWebACLAssociation, type CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct, type IConstruct } from 'constructs';
import type { SwitchboardConfig } from './config';
import { functionStatements, type PolicyInputs } from './function-policy';
import { accessEnvironment } from './functions.construct';
import { AlbWebAcl, viewerIpHeader } from './ecs-waf.construct';
import type { LiveSockets } from './live.construct';
import { acknowledgeCampaignSchedules, acknowledgeLiveConnections } from './nag';
import { envNames, functions, repoRoot } from './server';
import { mediaObjects, type Storage } from './storage.construct';
import { functionAccess, type FunctionAccess } from './topology-reader';
import { containerFunctions, healthPath } from '../../server/src/engine/container/served-functions';

export { containerFunctions };

// The tenant-facing API on ECS Fargate (`-c apiRuntime=ecs`): the container of the repo's
// Dockerfile (packages/server/src/engine/container/main.ts), serving the routes of every HTTP
// function but the Meta webhook's, in private subnets behind an internal ALB that only CloudFront
// reaches (a VPC origin). Viewers get HTTPS on CloudFront's default certificate; no task has a
// public IP. See docs/architecture.md, "The CRUD API on ECS".

const containerPort = 8080;

export type EcsApiProps = {
  config: SwitchboardConfig;
  storage: Storage;
  logsKey: PolicyInputs['keys']['ops'];
  /** The regional API ACL's rules are rebuilt for the ALB (ecs-waf.ts); this one fronts CloudFront. */
  cdnAcl: CfnWebACL;
};

export type EcsServiceProps = PolicyInputs & {
  config: SwitchboardConfig;
  webOrigin: string;
  assetsCdn: { domainName: string; keyPairId: string };
};

/** The functions the container replaces, with what each is granted (topology-reader.ts). */
export const containerAccess: readonly FunctionAccess[] = containerFunctions.map((name) =>
  functionAccess(functions[name]),
);

export class EcsApi extends Construct {
  readonly vpc: Vpc;
  readonly alb: ApplicationLoadBalancer;
  readonly distribution: Distribution;
  readonly waf: AlbWebAcl;
  /** `https://<id>.cloudfront.net`: the API's origin (CSP `connect-src`) and its public base URL. */
  readonly origin: string;
  readonly publicUrl: string;
  readonly taskRole: Role;
  readonly logGroup: LogGroup;
  private readonly targetGroup: ApplicationTargetGroup;
  private readonly cluster: Cluster;
  private readonly props: EcsApiProps;
  private container?: ContainerDefinition;
  service?: FargateService;

  constructor(scope: Construct, id: string, props: EcsApiProps) {
    super(scope, id);
    this.props = props;
    const { config, storage } = props;

    // Private subnets with egress through NAT: the API calls Meta's Graph API, tenants' CRM
    // webhooks and OpenID providers on the internet, which VPC endpoints cannot reach. DynamoDB
    // and S3 go through free gateway endpoints instead of the NAT.
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: config.ecs.natGateways,
      subnetConfiguration: [
        { name: 'Public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'Private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      gatewayEndpoints: {
        DynamoDb: { service: GatewayVpcEndpointAwsService.DYNAMODB },
        S3: { service: GatewayVpcEndpointAwsService.S3 },
      },
    });
    const flowLogs = new LogGroup(this, 'FlowLogs', {
      retention: config.logRetentionDays,
      encryptionKey: props.logsKey,
    });
    this.vpc.addFlowLog('FlowLog', { destination: FlowLogDestination.toCloudWatchLogs(flowLogs) });

    this.cluster = new Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ContainerInsights.ENHANCED,
    });

    // Internal: reachable only inside the VPC, where CloudFront's VPC origin places its ENIs.
    const albGroup = new SecurityGroup(this, 'AlbSecurityGroup', {
      vpc: this.vpc,
      description: 'Switchboard API ALB: HTTP from inside the VPC (CloudFront VPC origin) only',
      allowAllOutbound: false,
    });
    albGroup.addIngressRule(
      Peer.ipv4(this.vpc.vpcCidrBlock),
      Port.tcp(80),
      'CloudFront VPC origin',
    );
    this.alb = new ApplicationLoadBalancer(this, 'Alb', {
      vpc: this.vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: albGroup,
      dropInvalidHeaderFields: true,
    });
    // Its own bucket: ALB log delivery needs a bucket policy the ALB waits for, and the shared
    // access-log bucket's policy waits (through the media bucket's CORS) for the web distribution,
    // whose CSP names this API's distribution: a cycle.
    const albLogs = new Bucket(this, 'AlbLogs', {
      // ALB access logs are delivered only to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: storage.logs,
      serverAccessLogsPrefix: 's3/alb-logs/',
      lifecycleRules: [{ expiration: Duration.days(config.logRetentionDays) }],
    });
    this.alb.logAccessLogs(albLogs, 'alb/api');
    this.targetGroup = new ApplicationTargetGroup(this, 'Targets', {
      vpc: this.vpc,
      port: containerPort,
      protocol: ApplicationProtocol.HTTP,
      targetType: TargetType.IP,
      // Under the container's drain (SHUTDOWN_GRACE_MS 25 s) and the task's stopTimeout (30 s).
      deregistrationDelay: Duration.seconds(20),
      healthCheck: {
        path: healthPath,
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    // Plain HTTP inside the VPC: TLS ends at CloudFront, and the hop from its VPC origin ENIs to
    // the ALB never leaves AWS's network.
    this.alb.addListener('Http', {
      port: 80,
      protocol: ApplicationProtocol.HTTP,
      open: false,
      defaultTargetGroups: [this.targetGroup],
    });

    this.waf = new AlbWebAcl(this, 'Waf', { config, logsKey: props.logsKey });
    new CfnWebACLAssociation(this, 'WafAssociation', {
      resourceArn: this.alb.loadBalancerArn,
      webAclArn: this.waf.acl.attrArn,
    });

    // The viewer's address for WAF's per-IP rules and the app: overwritten on every request, so
    // a client cannot choose it (X-Forwarded-For keeps whatever the client sent first).
    const viewerIp = new EdgeFunction(this, 'ViewerIp', {
      runtime: FunctionRuntime.JS_2_0,
      comment: `Switchboard API: ${viewerIpHeader} = the viewer's address`,
      code: FunctionCode.fromInline(
        `function handler(event) { event.request.headers['${viewerIpHeader}'] = { value: event.viewer.ip }; return event.request; }`,
      ),
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Switchboard API (ECS)',
      webAclId: props.cdnAcl.attrArn,
      enableLogging: true,
      logBucket: storage.logs,
      logFilePrefix: 'cloudfront/api/',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: VpcOrigin.withApplicationLoadBalancer(this.alb, {
          httpPort: 80,
          protocolPolicy: OriginProtocolPolicy.HTTP_ONLY,
          readTimeout: Duration.seconds(30),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        // Nothing is cached: every answer is per caller. With caching off, the AllViewer policies
        // also forward Authorization.
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        functionAssociations: [{ function: viewerIp, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.publicUrl = this.origin;

    this.taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: `Switchboard API container: the grants of ${containerFunctions.join(', ')}`,
    });
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetentionDays,
      encryptionKey: props.logsKey,
    });
  }

  /**
   * The Fargate service, once the web origin is known: the task role gets exactly the statements
   * each replaced function's role gets (function-policy.ts), one managed policy per function, and
   * the container the union of their environments.
   */
  addService(props: EcsServiceProps): void {
    const { config } = props;
    for (const access of containerAccess) {
      const policy = new ManagedPolicy(this, `${access.name}Grants`, {
        description: `Switchboard API container: what the ${access.name} function is granted`,
        statements: functionStatements(access, props),
        roles: [this.taskRole],
      });
      acknowledgeObjectWildcards(policy, access, props.storage, props.live);
      if (access.spec.wakesCampaigns) acknowledgeCampaignSchedules(policy, props.campaignSchedules);
    }

    const task = new FargateTaskDefinition(this, 'Task', {
      cpu: config.ecs.cpu,
      memoryLimitMiB: config.ecs.memoryMiB,
      taskRole: this.taskRole,
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.X86_64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    task.addVolume({ name: 'tmp' });
    this.container = task.addContainer('Api', {
      // Built and pushed at deploy (publish) time; synthesis only hashes the build context.
      image: ContainerImage.fromAsset(repoRoot, {
        file: 'Dockerfile',
        platform: Platform.LINUX_AMD64,
      }),
      portMappings: [{ containerPort }],
      readonlyRootFilesystem: true,
      environment: containerEnvironment(props, this.publicUrl),
      logging: LogDrivers.awsLogs({ streamPrefix: 'api', logGroup: this.logGroup }),
      stopTimeout: Duration.seconds(30),
      healthCheck: {
        command: [
          'CMD',
          'node',
          '-e',
          `fetch('http://127.0.0.1:${containerPort}${healthPath}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(20),
      },
    });
    this.container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });

    const taskGroup = new SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'Switchboard API tasks: from the ALB only; out to AWS APIs, Meta, CRMs',
      allowAllOutbound: true,
    });
    const albGroup = this.alb.connections.securityGroups[0];
    if (!albGroup) throw new Error('the ALB has no security group');
    taskGroup.addIngressRule(albGroup, Port.tcp(containerPort), 'the ALB');
    albGroup.addEgressRule(taskGroup, Port.tcp(containerPort), 'the API tasks');

    this.service = new FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: task,
      desiredCount: config.ecs.minTasks,
      assignPublicIp: false,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [taskGroup],
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(60),
    });
    this.service.attachToApplicationTargetGroup(this.targetGroup);

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: config.ecs.minTasks,
      maxCapacity: config.ecs.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: config.ecs.cpuTargetPercent });
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: config.ecs.requestsPerTarget,
      targetGroup: this.targetGroup,
    });
    this.acknowledge();
  }

  /** Lets the tasks assume the tenant role (the IAM second wall), as the Lambdas do. */
  allowTenantRole(tenantRole: IRole): void {
    this.taskRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeTenantDataRole',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: [tenantRole.roleArn],
      }),
    );
    this.container?.addEnvironment(envNames.tenantDataRoleArn, tenantRole.roleArn);
  }

  private acknowledge(): void {
    ack(
      this.alb.connections.securityGroups[0]!,
      'EC23',
      'The only ingress is HTTP from the VPC’s own CIDR (cdk-nag cannot resolve the CIDR token): the ALB is internal, and CloudFront’s VPC origin ENIs are its only callers.',
    );
    ack(
      this.service!.taskDefinition,
      'ECS2',
      'The environment holds resource names, ARNs and URLs only (the same variables the Lambdas get); every secret is read at run time from Secrets Manager by its ARN, with the task role.',
    );
    ack(
      this.distribution,
      'CFR1',
      'Tenants and their customers are worldwide; WAF rate limits and managed rules apply instead of country blocks.',
    );
    ack(
      this.distribution,
      'CFR4',
      'The default *.cloudfront.net certificate fixes the viewer TLS policy; attach a custom domain with an ACM certificate to enforce TLSv1.2_2021 (see README).',
    );
    ack(
      this.distribution,
      'CFR5',
      'The origin is the internal ALB behind a VPC origin: the hop stays inside AWS and the VPC, and the ALB listens on HTTP only (TLS ends at CloudFront).',
    );
    const execution = this.service?.taskDefinition.executionRole;
    if (execution) {
      ack(
        execution,
        'IAM5[Resource::*]',
        'ECS’s execution role pulls the image: ecr:GetAuthorizationToken has no resource-level permissions.',
      );
    }
  }
}

function ack(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });
}

function arnToken(resource: IConstruct): string {
  const logicalId = Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement);
  return `<${logicalId}.Arn>`;
}

/** The same object-key wildcards nag.ts accepts on the Lambda roles, for the same reasons. */
function acknowledgeObjectWildcards(
  policy: ManagedPolicy,
  access: FunctionAccess,
  storage: Storage,
  live: LiveSockets,
) {
  if (access.live === 'fanout') acknowledgeLiveConnections(policy, live);
  if (access.assets !== 'none') {
    ack(
      policy,
      `IAM5[Resource::${arnToken(storage.assets)}/*]`,
      'Tenant asset keys are created at runtime (one per upload); access is limited to the tenant assets bucket, and the app scopes keys by tenant.',
    );
  }
  if (access.media !== 'none') {
    ack(
      policy,
      `IAM5[Resource::${arnToken(storage.media)}/${mediaObjects}]`,
      'Attachment keys are created at runtime (one per media id) under each tenant’s media prefix; access is limited to that pattern in the media bucket, and the app builds keys from the verified tenant.',
    );
  }
}

/**
 * The union of the replaced functions' environments, as functions.construct.ts sets them per
 * function (ecs.test.ts compares the two), plus where the container listens and the viewer header.
 */
function containerEnvironment(props: EcsServiceProps, apiUrl: string): Record<string, string> {
  const env: Record<string, string> = {
    NODE_OPTIONS: '--enable-source-maps',
    [envNames.logLevel]: 'info',
    PORT: String(containerPort),
    HOST: '0.0.0.0',
    VIEWER_IP_HEADER: viewerIpHeader,
  };
  for (const access of containerAccess)
    Object.assign(env, accessEnvironment(access, props, apiUrl));
  return env;
}

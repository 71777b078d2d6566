import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal, type IRole } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Runtime,
  StartingPosition,
  Tracing,
  type DlqDestinationConfig,
  type IEventSourceMapping,
  type IFunction,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import {
  LogLevel,
  NodejsFunction,
  OutputFormat,
  SourceMapMode,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { SwitchboardConfig } from './config';
import { functionStatements, type PolicyInputs } from './function-policy';
import {
  envNames,
  lambdaEntryDir,
  repoRoot,
  serverPackageJson,
  ssoEnvNames,
  tableStream,
  type FunctionName,
} from './server';
import { allFunctions, allQueues, functionAccess, type FunctionAccess } from './topology-reader';

export type DeployedFunction = {
  fn: NodejsFunction;
  role: Role;
  logGroup: LogGroup;
  access: FunctionAccess;
};

export type FunctionsProps = PolicyInputs & {
  /** Functions served elsewhere (the API container on ECS): not created as Lambdas. */
  exclude?: readonly FunctionName[];
  config: SwitchboardConfig;
  /** The web app's origin, for CORS answers from the HTTP functions. */
  webOrigin: string;
  /** The API's base URL with its stage, for links the HTTP functions hand out. */
  apiUrl: string;
  assetsCdn: { domainName: string; keyPairId: string };
};

// esbuild turns CJS dependencies into `require` calls; an ESM bundle has no `require` of its own.
const requireShim =
  "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);";

// Tenant patterns run in re2-wasm (RE2 compiled to WebAssembly), which reads its 850 KB binary
// from its own directory (`__dirname`) and is loaded at run time (`createRequire`, so the server
// can drop a broken instance and load a fresh one). Bundled, it would have neither: an ESM bundle
// has no `__dirname`, and a bundled module cannot be reloaded. So it stays a real package,
// external to esbuild and copied (no install, no network) into each bundle's `node_modules`.
// Every function gets it, not only the bundles that reach the pattern code today (most do, via
// the tenant data accessor): a missing copy would fail only at run time, on a tenant's pattern.
export const esmBundling = { banner: requireShim, externalModules: ['re2-wasm'] };

/** re2-wasm's package directory, as the server resolves it. */
export const re2PackageDir = dirname(
  createRequire(serverPackageJson).resolve('re2-wasm/package.json'),
);
/** What re2-wasm needs at run time (its JavaScript and the binary) and its licence. */
const re2PackageFiles = ['package.json', 'LICENSE', 'build'];

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * afterBundling commands that copy re2-wasm into a bundle's `node_modules`. Under the project root
 * the source goes through the bundling input directory (the root locally, its mount in Docker).
 */
export function copyRe2Package(inputDir: string, outputDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(re2PackageDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  if (Object.keys(manifest.dependencies ?? {}).length > 0) {
    throw new Error('re2-wasm now has dependencies: they must be copied into the bundles too');
  }
  const fromRoot = relative(repoRoot, re2PackageDir);
  const inside = !fromRoot.startsWith('..') && !isAbsolute(fromRoot);
  const source = inside ? join(inputDir, fromRoot) : re2PackageDir;
  const target = join(outputDir, 'node_modules', 're2-wasm');
  return [
    `mkdir -p ${shellQuote(target)}`,
    `cp -R ${re2PackageFiles.map((f) => shellQuote(join(source, f))).join(' ')} ${shellQuote(target)}`,
  ];
}

/**
 * SqsDlq without its grant: `grantSendMessages` would add wildcard KMS actions (`kms:ReEncrypt*`,
 * `kms:GenerateDataKey*`); function-policy.ts grants SendMessage on this queue and the exact key
 * actions instead.
 */
class ExactlyGrantedSqsDlq extends SqsDlq {
  constructor(private readonly dlq: IQueue) {
    super(dlq);
  }
  override bind(_target: IEventSourceMapping, _targetHandler: IFunction): DlqDestinationConfig {
    return { destination: this.dlq.queueArn };
  }
}

/**
 * One Lambda per topology function: Node 22 on arm64, bundled locally with esbuild as ESM, its own
 * role with only what its topology entry grants, its own encrypted log group, X-Ray active.
 */
export class Functions extends Construct {
  readonly byName = new Map<FunctionName, DeployedFunction>();

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { config, keys, queues } = props;

    for (const spec of allFunctions) {
      if (props.exclude?.includes(spec.name)) continue;
      const access = functionAccess(spec);
      const logGroup = new LogGroup(this, `${spec.name}Logs`, {
        retention: config.logRetentionDays,
        encryptionKey: keys.ops,
      });
      const role = new Role(this, `${spec.name}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `Switchboard ${spec.name}: least privilege from topology.ts`,
      });
      // Instead of AWSLambdaBasicExecutionRole (any log group): only this function's.
      role.addToPolicy(
        new PolicyStatement({
          sid: 'OwnLogGroup',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      for (const statement of functionStatements(access, props)) role.addToPolicy(statement);

      const fn = new NodejsFunction(this, spec.name, {
        description: `Switchboard ${spec.name}`,
        entry: join(lambdaEntryDir, spec.entry),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: spec.memoryMb,
        timeout: Duration.seconds(spec.timeoutSeconds),
        reservedConcurrentExecutions: spec.reservedConcurrency,
        tracing: Tracing.ACTIVE,
        logGroup,
        role,
        environment: this.environment(access, props),
        projectRoot: repoRoot,
        depsLockFilePath: join(repoRoot, 'package-lock.json'),
        bundling: {
          forceDockerBundling: false,
          format: OutputFormat.ESM,
          target: 'node22',
          mainFields: ['module', 'main'],
          banner: esmBundling.banner,
          externalModules: esmBundling.externalModules,
          // The SDK is bundled so the deployed code runs the versions the tests ran.
          bundleAwsSDK: true,
          minify: true,
          // Readable stack traces; without embedded sources the map stays small to load.
          sourceMap: true,
          sourceMapMode: SourceMapMode.DEFAULT,
          sourcesContent: false,
          logLevel: LogLevel.ERROR,
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            afterBundling: (inputDir, outputDir) => copyRe2Package(inputDir, outputDir),
          },
        },
      });

      if (spec.consumes) {
        const queueSpec = allQueues.find(([name]) => name === spec.consumes)?.[1];
        if (!queueSpec) throw new Error(`${spec.name} consumes unknown queue ${spec.consumes}`);
        fn.addEventSource(
          new SqsEventSource(queues.get(spec.consumes).queue, {
            batchSize: queueSpec.batchSize,
            maxBatchingWindow: Duration.seconds(queueSpec.maxBatchingWindowSeconds),
            reportBatchItemFailures: true,
            // Poll no faster than the function may run, so SQS never sees throttles as failures.
            maxConcurrency:
              spec.reservedConcurrency && spec.reservedConcurrency >= 2
                ? Math.min(spec.reservedConcurrency, 1000)
                : undefined,
          }),
        );
      }
      if (spec.consumesTableStream) {
        // The mapping grants the role what it reads: DescribeStream, GetRecords and
        // GetShardIterator on this stream, ListStreams on the table's streams, the key's Decrypt.
        fn.addEventSource(
          new DynamoEventSource(props.data.table, {
            // From the oldest record kept (24 h): a first deployment or a re-created mapping
            // misses no change made before it was active.
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: tableStream.batchSize,
            maxBatchingWindow: Duration.seconds(tableStream.maxBatchingWindowSeconds),
            bisectBatchOnError: true,
            reportBatchItemFailures: true,
            retryAttempts: tableStream.retryAttempts,
            maxRecordAge: Duration.seconds(tableStream.maxRecordAgeSeconds),
            parallelizationFactor: tableStream.parallelizationFactor,
            onFailure: new ExactlyGrantedSqsDlq(queues.streamConsumerDlq),
          }),
        );
      }
      this.byName.set(spec.name, { fn, role, logGroup, access });
    }
  }

  get(name: FunctionName): DeployedFunction {
    const deployed = this.byName.get(name);
    if (!deployed) throw new Error(`no function ${name}`);
    return deployed;
  }

  /** Lets every tenant-data function assume the tenant role, and tells it the role's ARN. */
  allowTenantRole(tenantRole: IRole): void {
    for (const { fn, role, access } of this.byName.values()) {
      if (!access.tenantRole) continue;
      role.addToPolicy(
        new PolicyStatement({
          sid: 'AssumeTenantDataRole',
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: [tenantRole.roleArn],
        }),
      );
      fn.addEnvironment(envNames.tenantDataRoleArn, tenantRole.roleArn);
    }
  }

  private environment(access: FunctionAccess, props: FunctionsProps): Record<string, string> {
    return {
      NODE_OPTIONS: '--enable-source-maps',
      [envNames.functionName]: access.spec.name,
      [envNames.logLevel]: 'info',
      ...accessEnvironment(access, props, props.apiUrl),
    };
  }
}

/**
 * What a function's code is told about the resources its access grants (names, URLs, ARNs), as
 * environment variables: the Lambda's own, and the API container's (the union over the functions
 * it replaces, ecs.construct.ts).
 */
export function accessEnvironment(
  access: FunctionAccess,
  props: Omit<FunctionsProps, 'apiUrl'>,
  apiUrl: string,
): Record<string, string> {
  const { config, keys, queues, data, storage, secrets } = props;
  const spec = access.spec;
  const env: Record<string, string> = {};
  if (spec.table !== 'none') env[envNames.tableName] = data.table.tableName;
  for (const name of spec.sendsTo) env[envNames.queueUrl(name)] = queues.get(name).queue.queueUrl;
  for (const name of access.secrets) env[envNames.secretArn(name)] = secrets.get(name).secretArn;
  if (access.channelTokenKey) env[envNames.channelTokenKeyId] = keys.channelTokens.keyArn;
  if (access.rawArchive !== 'none') env[envNames.rawWebhookBucket] = storage.rawWebhooks.bucketName;
  if (access.assets !== 'none') env[envNames.assetsBucket] = storage.assets.bucketName;
  if (access.media !== 'none') env[envNames.mediaBucket] = storage.media.bucketName;
  if (access.secrets.includes('assetsSigningKey')) {
    env[envNames.assetsCdnDomain] = props.assetsCdn.domainName;
    env[envNames.assetsKeyPairId] = props.assetsCdn.keyPairId;
  }
  if (spec.publishesEvents) env[envNames.eventBusName] = props.bus.eventBusName;
  if (spec.sendsMail) {
    env[envNames.mailFromAddress] = props.mail.fromAddress;
    env[envNames.mailConfigurationSet] = props.mail.configurationSet.configurationSetName;
  }
  if (access.dlqAdmin) {
    for (const [name, pair] of queues.byName) {
      env[envNames.queueUrl(name)] = pair.queue.queueUrl;
      env[envNames.queueArn(name)] = pair.queue.queueArn;
      env[envNames.dlqUrl(name)] = pair.dlq.queueUrl;
      env[envNames.dlqArn(name)] = pair.dlq.queueArn;
    }
  }
  if (access.live !== 'none') env[envNames.liveConnectionsTable] = props.live.table.tableName;
  if (access.live === 'fanout') {
    env[envNames.liveManagementEndpoint] = props.live.managementEndpoint;
    env[envNames.liveSocketUrl] = props.live.socketUrl;
  }
  if (access.adminBootstrap) env[envNames.adminEmail] = config.adminEmail;
  if (spec.wakesCampaigns) {
    env[envNames.campaignScheduleGroup] = props.campaignSchedules.group.ref;
    env[envNames.campaignSchedulerRoleArn] = props.campaignSchedules.role.roleArn;
    env[envNames.queueArn('CampaignSendQueue')] = queues.get('CampaignSendQueue').queue.queueArn;
  }
  if (access.platformSso && props.platformSso) {
    const sso = props.platformSso;
    env[ssoEnvNames.issuer] = sso.issuer;
    env[ssoEnvNames.clientId] = sso.clientId;
    env[ssoEnvNames.clientSecretArn] = sso.clientSecret.secretArn;
    env[ssoEnvNames.name] = sso.name;
    env[ssoEnvNames.mfa] = sso.mfa;
  }
  if (access.routes.length > 0) {
    env[envNames.webOrigin] = props.webOrigin;
    env[envNames.publicApiUrl] = apiUrl;
  }
  return env;
}

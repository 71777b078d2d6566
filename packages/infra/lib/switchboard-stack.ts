import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { Alarms } from './alarms.construct';
import { RawArchiveStream } from './archive.construct';
import { Api } from './api.construct';
import { Bus } from './bus.construct';
import { CampaignSchedules } from './campaign-schedules.construct';
import { Cdn } from './cdn.construct';
import type { SwitchboardConfig } from './config';
import { Data } from './data.construct';
import { containerFunctions, EcsApi } from './ecs.construct';
import { Functions } from './functions.construct';
import { Keys } from './keys.construct';
import { LiveSockets } from './live.construct';
import { Mail } from './mail.construct';
import { acknowledgeNagFindings } from './nag';
import { Queues } from './queues.construct';
import { Secrets } from './secrets.construct';
import { PlatformSso } from './sso.construct';
import { Storage } from './storage.construct';
import { TenantDataRole } from './tenant-role.construct';
import { validateTopology } from './topology-reader';
import { WebAcls } from './waf.construct';

export type SwitchboardStackProps = StackProps & { config: SwitchboardConfig };

/** The whole product on AWS, built from packages/server/src/engine/topology.ts. */
export class SwitchboardStack extends Stack {
  readonly api: Api;
  readonly functions: Functions;
  readonly queues: Queues;
  readonly cdn: Cdn;
  readonly webAcls: WebAcls;
  readonly storage: Storage;
  readonly tenantRole: Role;
  readonly bus: Bus;
  readonly keys: Keys;
  readonly mail: Mail;
  /** The live WebSocket API, its stage and connections table. */
  readonly live: LiveSockets;
  /** The campaigns' schedule group, Scheduler's role and the lost wake-up sweep. */
  readonly campaignSchedules: CampaignSchedules;
  /** The platform's identity provider (the Cognito user pool with `-c cognito=true`), if any. */
  readonly platformSso?: PlatformSso;
  /** The API's routes but the webhook's on ECS Fargate, with `-c apiRuntime=ecs`. */
  readonly ecsApi?: EcsApi;

  constructor(scope: Construct, id: string, props: SwitchboardStackProps) {
    super(scope, id, props);
    const { config } = props;
    validateTopology();

    const keys = new Keys(this, 'Keys');
    this.keys = keys;
    const data = new Data(this, 'Data', { key: keys.table });
    this.queues = new Queues(this, 'Queues', { key: keys.messaging });
    const campaignSchedules = new CampaignSchedules(this, 'CampaignSchedules', {
      queue: this.queues.get('CampaignSendQueue').queue,
      queueKey: keys.messaging,
    });
    this.campaignSchedules = campaignSchedules;
    const storage = new Storage(this, 'Storage', {
      archiveKey: keys.messaging,
      mediaKey: keys.media,
      mediaExpirationDays: config.mediaExpirationDays,
    });
    this.storage = storage;
    const secrets = new Secrets(this, 'Secrets', { key: keys.secrets });
    const bus = new Bus(this, 'Events', { eventsKey: keys.events, dlqKey: keys.messaging });
    this.bus = bus;
    this.webAcls = new WebAcls(this, 'Waf', { config, logsKey: keys.ops });
    const mail = new Mail(this, 'Mail', { config });
    this.mail = mail;

    // The API exists before the CDN (its origin goes into the CSP); routes come after the
    // functions, which need the CDN's origin for CORS.
    this.api = new Api(this, 'Api', { config, logsKey: keys.ops, webAcl: this.webAcls.api });
    // Before the CDN (its origin goes into the CSP) and the functions (they are told its URLs);
    // its routes come after the functions.
    const live = new LiveSockets(this, 'Live', {
      config,
      tableKey: keys.table,
      logsKey: keys.ops,
      cloudWatchAccount: this.api.api.node.tryFindChild('Account'),
    });
    this.live = live;
    // With apiRuntime=ecs, API Gateway keeps only the Meta webhook; every other route is served by
    // the container, which the web app and API clients reach at its own CloudFront distribution.
    const ecsApi =
      config.apiRuntime === 'ecs'
        ? new EcsApi(this, 'EcsApi', {
            config,
            storage,
            logsKey: keys.ops,
            cdnAcl: this.webAcls.cdn,
          })
        : undefined;
    this.ecsApi = ecsApi;
    const publicApi = ecsApi ?? this.api;
    this.cdn = new Cdn(this, 'Cdn', {
      storage,
      webAcl: this.webAcls.cdn,
      apiOrigin: publicApi.origin,
      liveOrigin: live.origin,
      assetsSigningPublicKeyPem: config.assetsSigningPublicKeyPem,
    });
    keys.pinMediaDecrypt(config.assetsDistributionId);
    const webOrigin = `https://${this.cdn.web.distributionDomainName}`;
    storage.allowDirectUploads(webOrigin);
    const platformSso = config.platformSso
      ? new PlatformSso(this, 'PlatformSso', {
          config: config.platformSso,
          callbackUrl: `${publicApi.publicUrl}/auth/sso/callback`,
          secretsKey: keys.secrets,
        })
      : undefined;
    this.platformSso = platformSso;

    this.functions = new Functions(this, 'Functions', {
      exclude: ecsApi ? containerFunctions : [],
      config,
      keys,
      data,
      queues: this.queues,
      storage,
      secrets,
      bus: bus.bus,
      mail,
      platformSso,
      live,
      campaignSchedules,
      webOrigin,
      apiUrl: publicApi.publicUrl,
      assetsCdn: {
        domainName: this.cdn.assets.distributionDomainName,
        keyPairId: this.cdn.assetsPublicKey.publicKeyId,
      },
    });
    // The raw webhook archive: the receiver puts each delivery on Firehose, which batches to S3.
    new RawArchiveStream(this, 'RawArchive', {
      bucket: storage.rawWebhooks,
      key: keys.messaging,
      logsKey: keys.ops,
      logRetentionDays: config.logRetentionDays,
    }).connect(this.functions);
    const functionOf = (name: Parameters<Functions['get']>[0]) => this.functions.get(name).fn;
    const onEcs = new Set<string>(ecsApi ? containerFunctions : []);
    this.api.addRoutes(functionOf, webOrigin, (route) => !onEcs.has(route.function));
    live.addRoutes(functionOf);
    ecsApi?.addService({
      config,
      keys,
      data,
      queues: this.queues,
      storage,
      secrets,
      bus: bus.bus,
      mail,
      platformSso,
      live,
      campaignSchedules,
      webOrigin,
      assetsCdn: {
        domainName: this.cdn.assets.distributionDomainName,
        keyPairId: this.cdn.assetsPublicKey.publicKeyId,
      },
    });

    const tenantRole = new TenantDataRole(this, 'TenantData', {
      data,
      keys,
      assumers: [
        ...[...this.functions.byName.values()]
          .filter((f) => f.access.tenantRole)
          .map((f) => f.role),
        ...(ecsApi ? [ecsApi.taskRole] : []),
      ],
    });
    this.tenantRole = tenantRole.role;
    this.functions.allowTenantRole(tenantRole.role);
    ecsApi?.allowTenantRole(tenantRole.role);

    bus.addRules({ functionOf, queues: this.queues });

    const alarms = new Alarms(this, 'Alarms', {
      key: keys.ops,
      email: config.alarmEmail,
      api: this.api.api,
      deadLetterQueues: [
        ...[...this.queues.byName].map(([name, pair]) => ({ name: `${name}Dlq`, queue: pair.dlq })),
        { name: 'BusRulesDlq', queue: bus.dlq },
        { name: 'StreamConsumerDlq', queue: this.queues.streamConsumerDlq },
      ],
      functions: [...this.functions.byName].map(([name, f]) => ({ name, fn: f.fn })),
    });

    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('ApiUrl', this.api.api.url, 'REST API base URL (Meta webhook: <ApiUrl>webhooks/meta)');
    if (ecsApi) output('EcsApiUrl', ecsApi.publicUrl, 'The API on ECS (web app, tenants)');
    output('WebUrl', webOrigin, 'Web app');
    output('WebBucketName', storage.web.bucketName, 'Upload the web build here');
    output('WebDistributionId', this.cdn.web.distributionId, 'Invalidate after a web upload');
    output('AssetsDomain', this.cdn.assets.distributionDomainName, 'Signed tenant asset URLs');
    output('AssetsKeyPairId', this.cdn.assetsPublicKey.publicKeyId, 'Key pair id for signing');
    output(
      'AssetsDistributionId',
      this.cdn.assets.distributionId,
      'Pass as -c assetsDistributionId to pin the media key to it',
    );
    output('MediaBucketName', storage.media.bucketName, 'Tenant attachments');
    output('TableName', data.table.tableName, 'SocialCRMTable');
    output('EventBusName', bus.bus.eventBusName, 'SwitchboardBus');
    output('TenantDataAccessRoleArn', tenantRole.role.roleArn, 'Assumed with a TenantId tag');
    output(
      'MailIdentity',
      mail.identity.emailIdentityName,
      'SES identity: publish its DKIM records',
    );
    output(
      'MailConfigurationSet',
      mail.configurationSet.configurationSetName,
      'SES configuration set of every mail',
    );
    output('LiveSocketUrl', live.socketUrl, 'Live updates (WebSocket; tickets name it)');
    output('LiveConnectionsTableName', live.table.tableName, 'Open live sockets');
    output('AlarmTopicArn', alarms.topic.topicArn, 'Subscribe on-call here');
    if (platformSso) {
      output('SsoIssuer', platformSso.issuer, 'Single sign-on: the platform identity provider');
      output('SsoClientSecretName', platformSso.clientSecret.secretName, 'Its client secret');
      if (platformSso.userPool && platformSso.domain) {
        output('CognitoUserPoolId', platformSso.userPool.userPoolId, 'Create users here');
        output(
          'CognitoHostedDomain',
          platformSso.domain.baseUrl(),
          'Cognito hosted sign-in (managed login)',
        );
      }
    }
    for (const [name, secret] of secrets.byName) {
      output(`Secret${name}`, secret.secretName, `Secrets Manager: ${name}`);
    }
    for (const [name, pair] of this.queues.byName) {
      output(`${name}DlqUrl`, pair.dlq.queueUrl, `${name} dead-letter queue`);
    }

    acknowledgeNagFindings({
      streamFailureQueue: this.queues.streamConsumerDlq,
      api: this.api,
      functions: this.functions,
      cdn: this.cdn,
      bus,
      secrets,
      storage,
      platformSso,
      live,
      campaignSchedules,
    });
  }
}

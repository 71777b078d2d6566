import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from 'constructs';

// Everything an operator may set with `-c key=value` (or in cdk.json). No lookups: synth never
// needs an AWS account or the network.

/** CloudFront-scope WAF must live in us-east-1; one stack there is the simplest correct layout. */
export const deployRegion = 'us-east-1';

export type SwitchboardConfig = {
  stackName: string;
  account?: string;
  apiStageName: string;
  /** CIDRs allowed to reach platform-admin routes; empty means no allow-list (JWT role only). */
  adminAllowCidrs: string[];
  adminEmail: string;
  alarmEmail?: string;
  /** Outgoing mail: the SES identity's domain and the sender address on it. */
  mail: { domain: string; fromAddress: string };
  assetsSigningPublicKeyPem: string;
  logRetentionDays: number;
  /** Stage throttling, the default of every method: all callers together. */
  api: { rateLimit: number; burstLimit: number };
  /**
   * The live WebSocket stage's throttling (connects and frames, all sockets together). Clients
   * send a ping every 25 s and nothing else; a reconnect storm is what this bounds.
   */
  live: { rateLimit: number; burstLimit: number };
  waf: {
    ratePer5MinPerIp: number;
    publicWriteRatePer5MinPerIp: number;
    cdnRatePer5MinPerIp: number;
  };
  /** The platform's identity provider for single sign-on (none: only workspaces' own). */
  platformSso?: PlatformSsoConfig;
  /** Tenants' attachments are deleted this many days after upload; none: kept with their messages. */
  mediaExpirationDays?: number;
  /** The deployed assets distribution's id: pins the media key's CloudFront grant to it. */
  assetsDistributionId?: string;
  /** Where the tenant-facing API runs: Lambda behind API Gateway (default) or ECS Fargate. */
  apiRuntime: ApiRuntime;
  /** The Fargate service's size and scaling (read always, used with apiRuntime=ecs). */
  ecs: EcsConfig;
};

export type ApiRuntime = 'lambda' | 'ecs';

export type EcsConfig = {
  /** Task size: Fargate's CPU units (256 = 0.25 vCPU) and a memory size valid for them. */
  cpu: number;
  memoryMiB: number;
  minTasks: number;
  maxTasks: number;
  /** Target tracking: average CPU, and ALB requests per task per minute. */
  cpuTargetPercent: number;
  requestsPerTarget: number;
  /** One NAT gateway per AZ (2) keeps egress up when an AZ fails; 1 is cheaper. */
  natGateways: number;
};

/** Fargate's CPU units and the memory sizes (MiB) each allows. */
const fargateMemory: Record<number, [number, number, number]> = {
  256: [512, 2048, 1024],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};

export type SsoMfa = 'off' | 'optional' | 'required';

/**
 * `cognito`: the stack creates an Amazon Cognito user pool (e-mail as username, verified e-mail,
 * MFA by TOTP as `mfa` says), its hosted domain and an app client (authorization code with PKCE,
 * calling back to the API). `external`: an issuer the operator runs elsewhere; the stack creates
 * the Secrets Manager entry for its client secret, which the operator fills in.
 */
export type PlatformSsoConfig =
  | { kind: 'cognito'; mfa: SsoMfa; domainPrefix?: string; name: string }
  | { kind: 'external'; issuer: string; clientId: string; mfa: SsoMfa; name: string };

/** Context keys of the removed usage plan: refused rather than silently ignored. */
const retiredKeys = ['usagePlanRateLimit', 'usagePlanBurstLimit', 'usagePlanQuotaPerDay'];

const infraDir = fileURLToPath(new URL('../', import.meta.url));
const placeholderPublicKey = 'keys/assets-url-signing.placeholder.pub.pem';

function text(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function int(node: Node, key: string, fallback: number): number {
  const raw = text(node, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`context ${key} must be a positive integer, got ${raw}`);
  }
  return value;
}

function list(node: Node, key: string): string[] {
  const value: unknown = node.tryGetContext(key);
  if (Array.isArray(value)) return value.map(String);
  const raw = text(node, key);
  return raw
    ? raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

function mfaOf(node: Node, key: string, fallback: SsoMfa): SsoMfa {
  const raw = text(node, key) ?? fallback;
  if (raw !== 'off' && raw !== 'optional' && raw !== 'required') {
    throw new Error(`context ${key} must be off, optional or required, got ${raw}`);
  }
  return raw;
}

/** `-c cognito=true` (the seed's Cognito option), or `-c ssoIssuer=… -c ssoClientId=…`. */
function platformSso(node: Node): PlatformSsoConfig | undefined {
  const cognito = text(node, 'cognito');
  if (cognito !== undefined && cognito !== 'true' && cognito !== 'false') {
    throw new Error(`context cognito must be true or false, got ${cognito}`);
  }
  const issuer = text(node, 'ssoIssuer');
  const clientId = text(node, 'ssoClientId');
  if (cognito === 'true') {
    if (issuer) throw new Error('context cognito=true and ssoIssuer exclude each other');
    const domainPrefix = text(node, 'cognitoDomainPrefix');
    if (domainPrefix && !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domainPrefix)) {
      throw new Error(`context cognitoDomainPrefix must be lowercase letters, digits and hyphens`);
    }
    return {
      kind: 'cognito',
      mfa: mfaOf(node, 'cognitoMfa', 'optional'),
      domainPrefix,
      name: text(node, 'ssoName') ?? 'Switchboard account',
    };
  }
  if (!issuer && !clientId) return undefined;
  if (!issuer || !clientId) throw new Error('context ssoIssuer and ssoClientId go together');
  if (!/^https:\/\/[^\s/]+/.test(issuer)) throw new Error(`context ssoIssuer must be an https URL`);
  return {
    kind: 'external',
    issuer,
    clientId,
    mfa: mfaOf(node, 'ssoMfa', 'off'),
    name: text(node, 'ssoName') ?? 'Single sign-on',
  };
}

/** A PEM given inline, or a path to one (relative to packages/infra). */
function pem(node: Node, key: string): string {
  const raw = text(node, key) ?? placeholderPublicKey;
  if (raw.trimStart().startsWith('-----BEGIN')) return raw;
  return readFileSync(isAbsolute(raw) ? raw : join(infraDir, raw), 'utf8');
}

export function readConfig(node: Node, env: NodeJS.ProcessEnv = process.env): SwitchboardConfig {
  const region = text(node, 'region');
  if (region && region !== deployRegion) {
    throw new Error(
      `Switchboard deploys to ${deployRegion} (CloudFront-scope WAF lives there); got region=${region}`,
    );
  }
  const retired = retiredKeys.filter((key) => text(node, key) !== undefined);
  if (retired.length > 0) {
    throw new Error(
      `context ${retired.join(', ')}: there is no usage plan (API Gateway plans meter API Gateway keys; Switchboard's API keys are the app's, limited per key in the app). Use apiRateLimit / apiBurstLimit for the stage, or the waf* keys.`,
    );
  }
  const adminEmail = text(node, 'adminEmail') ?? 'admin@switchboard.local';
  const mailDomain = text(node, 'mailDomain') ?? adminEmail.split('@')[1]!;
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(mailDomain)) {
    throw new Error(`context mailDomain must be a domain name, got ${mailDomain}`);
  }
  const mailFromAddress = text(node, 'mailFromAddress') ?? `no-reply@${mailDomain}`;
  if (!mailFromAddress.toLowerCase().endsWith(`@${mailDomain.toLowerCase()}`)) {
    throw new Error(
      `context mailFromAddress must be an address on ${mailDomain} (the SES identity)`,
    );
  }
  const cidrs = list(node, 'adminAllowCidrs');
  for (const cidr of cidrs) {
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(cidr)) throw new Error(`not a CIDR: ${cidr}`);
  }
  return {
    stackName: text(node, 'stackName') ?? 'Switchboard',
    account: text(node, 'account') ?? env.CDK_DEFAULT_ACCOUNT,
    apiStageName: text(node, 'apiStageName') ?? 'prod',
    adminAllowCidrs: cidrs,
    adminEmail,
    alarmEmail: text(node, 'alarmEmail'),
    mail: { domain: mailDomain, fromAddress: mailFromAddress },
    assetsSigningPublicKeyPem: pem(node, 'assetsSigningPublicKey'),
    logRetentionDays: int(node, 'logRetentionDays', 90),
    api: { rateLimit: int(node, 'apiRateLimit', 200), burstLimit: int(node, 'apiBurstLimit', 400) },
    live: {
      rateLimit: int(node, 'liveRateLimit', 100),
      burstLimit: int(node, 'liveBurstLimit', 200),
    },
    waf: {
      ratePer5MinPerIp: int(node, 'wafRatePer5MinPerIp', 3000),
      publicWriteRatePer5MinPerIp: int(node, 'wafPublicWriteRatePer5MinPerIp', 100),
      cdnRatePer5MinPerIp: int(node, 'wafCdnRatePer5MinPerIp', 10000),
    },
    platformSso: platformSso(node),
    mediaExpirationDays:
      text(node, 'mediaExpirationDays') === undefined
        ? undefined
        : int(node, 'mediaExpirationDays', 0),
    assetsDistributionId: distributionId(node, 'assetsDistributionId'),
    apiRuntime: apiRuntime(node),
    ecs: ecsConfig(node),
  };
}

function apiRuntime(node: Node): ApiRuntime {
  const raw = text(node, 'apiRuntime') ?? 'lambda';
  if (raw !== 'lambda' && raw !== 'ecs') {
    throw new Error(
      `context apiRuntime must be lambda (API Gateway + Lambda, the default) or ecs (Fargate behind an ALB), got ${raw}`,
    );
  }
  return raw;
}

function ecsConfig(node: Node): EcsConfig {
  const cpu = int(node, 'ecsCpu', 512);
  const memoryMiB = int(node, 'ecsMemoryMiB', 1024);
  const range = fargateMemory[cpu];
  if (!range) {
    throw new Error(
      `context ecsCpu must be one of ${Object.keys(fargateMemory).join(', ')}, got ${cpu}`,
    );
  }
  const [least, most, step] = range;
  if (memoryMiB < least || memoryMiB > most || memoryMiB % step !== 0) {
    throw new Error(
      `context ecsMemoryMiB for ecsCpu=${cpu} must be ${least}-${most} in steps of ${step}, got ${memoryMiB}`,
    );
  }
  const minTasks = int(node, 'ecsMinTasks', 2);
  const maxTasks = int(node, 'ecsMaxTasks', 10);
  if (maxTasks < minTasks) throw new Error('context ecsMaxTasks must be at least ecsMinTasks');
  const cpuTargetPercent = int(node, 'ecsCpuTargetPercent', 60);
  if (cpuTargetPercent > 90) throw new Error('context ecsCpuTargetPercent must be 1-90');
  const natGateways = int(node, 'ecsNatGateways', 2);
  if (natGateways > 2) throw new Error('context ecsNatGateways must be 1 or 2 (one per AZ)');
  return {
    cpu,
    memoryMiB,
    minTasks,
    maxTasks,
    cpuTargetPercent,
    requestsPerTarget: int(node, 'ecsRequestsPerTarget', 1000),
    natGateways,
  };
}

function distributionId(node: Node, key: string): string | undefined {
  const raw = text(node, key);
  if (raw !== undefined && !/^[A-Z0-9]{8,20}$/.test(raw)) {
    throw new Error(
      `context ${key} must be a CloudFront distribution id (E2QWRUHAPOMQZL), got ${raw}`,
    );
  }
  return raw;
}

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
  assetsSigningPublicKeyPem: string;
  logRetentionDays: number;
  /** Stage throttling, the default of every method: all callers together. */
  api: { rateLimit: number; burstLimit: number };
  waf: {
    ratePer5MinPerIp: number;
    publicWriteRatePer5MinPerIp: number;
    cdnRatePer5MinPerIp: number;
  };
};

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
  const cidrs = list(node, 'adminAllowCidrs');
  for (const cidr of cidrs) {
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(cidr)) throw new Error(`not a CIDR: ${cidr}`);
  }
  return {
    stackName: text(node, 'stackName') ?? 'Switchboard',
    account: text(node, 'account') ?? env.CDK_DEFAULT_ACCOUNT,
    apiStageName: text(node, 'apiStageName') ?? 'prod',
    adminAllowCidrs: cidrs,
    adminEmail: text(node, 'adminEmail') ?? 'admin@switchboard.local',
    alarmEmail: text(node, 'alarmEmail'),
    assetsSigningPublicKeyPem: pem(node, 'assetsSigningPublicKey'),
    logRetentionDays: int(node, 'logRetentionDays', 90),
    api: { rateLimit: int(node, 'apiRateLimit', 200), burstLimit: int(node, 'apiBurstLimit', 400) },
    waf: {
      ratePer5MinPerIp: int(node, 'wafRatePer5MinPerIp', 3000),
      publicWriteRatePer5MinPerIp: int(node, 'wafPublicWriteRatePer5MinPerIp', 100),
      cdnRatePer5MinPerIp: int(node, 'wafCdnRatePer5MinPerIp', 10000),
    },
  };
}

import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { Db } from '../data/dynamo';
import type { TenantDbFactory } from '../data/tenant-data';

// The second wall behind the app's tenant checks (packages/infra, TenantDataAccessRole): tenant
// data is read and written with credentials of that role, assumed with the session tag
// `TenantId=<tenant id>`, whose policy limits dynamodb:LeadingKeys to `TENANT#<that id>[#*]`.

/** What an AWS SDK client takes as `credentials` (an identity provider). */
export type TenantCredentials = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
};
export type TenantCredentialProvider = () => Promise<TenantCredentials>;

export type TenantCredentialOptions = {
  roleArn: string;
  tenantId: string;
  /** Defaults to a client from the function's own environment and credentials. */
  sts?: STSClient;
  /** Session length; 900 s is the STS minimum. */
  durationSeconds?: number;
  /** Credentials are renewed this long before they expire. */
  refreshBeforeMs?: number;
  now?: () => number;
};

/** `tenant-<id>`, within RoleSessionName's charset (`[\w+=,.@-]`) and its 64 characters. */
export function roleSessionName(tenantId: string): string {
  return `tenant-${tenantId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

let sharedSts: STSClient | undefined;

/**
 * A credential provider for one tenant: AssumeRole with the TenantId session tag, cached until
 * shortly before expiry. Concurrent callers share one in-flight AssumeRole; a failed one is not
 * cached, so the next call tries again.
 */
export function tenantScopedCredentials(opts: TenantCredentialOptions): TenantCredentialProvider {
  if (!opts.tenantId) throw new Error('a tenant id is required for tenant credentials');
  const sts = opts.sts ?? (sharedSts ??= new STSClient({}));
  const durationSeconds = opts.durationSeconds ?? 900;
  const refreshBeforeMs = opts.refreshBeforeMs ?? 60_000;
  const now = opts.now ?? Date.now;
  let cached: TenantCredentials | undefined;
  let inFlight: Promise<TenantCredentials> | undefined;

  async function assume(): Promise<TenantCredentials> {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: opts.roleArn,
        RoleSessionName: roleSessionName(opts.tenantId),
        DurationSeconds: durationSeconds,
        Tags: [{ Key: 'TenantId', Value: opts.tenantId }],
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error('AssumeRole returned no credentials');
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  }

  return async () => {
    if (cached && cached.expiration.getTime() - refreshBeforeMs > now()) return cached;
    inFlight ??= assume()
      .then((credentials) => {
        cached = credentials;
        return credentials;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

/**
 * One `Db` per tenant on its scoped credentials, kept for the most recently used `max` tenants
 * (a warm container serves few; the bound keeps a long-lived one from growing without end). An
 * evicted Db is not destroyed: a request may still be using it, and its idle sockets close alone.
 */
export function tenantScopedDbs(opts: {
  roleArn: string;
  tableName: string;
  max?: number;
  sts?: STSClient;
  connect?: (config: { tableName: string; credentials: TenantCredentialProvider }) => Db;
}): TenantDbFactory {
  const max = opts.max ?? 500;
  const connect = opts.connect ?? ((config) => Db.connect(config));
  const dbs = new Map<string, Db>();
  return (tenantId) => {
    let db = dbs.get(tenantId);
    if (db) {
      dbs.delete(tenantId);
    } else {
      const credentials = tenantScopedCredentials({
        roleArn: opts.roleArn,
        tenantId,
        sts: opts.sts,
      });
      db = connect({ tableName: opts.tableName, credentials });
      if (dbs.size >= max) dbs.delete(dbs.keys().next().value!);
    }
    dbs.set(tenantId, db);
    return db;
  };
}

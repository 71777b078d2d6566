import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../data/dynamo';
import { roleSessionName, tenantScopedCredentials, tenantScopedDbs } from './tenant-credentials';

// A fake STS on 127.0.0.1 speaking the real Query API: form-encoded AssumeRole in, XML out.

const roleArn = 'arn:aws:iam::123456789012:role/TenantDataAccessRole';

type Call = Record<string, string>;
const calls: Call[] = [];
let lifetimeMs = 900_000;
let issuedAt = Date.parse('2026-01-01T00:00:00Z');
let delayMs = 0;
let server: Server;
let sts: STSClient;

function assumeRoleXml(n: number, expiration: Date): string {
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIA${n}</AccessKeyId>
      <SecretAccessKey>secret-${n}</SecretAccessKey>
      <SessionToken>token-${n}</SessionToken>
      <Expiration>${expiration.toISOString()}</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <AssumedRoleId>AROA:session</AssumedRoleId>
      <Arn>arn:aws:sts::123456789012:assumed-role/TenantDataAccessRole/session</Arn>
    </AssumedRoleUser>
    <PackedPolicySize>1</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>req-${n}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const call = Object.fromEntries(new URLSearchParams(body));
      calls.push(call);
      const answer = () => {
        if (req.method !== 'POST' || call.Action !== 'AssumeRole') {
          res.writeHead(400).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(assumeRoleXml(calls.length, new Date(issuedAt + lifetimeMs)));
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  sts = new STSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDFUNCTION', secretAccessKey: 'function-secret' },
  });
});

afterAll(async () => {
  sts?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

beforeEach(() => {
  calls.length = 0;
  lifetimeMs = 900_000;
  issuedAt = Date.parse('2026-01-01T00:00:00Z');
  delayMs = 0;
});

describe('tenantScopedCredentials', () => {
  it('assumes the tenant role with the TenantId session tag and a tenant session name', async () => {
    const provider = tenantScopedCredentials({ roleArn, tenantId: 't_abc123', sts });
    const creds = await provider();
    expect(creds).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'secret-1',
      sessionToken: 'token-1',
      expiration: new Date(issuedAt + lifetimeMs),
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: roleArn,
      RoleSessionName: 'tenant-t_abc123',
      DurationSeconds: '900',
      'Tags.member.1.Key': 'TenantId',
      'Tags.member.1.Value': 't_abc123',
    });
    expect(calls[0]!['Tags.member.2.Key']).toBeUndefined();
  });

  it('keeps session names within the allowed characters and 64 characters', () => {
    expect(roleSessionName('a b/c:d')).toBe('tenant-a-b-c-d');
    const long = roleSessionName('x'.repeat(100));
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^tenant-x+$/);
    expect(roleSessionName('ok_=,.@-+')).toBe('tenant-ok_=,.@-+');
  });

  it('reuses credentials until 60 s before they expire, then assumes the role again', async () => {
    let clock = issuedAt;
    const provider = tenantScopedCredentials({ roleArn, tenantId: 't1', sts, now: () => clock });
    expect((await provider()).accessKeyId).toBe('ASIA1');
    clock = issuedAt + lifetimeMs - 61_000;
    expect((await provider()).accessKeyId).toBe('ASIA1');
    expect(calls).toHaveLength(1);
    clock = issuedAt + lifetimeMs - 59_000;
    issuedAt = clock;
    expect((await provider()).accessKeyId).toBe('ASIA2');
    expect(calls).toHaveLength(2);
    expect((await provider()).accessKeyId).toBe('ASIA2');
    expect(calls).toHaveLength(2);
  });

  it('shares one in-flight AssumeRole between concurrent callers', async () => {
    delayMs = 50;
    const provider = tenantScopedCredentials({ roleArn, tenantId: 't2', sts, now: () => issuedAt });
    const all = await Promise.all(Array.from({ length: 8 }, () => provider()));
    expect(calls).toHaveLength(1);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA1']));
  });

  it('caches per tenant: each tenant gets its own tagged session', async () => {
    const a = tenantScopedCredentials({ roleArn, tenantId: 'ta', sts, now: () => issuedAt });
    const b = tenantScopedCredentials({ roleArn, tenantId: 'tb', sts, now: () => issuedAt });
    await Promise.all([a(), b(), a(), b()]);
    expect(calls.map((c) => c['Tags.member.1.Value']).sort()).toEqual(['ta', 'tb']);
  });

  it('does not cache a failure', async () => {
    const provider = tenantScopedCredentials({
      roleArn: 'not-an-arn',
      tenantId: 't3',
      sts: new STSClient({
        endpoint: 'http://127.0.0.1:1',
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
        maxAttempts: 1,
      }),
    });
    await expect(provider()).rejects.toThrow();
    await expect(provider()).rejects.toThrow();
  });

  it('refuses an empty tenant id', () => {
    expect(() => tenantScopedCredentials({ roleArn, tenantId: '', sts })).toThrow();
  });
});

describe('tenantScopedDbs', () => {
  it('builds one Db per tenant on its credentials, bounded to the most recent tenants', async () => {
    const built: string[] = [];
    const factory = tenantScopedDbs({
      roleArn,
      tableName: 'T',
      max: 2,
      sts,
      connect: (config) => {
        built.push(config.tableName);
        return { config } as unknown as Db;
      },
    });
    const a = factory('a');
    expect(factory('a')).toBe(a);
    factory('b');
    factory('a'); // most recent again: b is the oldest now
    factory('c'); // evicts b
    expect(factory('a')).toBe(a);
    expect(built).toHaveLength(3);
    factory('b');
    expect(built).toHaveLength(4);
    const { credentials } = (a as unknown as { config: { credentials: () => Promise<unknown> } })
      .config;
    await credentials();
    expect(calls[0]!['Tags.member.1.Value']).toBe('a');
  });
});

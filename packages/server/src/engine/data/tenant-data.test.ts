import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from './dynamo';
import { tenantData } from './tenant-data';

// Deployed, `tenantData(scoped, ctx, platform)` gets a Db whose credentials IAM limits to the
// tenant's partitions (dynamodb:LeadingKeys on `TENANT#<id>` and `TENANT#<id>#*`). Two Dbs over one
// dynalite, each recording the partition keys it touches: the scoped one must never leave the
// tenant's prefix, and the global pointers must go through the platform one.

type Touch = { verb: string; pk: string };

function pkOf(verb: string, args: unknown[]): string {
  const first = args[0] as Record<string, unknown> | Record<string, unknown>[];
  if (verb === 'query') return String((first as { pk: string }).pk);
  if (Array.isArray(first)) return first.map((k) => String(k.PK)).join(',');
  return String(first.PK);
}

/** The Db with every call's partition key recorded (the verbs repos use). */
function recording(db: Db, touched: Touch[]): Db {
  const verbs = new Set(['get', 'batchGet', 'put', 'update', 'delete', 'query', 'putMany']);
  return new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !verbs.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        touched.push({ verb: prop, pk: pkOf(prop, args) });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

let server: Server;
let scopedDb: Db;
let platformDb: Db;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const config = {
    tableName: 'TenantDataTest',
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  platformDb = Db.connect(config);
  scopedDb = Db.connect(config);
  await platformDb.ensureTable();
});

afterAll(async () => {
  scopedDb?.destroy();
  platformDb?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

function accessor(tenantId: string) {
  const scoped: Touch[] = [];
  const platform: Touch[] = [];
  const data = tenantData(
    recording(scopedDb, scoped),
    { tenantId, actor: { kind: 'system', reason: 'test' } },
    recording(platformDb, platform),
  );
  const inTenant = (t: Touch) =>
    t.pk === `TENANT#${tenantId}` || t.pk.startsWith(`TENANT#${tenantId}#`);
  return { data, scoped, platform, inTenant };
}

describe('tenantData(scoped, ctx, platform)', () => {
  it('claims a channel’s routing keys through the platform Db and writes the channel through the scoped one', async () => {
    const { data, scoped, platform, inTenant } = accessor('tchan');
    const channel = await data.channels.create({
      type: 'whatsapp',
      wabaId: 'waba-1',
      phoneNumberId: 'phone-1',
      tokenCiphertext: 'sealed',
    });
    expect(platform.map((t) => `${t.verb} ${t.pk}`)).toEqual([
      'put ROUTE#wa-phone#phone-1',
      'put ROUTE#wa-waba#waba-1',
    ]);
    expect(scoped).toEqual([{ verb: 'put', pk: 'TENANT#tchan' }]);
    // Both Dbs reach one table: the channel and its routes are there.
    expect(await platformDb.get({ PK: 'TENANT#tchan', SK: `CHANNEL#${channel.id}` })).toBeTruthy();
    expect(await scopedDb.get({ PK: 'ROUTE#wa-phone#phone-1', SK: 'ROUTE' })).toMatchObject({
      tenantId: 'tchan',
      channelId: channel.id,
    });

    scoped.length = 0;
    platform.length = 0;
    expect(await data.channels.remove(channel.id)).toBe(true);
    expect(platform.map((t) => `${t.verb} ${t.pk}`)).toEqual([
      'delete ROUTE#wa-phone#phone-1',
      'delete ROUTE#wa-waba#waba-1',
    ]);
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped.every(inTenant)).toBe(true);
  });

  it('keeps every other global pointer on the platform Db and everything else in the tenant’s partitions', async () => {
    const { data, scoped, platform, inTenant } = accessor('tptr');
    const at = new Date('2026-01-01T00:00:00Z');
    await data.apiKeys.create({
      id: 'key1',
      name: 'k',
      prefix: 'sk_live_key1',
      scopes: ['leads:write'],
      createdAt: at.toISOString(),
      keyHash: 'hash',
    });
    await data.invitations.create('tokenhash', {
      id: 'inv1',
      email: 'a@example.com',
      role: 'agent',
      createdAt: at.toISOString(),
      expiresAt: Math.floor(at.getTime() / 1000) + 3600,
    });
    await data.members.add({ userId: 'u1', role: 'agent' });
    await data.members.remove('u1', 'agent');
    const form = {
      id: 'form1',
      name: 'Contact',
      fields: [],
      allowedOrigins: [],
      version: 1,
      status: 'draft' as const,
      createdAt: at.toISOString(),
      updatedAt: at.toISOString(),
    };
    await data.forms.create(form);
    expect(await data.forms.publish(form, at.toISOString())).toBeTruthy();
    expect(await data.forms.archive(form.id, at.toISOString())).toBe(true);
    await data.audit.record({ action: 'test', actor: { kind: 'system' } });

    expect(platform.map((t) => `${t.verb} ${t.pk}`)).toEqual([
      'put APIKEY#key1',
      'put INVITE#tokenhash',
      'put USER#u1',
      'delete USER#u1',
      'put FORM#form1',
      'update FORM#form1',
    ]);
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped.filter((t) => !inTenant(t))).toEqual([]);
  });

  it('uses one Db for both without a platform one (the sandbox)', async () => {
    const touched: Touch[] = [];
    const db = recording(platformDb, touched);
    const data = tenantData(db, { tenantId: 'tone', actor: { kind: 'system', reason: 'test' } });
    await data.channels.create({ type: 'instagram', accountId: 'ig-1', tokenCiphertext: 'sealed' });
    expect(touched.map((t) => t.pk)).toEqual(['ROUTE#ig#ig-1', 'TENANT#tone']);
  });
});

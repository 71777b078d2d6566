import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/engine/data/keys';
import { tenantData } from '../../src/engine/data/tenant-data';
import type { SqsBatchHandler } from '../../src/engine/ports/queue';
import { routes } from '../../src/engine/topology';
import { fakeWamid, waTextEntry } from '../factories/meta';
import {
  createTenant,
  startTestSandbox,
  waitFor,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import {
  leadsOf,
  startWebhookReceiver,
  unique,
  type WebhookReceiver,
} from '../leads/lead-fixtures';
import { allMessages, countById, delivery, faultSeed, flood, seeded, shuffle } from './flood';

// Two failures in the middle of a flood: a poison record (a processor bug that one entry triggers)
// and a tenant whose channel is deleted while its customers keep writing. The poison record's
// batch-mates succeed, it reaches the DLQ, and a redrive after the fix stores it once. Entries for
// the deleted channel are kept as unrouted entries for the platform admin, never dropped.

const secret = 'test-app-secret';
const poisonMarker = 'POISON-8c1f';
let bugShipped = true;
const poisonWhileBuggy =
  (inner: SqsBatchHandler): SqsBatchHandler =>
  async (event) => {
    const poisoned = bugShipped ? event.Records.filter((r) => r.body.includes(poisonMarker)) : [];
    const rest = event.Records.filter((r) => !poisoned.includes(r));
    const result = rest.length ? await inner({ Records: rest }) : { batchItemFailures: [] };
    return {
      batchItemFailures: [
        ...result.batchItemFailures,
        ...poisoned.map((r) => ({ itemIdentifier: r.messageId })),
      ],
    };
  };

// The processor reads the route for every entry (no cache), so a deletion takes effect at once.
const routeCacheMs = 0;

let t: TestSandbox;
beforeAll(async () => {
  t = await startTestSandbox({ wrapProcessor: poisonWhileBuggy, retryDelaySeconds: 0 });
});
afterAll(async () => {
  await t?.stop();
});

type WaTenant = TestTenant & { wabaId: string; phoneNumberId: string };
async function waTenant(n: number): Promise<WaTenant> {
  const wabaId = `1040000000007${n}`;
  const phoneNumberId = `1090000000007${n}`;
  const tenant = await createTenant(t.api, t.adminToken, [
    { type: 'whatsapp', wabaId, phoneNumberId },
  ]);
  return { ...tenant, wabaId, phoneNumberId };
}

/** Deletes the channel through the API when the route exists, else through its repo. */
async function deleteChannel(tenant: WaTenant): Promise<void> {
  const channelId = tenant.channelIds[0]!;
  if (routes.some((r) => r.method === 'DELETE' && r.path === '/channels/{id}')) {
    const res = await t.api.request('DELETE', `/channels/${channelId}`, { token: tenant.token });
    expect(res.status).toBeLessThan(300);
    return;
  }
  const data = tenantData(t.sb.db, {
    tenantId: tenant.id,
    actor: { kind: 'system', reason: 'test' },
  });
  const repo = data.channels as typeof data.channels & {
    remove?: (id: string) => Promise<boolean>;
  };
  if (repo.remove) {
    expect(await repo.remove(channelId)).toBe(true);
    return;
  }
  // No removal yet: release the routing keys the way a removal would, then the channel item.
  await t.sb.db.delete(keys.route('wa-phone', tenant.phoneNumberId));
  await t.sb.db.delete(keys.route('wa-waba', tenant.wabaId));
  await t.sb.db.delete(keys.channel(tenant.id, channelId));
}

async function unroutedWamids(phoneNumberId: string): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const page: any = await t.api.request(
      'GET',
      `/admin/unrouted?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      { token: t.adminToken },
    );
    expect(page.status).toBe(200);
    for (const item of page.json.items) {
      if (item.routingKeys.phoneNumberId !== phoneNumberId) continue;
      for (const change of item.entry.changes ?? []) {
        for (const m of change.value?.messages ?? []) found.set(m.id, (found.get(m.id) ?? 0) + 1);
      }
    }
    cursor = page.json.nextCursor;
  } while (cursor);
  return found;
}

const queueIdle = () => {
  const s = t.sb.queues.incoming.stats();
  return s.visible + s.inFlight === 0;
};

describe('a poison record and a channel deleted mid-flood', () => {
  it('isolates the poison record, keeps the orphaned entries, and redrives once fixed', async () => {
    // Prepare: tenant A keeps its number; tenant B's number is disconnected half-way.
    const rand = seeded(faultSeed + 1);
    const a = await waTenant(1);
    const b = await waTenant(2);
    const entry = (tenant: WaTenant, i: number, text = `msg ${i}`) => {
      const from = `55319${String(i % 40).padStart(8, '0')}`;
      const wamid = fakeWamid(from);
      return {
        wamid,
        entry: waTextEntry({
          wabaId: tenant.wabaId,
          phoneNumberId: tenant.phoneNumberId,
          from,
          wamid,
          timestamp: 1767225600 + i,
          text,
        }),
      };
    };
    const forA = Array.from({ length: 400 }, (_, i) => entry(a, i));
    const forB = Array.from({ length: 400 }, (_, i) => entry(b, 1000 + i));
    const poison = entry(a, 5000, `${poisonMarker} breaks the processor`);
    // The poison entry travels in one webhook with four healthy ones: one queue batch.
    const mates = forA.splice(0, 4);
    const all = shuffle(
      [
        ...forA.map((m) => delivery('whatsapp_business_account', [m.entry], secret)),
        ...forB.map((m) => delivery('whatsapp_business_account', [m.entry], secret)),
      ],
      rand,
    );
    all.splice(
      Math.floor(all.length / 3),
      0,
      delivery('whatsapp_business_account', [...mates.map((m) => m.entry), poison.entry], secret),
    );

    // Act: flood; delete B's channel once half of the flood is acknowledged.
    const acked = new Set<number>();
    const pending = all.map((_, i) => i);
    let deletion: Promise<unknown> | undefined;
    let deletedAt = 0;
    await flood({
      url: t.sb.url,
      all,
      pending,
      concurrency: 16,
      acked,
      deadline: Date.now() + 120_000,
      onAck: () => {
        if (!deletion && acked.size >= all.length / 2) {
          // Settled here, rethrown below: a rejection must not go unhandled while the flood runs.
          deletion = deleteChannel(b).then(
            () => void (deletedAt = Date.now()),
            (err: unknown) => err,
          );
        }
      },
    });
    const deletionError = await deletion;
    if (deletionError) throw deletionError;
    expect(deletedAt).toBeGreaterThan(0);
    expect(pending).toEqual([]);
    await waitFor(async () => t.sb.queues.incomingDlq.stats().visible === 1 && queueIdle(), {
      timeoutMs: 120_000,
      what: 'the poison record in the DLQ and the rest processed',
    });

    // Assess 1: A has everything but the poison entry, including its batch-mates.
    const storedA = countById((await allMessages(t.api, a.token)).messages);
    for (const m of [...forA, ...mates]) expect(storedA.get(m.wamid), m.wamid).toBe(1);
    expect(storedA.has(poison.wamid)).toBe(false);
    const [dead] = await t.sb.dlq.IncomingMessagesQueue.list(10);
    expect(dead?.body).toContain(poisonMarker);

    // Assess 2: every entry for B is in exactly one place: B's inbox (processed before the deletion)
    // or the admin's unrouted list.
    const storedB = countById((await allMessages(t.api, b.token)).messages);
    let unrouted = await unroutedWamids(b.phoneNumberId);
    for (const m of forB) {
      expect((storedB.get(m.wamid) ?? 0) + (unrouted.get(m.wamid) ?? 0), m.wamid).toBe(1);
    }
    // After the deletion every new entry is unrouted.
    await new Promise((r) =>
      setTimeout(r, Math.max(0, deletedAt + routeCacheMs + 500 - Date.now())),
    );
    const late = Array.from({ length: 20 }, (_, i) => entry(b, 2000 + i));
    const lateDeliveries = late.map((m) =>
      delivery('whatsapp_business_account', [m.entry], secret),
    );
    const latePending = lateDeliveries.map((_, i) => i);
    await flood({
      url: t.sb.url,
      all: lateDeliveries,
      pending: latePending,
      concurrency: 4,
      acked: new Set(),
      deadline: Date.now() + 30_000,
    });
    await waitFor(async () => queueIdle(), { what: 'late entries processed' });
    unrouted = await unroutedWamids(b.phoneNumberId);
    for (const m of late) expect(unrouted.get(m.wamid), m.wamid).toBe(1);
    const storedBAfter = countById((await allMessages(t.api, b.token)).messages);
    expect(storedBAfter.size).toBe(storedB.size);
    console.info(
      `deleted channel: ${storedB.size} of ${forB.length} stored for B, ` +
        `${forB.length - storedB.size} unrouted; ${late.length} late entries all unrouted`,
    );

    // Act 2: the fix ships; redrive.
    bugShipped = false;
    expect(await t.sb.dlq.IncomingMessagesQueue.redrive()).toBe(1);
    await waitFor(async () => queueIdle(), { what: 'the redriven record' });

    // Assess 3: stored once; a second redrive finds nothing.
    const afterRedrive = countById((await allMessages(t.api, a.token)).messages);
    expect(afterRedrive.get(poison.wamid)).toBe(1);
    expect(afterRedrive.size).toBe(forA.length + mates.length + 1);
    expect(await t.sb.dlq.IncomingMessagesQueue.redrive()).toBe(0);
    expect(t.sb.queues.incomingDlq.stats().visible).toBe(0);
  });
});

describe('CRM destination outage', () => {
  // Its own sandbox: a 1 s CRM backoff (instead of 30 s doubling), so a lead submitted early in the
  // outage spends its 10 attempts and reaches the DLQ while later ones are still retrying.
  let crm: TestSandbox;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    [crm, receiver] = await Promise.all([
      startTestSandbox({ crmBackoff: { baseSeconds: 1, maxSeconds: 1 } }),
      startWebhookReceiver(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([crm?.stop(), receiver?.close()]);
  });

  it('CRM destination down for a while, then back: every lead delivered once by webhook id', async () => {
    const leadCount = 30;
    const outageMs = 14_000;
    const tenant = await createTenant(crm.api, crm.adminToken, []);
    const destination = await crm.api.request('POST', '/crm-destinations', {
      token: tenant.token,
      body: { type: 'webhook', url: receiver.url },
    });
    expect(destination.status, destination.text).toBe(201);
    receiver.setSecret(destination.json.secret);

    // Act 1: the CRM answers 503 for `outageMs`; the leads arrive during the first half of it.
    receiver.respondWith(503);
    const outageEnds = Date.now() + outageMs;
    const back = setTimeout(() => receiver.respondWith(200), outageMs);
    const emails = new Set<string>();
    for (let i = 0; i < leadCount; i++) {
      const email = `outage-${i}-${unique('crm')}@example.com`.toLowerCase();
      emails.add(email);
      const res = await crm.api.request('POST', '/leads', {
        token: tenant.token,
        body: { fields: { name: `Outage ${i}`, email } },
      });
      expect(res.status, res.text).toBe(202);
      await new Promise((r) => setTimeout(r, outageMs / 2 / leadCount));
    }

    try {
      // Every lead settles: synced by a retry after the outage, or failed into the DLQ.
      const settled = await waitFor(
        async () => {
          if (Date.now() < outageEnds) return undefined;
          const items = await leadsOf(crm.api, tenant.token, '?limit=100');
          const ours = items.filter((l) => emails.has(l.email));
          return ours.length === leadCount &&
            ours.every((l) => l.sync.status === 'synced' || l.sync.status === 'failed')
            ? ours
            : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: 'every lead synced or dead-lettered' },
      );
      const failed = settled.filter((l) => l.sync.status === 'failed');
      const refusedDuringOutage = receiver.deliveries.filter((d) => d.status === 503).length;

      // Act 2: replay whatever reached the DLQ.
      const dlq = await crm.api.request('GET', '/admin/dlq/CrmSyncQueue', {
        token: crm.adminToken,
      });
      expect(dlq.status).toBe(200);
      expect(dlq.json.items).toHaveLength(failed.length);
      const redrive = await crm.api.request('POST', '/admin/dlq/CrmSyncQueue/redrive', {
        token: crm.adminToken,
      });
      expect(redrive.status, redrive.text).toBe(200);
      expect(redrive.json.moved).toBe(failed.length);

      // Assess: every lead synced, one accepted delivery per lead, and every attempt for a lead
      // (retries, the replay) under the same webhook-id.
      const ids = settled.map((l) => l.id as string);
      await waitFor(
        async () => {
          const items = await leadsOf(crm.api, tenant.token, '?limit=100');
          const ours = items.filter((l) => ids.includes(l.id));
          return ours.every((l) => l.sync.status === 'synced') || undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'every lead synced after the replay' },
      );
      for (const id of ids) {
        const lead = await crm.api.request('GET', `/leads/${id}`, { token: tenant.token });
        expect(lead.json.sync, id).toMatchObject({ status: 'synced', lastError: null });
        const attempts = receiver.deliveries.filter((d) => d.body?.data?.lead?.id === id);
        expect(attempts.length, id).toBeGreaterThanOrEqual(2); // at least one 503, then the 200
        expect(
          attempts.every((d) => d.verified),
          id,
        ).toBe(true);
        expect(new Set(attempts.map((d) => d.id)).size, id).toBe(1);
        const accepted = [...receiver.accepted.values()].filter((b) => b.data.lead.id === id);
        expect(accepted, id).toHaveLength(1);
      }
      expect(receiver.accepted.size).toBe(leadCount);
      // A second replay finds nothing, and delivers nothing again.
      const again = await crm.api.request('POST', '/admin/dlq/CrmSyncQueue/redrive', {
        token: crm.adminToken,
      });
      expect(again.json.moved).toBe(0);
      expect(receiver.accepted.size).toBe(leadCount);
      console.info(
        `CRM outage: ${leadCount} leads, ${refusedDuringOutage} deliveries refused with 503, ` +
          `${settled.length - failed.length} synced by a retry, ${failed.length} dead-lettered ` +
          `and replayed; ${receiver.deliveries.length} deliveries in all, ` +
          `${receiver.accepted.size} accepted`,
      );
    } finally {
      clearTimeout(back);
    }
  });
});

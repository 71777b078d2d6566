import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantData } from '../../src/engine/data/tenant-data';
import { conversationIdOf } from '../../src/modules/messaging/conversation.repo';
import { storeOutboundMessage } from '../../src/modules/messaging/outbound-message.service';
import {
  envelope,
  fakeWamid,
  waStatusEntry,
  waTextEntry,
  type MetaEntryBody,
} from '../factories/meta';
import {
  createTenant,
  postWebhook,
  startTestSandbox,
  waitFor,
  waitForDrain,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';

// Replay of archived webhooks (POST /admin/replays): a day of deliveries with duplicates and
// statuses, replayed, ends at the same inbox, each message stored once; replaying another
// tenant's range touches nothing of this one.

let t: TestSandbox;
const secret = 'test-app-secret';
let seq = 0;
const newMetaId = () => `2098765${String(seq++).padStart(8, '0')}`;

beforeAll(async () => {
  t = await startTestSandbox({ retryDelaySeconds: 0, metaStatusDelayMs: 60_000 });
});
afterAll(async () => {
  await t?.stop();
});

type WaTenant = TestTenant & { wabaId: string; phoneNumberId: string };

async function waTenant(): Promise<WaTenant> {
  const wabaId = newMetaId();
  const phoneNumberId = newMetaId();
  const tenant = await createTenant(t.api, t.adminToken, [
    { type: 'whatsapp', wabaId, phoneNumberId },
  ]);
  return { ...tenant, wabaId, phoneNumberId };
}

async function deliver(entries: MetaEntryBody[]): Promise<void> {
  const res = await postWebhook(t.api, secret, envelope('whatsapp_business_account', entries));
  expect(res.status).toBe(200);
  await waitForDrain(t.sb);
}

/** What a tenant sees: every conversation summary and every message of each, in order. */
async function inboxState(token: string) {
  const list = await t.api.request<any>('GET', '/conversations?limit=100', { token });
  expect(list.status).toBe(200);
  const threads: Record<string, unknown[]> = {};
  for (const conv of list.json.items) {
    const res = await t.api.request<any>('GET', `/conversations/${conv.id}/messages?limit=200`, {
      token,
    });
    expect(res.status).toBe(200);
    // Signed media URLs carry their own expiry; nothing here has media.
    threads[conv.id] = res.json.items;
  }
  return { conversations: list.json.items as any[], threads };
}

async function replay(tenantId: string, from: Date, to: Date) {
  const started = await t.api.request<any>('POST', '/admin/replays', {
    token: t.adminToken,
    body: { tenantId, from: from.toISOString(), to: to.toISOString() },
  });
  expect(started.status, started.text).toBe(202);
  expect(started.json.status).toBe('running');
  const done = await waitFor(
    async () => {
      const res = await t.api.request<any>('GET', `/admin/replays/${started.json.id}`, {
        token: t.adminToken,
      });
      expect(res.status).toBe(200);
      return res.json.status !== 'running' && res.json;
    },
    { timeoutMs: 20_000, what: 'the replay to finish' },
  );
  await waitForDrain(t.sb);
  return done;
}

describe('replay of archived webhooks', () => {
  let a: WaTenant;
  let b: WaTenant;
  let from: Date;
  let to: Date;

  beforeAll(async () => {
    from = new Date(Date.now() - 60_000);
    a = await waTenant();
    b = await waTenant();
    const ca = { wabaId: a.wabaId, phoneNumberId: a.phoneNumberId };
    const customer = '5511900001111';
    // An outbound message of A's (as the send path stores it) for the statuses to land on.
    const sentWamid = fakeWamid(customer);
    const data = tenantData(t.sb.db, { tenantId: a.id, actor: { kind: 'system', reason: 'test' } });
    await storeOutboundMessage(data, {
      id: 'msg_replay_out',
      channelMessageId: sentWamid,
      customerId: `wa-${customer}`,
      conversationId: conversationIdOf(a.channelIds[0]!, `wa-${customer}`),
      channel: 'whatsapp',
      channelId: a.channelIds[0]!,
      direction: 'outbound',
      type: 'text',
      text: 'Temos, sim!',
      status: 'pending',
      timestamp: '2026-01-01T00:00:01.000Z',
      createdAt: '2026-01-01T00:00:01.000Z',
    });

    const first = [
      waTextEntry({ ...ca, from: customer, text: 'Olá, vocês entregam?', timestamp: 1767225600 }),
      waTextEntry({ ...ca, from: customer, text: 'Em São Paulo', timestamp: 1767225605 }),
    ];
    await deliver(first);
    // Meta redelivers the same body (its retry after a slow 200).
    await deliver(first);
    await deliver([
      waStatusEntry({
        ...ca,
        wamid: sentWamid,
        recipientId: customer,
        status: 'sent',
        timestamp: 1767225610,
      }),
    ]);
    await deliver([
      waStatusEntry({
        ...ca,
        wamid: sentWamid,
        recipientId: customer,
        status: 'delivered',
        timestamp: 1767225611,
      }),
      waStatusEntry({
        ...ca,
        wamid: sentWamid,
        recipientId: customer,
        status: 'read',
        timestamp: 1767225612,
      }),
    ]);
    // A later message, then the agent closes the conversation unread: replaying its newest
    // inbound message must not reopen it.
    await deliver([
      waTextEntry({ ...ca, from: customer, text: 'Obrigado!', timestamp: 1767225620 }),
    ]);
    const [conv] = (await inboxState(a.token)).conversations;
    const closed = await t.api.request('POST', `/conversations/${conv.id}/close`, {
      token: a.token,
    });
    expect(closed.status).toBe(200);
    // Tenant B's traffic in the same archive, in one delivery with one of A's entries.
    await deliver([
      waTextEntry({
        wabaId: b.wabaId,
        phoneNumberId: b.phoneNumberId,
        from: '5511900002222',
        text: 'Oi',
        timestamp: 1767225630,
      }),
    ]);
    to = new Date(Date.now() + 60_000);
  });

  it('stores each message once and ends at the same state', async () => {
    const before = await inboxState(a.token);
    const messages = Object.values(before.threads).flat() as any[];
    expect(messages.map((m) => m.text).sort()).toEqual(
      ['Em São Paulo', 'Obrigado!', 'Olá, vocês entregam?', 'Temos, sim!'].sort(),
    );
    expect(messages.find((m) => m.id === 'msg_replay_out')?.status).toBe('read');
    expect(before.conversations).toHaveLength(1);
    expect(before.conversations[0].status).toBe('closed');

    const done = await replay(a.id, from, to);
    expect(done.status).toBe('done');
    // A's 5 deliveries (one a duplicate) hold 8 entries, B's one 1: all scanned, A's matched.
    expect(done.scanned).toBe(9);
    expect(done.matched).toBe(8);
    expect(done.enqueued).toBe(8);
    expect(done.chunksDone).toBe(done.chunks);

    const after = await inboxState(a.token);
    expect(after).toEqual(before);
    const ids = (Object.values(after.threads).flat() as any[]).map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('replaying another tenant touches nothing of this one', async () => {
    const beforeA = await inboxState(a.token);
    const beforeB = await inboxState(b.token);
    const done = await replay(b.id, from, to);
    expect(done.status).toBe('done');
    expect(done.matched).toBe(1);
    expect(await inboxState(a.token)).toEqual(beforeA);
    expect(await inboxState(b.token)).toEqual(beforeB);
  });

  it('lists replays newest first, and a second replay of the same range changes nothing', async () => {
    const before = await inboxState(a.token);
    await replay(a.id, from, to);
    expect(await inboxState(a.token)).toEqual(before);
    const list = await t.api.request<any>('GET', '/admin/replays?limit=2', { token: t.adminToken });
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(2);
    expect(list.json.items[0].tenantId).toBe(a.id);
    expect(list.json.nextCursor).toBeTruthy();
    const next = await t.api.request<any>(
      'GET',
      `/admin/replays?limit=2&cursor=${encodeURIComponent(list.json.nextCursor)}`,
      { token: t.adminToken },
    );
    expect(next.json.items.map((r: any) => r.tenantId)).toEqual([a.id]);
  });

  it('refuses a bad range with 400 and an unknown tenant with 404, writing nothing', async () => {
    const at = new Date('2026-01-10T00:00:00Z');
    const cases = [
      { from: at.toISOString(), to: at.toISOString() },
      { from: at.toISOString(), to: new Date(at.getTime() + 32 * 86_400_000).toISOString() },
      { from: 'yesterday', to: at.toISOString() },
    ];
    for (const range of cases) {
      const res = await t.api.request<any>('POST', '/admin/replays', {
        token: t.adminToken,
        body: { tenantId: a.id, ...range },
      });
      expect(res.status, JSON.stringify(range)).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
    }
    const unknown = await t.api.request<any>('POST', '/admin/replays', {
      token: t.adminToken,
      body: {
        tenantId: 'tn_nobody',
        from: at.toISOString(),
        to: new Date(at.getTime() + 1000).toISOString(),
      },
    });
    expect(unknown.status).toBe(404);
    const list = await t.api.request<any>('GET', '/admin/replays?limit=100', {
      token: t.adminToken,
    });
    expect(list.json.items).toHaveLength(3);
    const tenant = await t.api.request('POST', '/admin/replays', {
      token: a.token,
      body: {
        tenantId: a.id,
        from: at.toISOString(),
        to: new Date(at.getTime() + 1000).toISOString(),
      },
    });
    expect(tenant.status).toBe(403);
  });
});

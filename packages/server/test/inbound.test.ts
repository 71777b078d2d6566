import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqsBatchHandler } from '../src/engine/ports/queue';
import {
  envelope,
  fakeMid,
  fakeWamid,
  igEchoEntry,
  igImageEntry,
  igPostbackEntry,
  igQuickReplyEntry,
  igReactionEntry,
  igReadEntry,
  igStoryMentionEntry,
  igStoryReplyEntry,
  igTextEntry,
  igUnsendEntry,
  metaJson,
  signMeta,
  waAudioEntry,
  waButtonEntry,
  waButtonReplyEntry,
  waContactsEntry,
  waDocumentEntry,
  waImageEntry,
  waListReplyEntry,
  waLocationEntry,
  waOrderEntry,
  waReactionEntry,
  waReplyEntry,
  waStatusEntry,
  waStickerEntry,
  waSystemEntry,
  waTextEntry,
  waUnsupportedEntry,
  waVideoEntry,
  type MetaEntryBody,
} from './factories/meta';
import {
  createTenant,
  postWebhook,
  startTestSandbox,
  waitFor,
  waitForDrain,
  type TestSandbox,
  type TestTenant,
} from './helpers/harness';

// Prepare: one sandbox (dynalite + durable queue + HTTP) for the file; each test uses its own
// Meta ids so tests do not see each other's records.
let t: TestSandbox;
let poisonBroken = true;
const secret = 'test-app-secret';
let idSeq = 100;
const newMetaId = () => `1098765${String(idSeq++).padStart(8, '0')}`;

// The "bug" the poison test fixes: while broken, records carrying this marker fail.
const poisonMarker = 'POISON-MARKER';
const wrapProcessor =
  (inner: SqsBatchHandler): SqsBatchHandler =>
  async (event) => {
    const poisoned = poisonBroken ? event.Records.filter((r) => r.body.includes(poisonMarker)) : [];
    const rest = event.Records.filter((r) => !poisoned.includes(r));
    const result = rest.length ? await inner({ Records: rest }) : { batchItemFailures: [] };
    return {
      batchItemFailures: [
        ...result.batchItemFailures,
        ...poisoned.map((r) => ({ itemIdentifier: r.messageId })),
      ],
    };
  };

beforeAll(async () => {
  t = await startTestSandbox({
    wrapProcessor,
    retryDelaySeconds: 0,
    ...(process.env.TEST_LOG
      ? { log: (await import('../src/engine/log')).createLogger('warn') }
      : {}),
  });
});
afterAll(async () => {
  await t?.stop();
});

async function waTenant(): Promise<TestTenant & { wabaId: string; phoneNumberId: string }> {
  const wabaId = newMetaId();
  const phoneNumberId = newMetaId();
  const tenant = await createTenant(t.api, t.adminToken, [
    { type: 'whatsapp', wabaId, phoneNumberId },
  ]);
  return { ...tenant, wabaId, phoneNumberId };
}

async function igTenant(): Promise<TestTenant & { accountId: string }> {
  const accountId = newMetaId();
  const tenant = await createTenant(t.api, t.adminToken, [{ type: 'instagram', accountId }]);
  return { ...tenant, accountId };
}

async function conversations(token: string) {
  const res = await t.api.request('GET', '/conversations', { token });
  expect(res.status).toBe(200);
  return res.json.items as any[];
}

async function messagesOf(token: string, conversationId: string) {
  const res = await t.api.request('GET', `/conversations/${conversationId}/messages?limit=200`, {
    token,
  });
  expect(res.status).toBe(200);
  return res.json.items as any[];
}

async function allMessages(token: string) {
  const out = [];
  for (const conv of await conversations(token)) out.push(...(await messagesOf(token, conv.id)));
  return out;
}

async function deliver(
  entries: MetaEntryBody[],
  object: 'whatsapp_business_account' | 'instagram' = 'whatsapp_business_account',
) {
  const res = await postWebhook(t.api, secret, envelope(object, entries));
  expect(res.status).toBe(200);
  await waitForDrain(t.sb);
}

describe('GET /webhooks/meta (verification)', () => {
  it('echoes the challenge as plain text for the right verify token', async () => {
    const res = await t.api.request(
      'GET',
      '/webhooks/meta?hub.mode=subscribe&hub.verify_token=test-verify-token&hub.challenge=1158201444',
    );
    expect(res.status).toBe(200);
    expect(res.text).toBe('1158201444');
    expect(res.headers.get('content-type')).toContain('text/plain');
  });

  it('refuses a wrong token (403) and a request that is not a subscription (400)', async () => {
    expect(
      (
        await t.api.request(
          'GET',
          '/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1',
        )
      ).status,
    ).toBe(403);
    expect(
      (await t.api.request('GET', '/webhooks/meta?hub.verify_token=test-verify-token')).status,
    ).toBe(400);
  });
});

describe('POST /webhooks/meta (signature and envelope)', () => {
  const body = envelope('whatsapp_business_account', [waTextEntry({ text: 'olá' })]);
  const raw = metaJson(body);

  async function post(rawBody: string | Uint8Array, headers: Record<string, string>) {
    const before = t.sb.queues.incoming.stats();
    const res = await t.api.request('POST', '/webhooks/meta', {
      raw: rawBody,
      headers: { 'content-type': 'application/json', ...headers },
    });
    const after = t.sb.queues.incoming.stats();
    return { res, enqueued: after.visible + after.inFlight - before.visible - before.inFlight };
  }

  it.each([
    ['missing', {}],
    ['wrong secret', { 'x-hub-signature-256': signMeta(raw, 'not-the-secret') }],
    [
      'sha1 only',
      { 'x-hub-signature': `sha1=${createHmac('sha1', secret).update(raw).digest('hex')}` },
    ],
    ['malformed', { 'x-hub-signature-256': 'sha256=zz' }],
    ['valid hex with trailing garbage', { 'x-hub-signature-256': `${signMeta(raw, secret)}zz` }],
    ['valid hex with an extra byte', { 'x-hub-signature-256': `${signMeta(raw, secret)}00` }],
    [
      'two values in one header, the good first',
      { 'x-hub-signature-256': `${signMeta(raw, secret)}, sha256=${'0'.repeat(64)}` },
    ],
  ])('answers 401 and enqueues nothing when the signature is %s', async (_name, headers) => {
    const { res, enqueued } = await post(raw, headers);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_signature');
    expect(enqueued).toBe(0);
  });

  it('answers 401 when the header is sent twice, one good value and one bad', async () => {
    const good = signMeta(raw, secret);
    for (const values of [
      [good, `sha256=${'0'.repeat(64)}`],
      [`sha256=${'0'.repeat(64)}`, good],
      [good, good],
    ]) {
      const before = t.sb.queues.incoming.stats();
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(`${t.api.baseUrl}/webhooks/meta`, { method: 'POST', agent: false });
        req.setHeader('content-type', 'application/json');
        req.setHeader('x-hub-signature-256', values);
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(raw);
      });
      const after = t.sb.queues.incoming.stats();
      expect(status).toBe(401);
      expect(after.visible + after.inFlight).toBe(before.visible + before.inFlight);
    }
  });

  it('answers 401 for a tampered body signed before tampering', async () => {
    const signature = signMeta(raw, secret);
    const { res } = await post(raw.replace('ol\\u00e1', 'hello'), {
      'x-hub-signature-256': signature,
    });
    expect(res.status).toBe(401);
  });

  it('checks the signature over the escaped bytes Meta sends, not a re-serialisation', async () => {
    const tenant = await waTenant();
    const entry = waTextEntry({
      wabaId: tenant.wabaId,
      phoneNumberId: tenant.phoneNumberId,
      name: 'Zoë 🌸',
      text: 'Preço: R$ 10/un 👍 <b>',
    });
    const escaped = metaJson(envelope('whatsapp_business_account', [entry]));
    expect(escaped).toContain('\\ud83d');
    expect(escaped).toContain('\\/');
    const res = await t.api.request('POST', '/webhooks/meta', {
      raw: escaped,
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signMeta(escaped, secret),
      },
    });
    expect(res.status).toBe(200);
    await waitForDrain(t.sb);
    const [conv] = await conversations(tenant.token);
    expect(conv.customer.name).toBe('Zoë 🌸');
    const [message] = await messagesOf(tenant.token, conv.id);
    expect(message.text).toBe('Preço: R$ 10/un 👍 <b>');
  });

  it('answers 400 for malformed JSON and for JSON that is not a Meta envelope', async () => {
    const bad = '{"object": "whatsapp_business_account", "entry": [';
    const notJson = await post(bad, { 'x-hub-signature-256': signMeta(bad, secret) });
    expect(notJson.res.status).toBe(400);
    expect(notJson.res.json.error.code).toBe('invalid_json');
    const other = JSON.stringify({ hello: 'world' });
    const notEnvelope = await post(other, { 'x-hub-signature-256': signMeta(other, secret) });
    expect(notEnvelope.res.status).toBe(400);
    expect(notEnvelope.res.json.error.code).toBe('not_a_meta_envelope');
    expect(notEnvelope.enqueued).toBe(0);
  });

  it('answers 413 for a body over 4 MiB', async () => {
    const huge = JSON.stringify({
      object: 'instagram',
      entry: [{ id: '1', messaging: [], pad: 'x'.repeat(4 * 1024 * 1024) }],
    });
    const { res, enqueued } = await post(huge, { 'x-hub-signature-256': signMeta(huge, secret) });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('payload_too_large');
    expect(enqueued).toBe(0);
  });
});

describe('every WhatsApp message type lands in the tenant and comes back out of the API', () => {
  it('stores each type normalised, once, with its customer and conversation', async () => {
    const tenant = await waTenant();
    const c = {
      wabaId: tenant.wabaId,
      phoneNumberId: tenant.phoneNumberId,
      from: '5511900000001',
      name: 'Ana',
    };
    let ts = 1767225600;
    const at = () => ({ ...c, timestamp: ts++ });
    const firstWamid = fakeWamid(c.from);
    const cases: [MetaEntryBody, string, (m: any) => void][] = [
      [
        waTextEntry({ ...at(), wamid: firstWamid, text: 'Oi' }),
        'text',
        (m) => expect(m.text).toBe('Oi'),
      ],
      [waImageEntry({ ...at() }), 'image', (m) => expect(m.media.id).toBeTruthy()],
      [
        waAudioEntry({ ...at(), voice: true }),
        'audio',
        (m) => expect(m.media.mimeType).toBeTruthy(),
      ],
      [waVideoEntry({ ...at() }), 'video', (m) => expect(m.media.id).toBeTruthy()],
      [
        waDocumentEntry({ ...at(), filename: 'orcamento.pdf' }),
        'document',
        (m) => expect(m.media.filename).toBe('orcamento.pdf'),
      ],
      [waStickerEntry({ ...at() }), 'sticker', (m) => expect(m.media.id).toBeTruthy()],
      [
        waLocationEntry({ ...at() }),
        'location',
        (m) => expect(typeof m.location.latitude).toBe('number'),
      ],
      [
        waContactsEntry({ ...at() }),
        'contacts',
        (m) => expect(m.contacts.length).toBeGreaterThan(0),
      ],
      [
        waButtonReplyEntry({ ...at() }),
        'interactive',
        (m) => expect(m.interactive.kind).toBe('button_reply'),
      ],
      [
        waListReplyEntry({ ...at() }),
        'interactive',
        (m) => expect(m.interactive.kind).toBe('list_reply'),
      ],
      [waButtonEntry({ ...at() }), 'button', (m) => expect(m.text).toBeTruthy()],
      [
        waReactionEntry({ ...at(), reactedWamid: firstWamid, emoji: '👍' }),
        'reaction',
        (m) => expect(m.reaction).toMatchObject({ messageId: firstWamid, emoji: '👍' }),
      ],
      [
        waReplyEntry({ ...at(), replyToWamid: firstWamid }),
        'text',
        (m) => expect(m.context.messageId).toBe(firstWamid),
      ],
      [waOrderEntry({ ...at() }), 'order', (m) => expect(m.order.items.length).toBeGreaterThan(0)],
      [waSystemEntry({ ...at() }), 'system', (m) => expect(m.system).toBeTruthy()],
      [
        waUnsupportedEntry({ ...at() }),
        'unsupported',
        (m) => expect(m.errors[0].code).toBeTypeOf('number'),
      ],
    ];
    await deliver(cases.map(([entry]) => entry));
    const convs = await conversations(tenant.token);
    expect(convs).toHaveLength(1);
    expect(convs[0]).toMatchObject({
      channel: 'whatsapp',
      customer: { name: 'Ana', phone: '+5511900000001' },
      unreadCount: cases.length,
    });
    const messages = await messagesOf(tenant.token, convs[0].id);
    expect(messages).toHaveLength(cases.length);
    // Newest first in the API; cases were sent oldest first.
    const oldestFirst = [...messages].reverse();
    cases.forEach(([, type, check], i) => {
      const message = oldestFirst[i];
      expect(message.type).toBe(type);
      expect(message.direction).toBe('inbound');
      expect(message.status).toBe('received');
      expect(message.channelMessageId).toMatch(/^wamid\./);
      check(message);
    });
  });
});

describe('every Instagram event type', () => {
  it('stores messages, story replies and mentions, quick replies, postbacks, echoes, reactions, unsends and reads', async () => {
    const tenant = await igTenant();
    const c = { accountId: tenant.accountId, senderId: '7362514098000001' };
    let ts = 1767225600000;
    const at = () => ({ ...c, timestamp: (ts += 1000) });
    const textMid = fakeMid(c.accountId);
    const echoMid = fakeMid(c.accountId);
    const unsentMid = fakeMid(c.accountId);
    await deliver(
      [
        igTextEntry({ ...at(), mid: textMid, text: 'hi there' }),
        igImageEntry({ ...at() }),
        igStoryReplyEntry({ ...at() }),
        igStoryMentionEntry({ ...at() }),
        igQuickReplyEntry({ ...at() }),
        igPostbackEntry({ ...at() }),
        igTextEntry({ ...at(), mid: unsentMid, text: 'oops' }),
        igEchoEntry({ ...at(), mid: echoMid, text: 'Thanks, we will reply soon' }),
        igReactionEntry({ ...at(), reactedMid: echoMid, emoji: '❤️' }),
      ],
      'instagram',
    );
    await deliver(
      [igUnsendEntry({ ...at(), mid: unsentMid }), igReadEntry({ ...at(), readMid: echoMid })],
      'instagram',
    );
    const [conv] = await conversations(tenant.token);
    expect(conv.channel).toBe('instagram');
    const messages = await messagesOf(tenant.token, conv.id);
    const byMid = new Map(messages.map((m) => [m.channelMessageId, m]));
    expect(byMid.get(textMid)).toMatchObject({
      type: 'text',
      text: 'hi there',
      direction: 'inbound',
    });
    expect(byMid.get(echoMid)).toMatchObject({ direction: 'outbound', status: 'read' });
    expect(byMid.get(unsentMid).deletedAt).toBeTruthy();
    expect(byMid.get(unsentMid).text).toBeUndefined();
    const types = messages.map((m) => m.type);
    for (const type of ['image', 'story_reply', 'story_mention', 'postback', 'reaction'])
      expect(types).toContain(type);
    expect(messages.some((m) => m.interactive?.kind === 'quick_reply')).toBe(true);
  });
});

describe('idempotency and ordering', () => {
  it('stores redelivered and re-batched messages once and counts them unread once', async () => {
    const tenant = await waTenant();
    const c = { wabaId: tenant.wabaId, phoneNumberId: tenant.phoneNumberId, from: '5511900000002' };
    const entries = [1, 2, 3, 4].map((i) =>
      waTextEntry({ ...c, timestamp: 1767225600 + i, text: `m${i}` }),
    );
    await deliver(entries);
    await deliver([entries[0]!, entries[1]!]); // redelivery
    await deliver([entries[3]!, entries[2]!, entries[0]!]); // re-batched, shuffled
    const [conv] = await conversations(tenant.token);
    expect(conv.unreadCount).toBe(4);
    expect(conv.lastMessagePreview).toBe('m4');
    expect(await messagesOf(tenant.token, conv.id)).toHaveLength(4);
  });

  it('keeps the newest message as the preview when older ones arrive late', async () => {
    const tenant = await waTenant();
    const c = { wabaId: tenant.wabaId, phoneNumberId: tenant.phoneNumberId, from: '5511900000003' };
    await deliver([waTextEntry({ ...c, timestamp: 1767229999, text: 'newest', name: 'New Name' })]);
    await deliver([waTextEntry({ ...c, timestamp: 1767220000, text: 'older', name: 'Old Name' })]);
    const [conv] = await conversations(tenant.token);
    expect(conv.lastMessagePreview).toBe('newest');
    expect(conv.customer.name).toBe('New Name');
    expect(conv.unreadCount).toBe(2);
  });

  it('applies WhatsApp statuses forward only, whatever their order; failed is terminal with its error', async () => {
    const tenant = await igTenant();
    // An outbound message to apply statuses to: an Instagram echo of our own send.
    const mid = fakeMid(tenant.accountId);
    const c = { accountId: tenant.accountId, senderId: '7362514098000002' };
    // The read arrives before the echo it refers to: it is parked, then applied.
    await deliver([igReadEntry({ ...c, readMid: mid, timestamp: 1767225605000 })], 'instagram');
    await deliver([igEchoEntry({ ...c, mid, timestamp: 1767225600000 })], 'instagram');
    const [conv] = await conversations(tenant.token);
    const [echo] = await messagesOf(tenant.token, conv.id);
    expect(echo.status).toBe('read');
  });

  it('orders WhatsApp statuses read > delivered > sent and keeps failed terminal', async () => {
    const tenant = await waTenant();
    const c = { wabaId: tenant.wabaId, phoneNumberId: tenant.phoneNumberId };
    const recipientId = '5511900000004';
    const wamid = fakeWamid(recipientId);
    const failingWamid = fakeWamid(recipientId);
    // Statuses for our outbound messages arrive before, between and after each other.
    await deliver([
      waStatusEntry({ ...c, wamid, recipientId, status: 'read', timestamp: 1767225603 }),
      waStatusEntry({ ...c, wamid, recipientId, status: 'sent', timestamp: 1767225601 }),
      waStatusEntry({
        ...c,
        wamid: failingWamid,
        recipientId,
        status: 'failed',
        timestamp: 1767225602,
      }),
    ]);
    await deliver([
      waStatusEntry({ ...c, wamid, recipientId, status: 'delivered', timestamp: 1767225602 }),
      waStatusEntry({
        ...c,
        wamid: failingWamid,
        recipientId,
        status: 'read',
        timestamp: 1767225609,
      }),
    ]);
    // The outbound messages are recorded after their statuses (as a slow send path would).
    const { tenantData } = await import('../src/engine/data/tenant-data');
    const { storeOutboundMessage } =
      await import('../src/modules/messaging/outbound-message.service');
    const data = tenantData(t.sb.db, {
      tenantId: tenant.id,
      actor: { kind: 'system', reason: 'test' },
    });
    const channelId = tenant.channelIds[0]!;
    for (const [id, channelMessageId] of [
      ['msg_a', wamid],
      ['msg_b', failingWamid],
    ] as const) {
      await storeOutboundMessage(data, {
        id,
        channelMessageId,
        customerId: `wa-${recipientId}`,
        conversationId: 'cv_test',
        channel: 'whatsapp',
        channelId,
        direction: 'outbound',
        type: 'text',
        text: 'hello',
        status: 'pending',
        timestamp: '2026-01-01T00:00:00.000Z',
        createdAt: '2026-01-01T00:00:00.000Z',
      });
    }
    const a = await data.messages.get(
      data.messages.keyOf({
        customerId: `wa-${recipientId}`,
        timestamp: '2026-01-01T00:00:00.000Z',
        id: 'msg_a',
      }),
    );
    const b = await data.messages.get(
      data.messages.keyOf({
        customerId: `wa-${recipientId}`,
        timestamp: '2026-01-01T00:00:00.000Z',
        id: 'msg_b',
      }),
    );
    expect(a?.status).toBe('read');
    expect(b?.status).toBe('failed');
    expect(b?.errors?.[0]?.code).toBe(131047);
    // A late "sent" changes nothing once read.
    await deliver([
      waStatusEntry({ ...c, wamid, recipientId, status: 'sent', timestamp: 1767225700 }),
    ]);
    expect((await data.messages.get(data.messages.keyOf(a!)))?.status).toBe('read');
  });
});

describe('routing', () => {
  it('splits one delivery spanning two tenants into each tenant, and isolates them', async () => {
    const a = await waTenant();
    const b = await waTenant();
    await deliver([
      waTextEntry({
        wabaId: a.wabaId,
        phoneNumberId: a.phoneNumberId,
        from: '5511900000005',
        text: 'for A',
      }),
      waTextEntry({
        wabaId: b.wabaId,
        phoneNumberId: b.phoneNumberId,
        from: '5511900000006',
        text: 'for B',
      }),
    ]);
    const [convA] = await conversations(a.token);
    const [convB] = await conversations(b.token);
    expect(convA.lastMessagePreview).toBe('for A');
    expect(convB.lastMessagePreview).toBe('for B');
    expect((await conversations(a.token)).length).toBe(1);
    // Another tenant's conversation answers exactly like a missing one.
    const cross = await t.api.request('GET', `/conversations/${convB.id}/messages`, {
      token: a.token,
    });
    expect(cross.status).toBe(404);
    expect(cross.json.error.code).toBe('not_found');
  });

  it('routes by WABA id when the phone number id is unknown to us', async () => {
    const tenant = await waTenant();
    await deliver([
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: newMetaId(),
        from: '5511900000007',
        text: 'via waba',
      }),
    ]);
    const [conv] = await conversations(tenant.token);
    expect(conv.lastMessagePreview).toBe('via waba');
  });

  it('keeps an entry for an unknown number for the platform admin, without retrying it', async () => {
    const phoneNumberId = newMetaId();
    await deliver([waTextEntry({ wabaId: newMetaId(), phoneNumberId, text: 'nobody home' })]);
    const res = await t.api.request('GET', '/admin/unrouted', { token: t.adminToken });
    expect(res.status).toBe(200);
    const found = res.json.items.find(
      (e: { routingKeys: { phoneNumberId?: string } }) =>
        e.routingKeys.phoneNumberId === phoneNumberId,
    );
    expect(found).toMatchObject({
      reason: 'no_tenant_for_routing_key',
      object: 'whatsapp_business_account',
    });
    expect(t.sb.queues.incomingDlq.stats().visible).toBe(0);
    // Tenants cannot read the platform's unrouted list.
    const tenant = await waTenant();
    expect((await t.api.request('GET', '/admin/unrouted', { token: tenant.token })).status).toBe(
      403,
    );
  });
});

describe('poison records', () => {
  it('sends a record that keeps failing to the DLQ, and redrive after the fix stores it once', async () => {
    const tenant = await waTenant();
    const c = { wabaId: tenant.wabaId, phoneNumberId: tenant.phoneNumberId, from: '5511900000008' };
    poisonBroken = true;
    const res = await postWebhook(
      t.api,
      secret,
      envelope('whatsapp_business_account', [
        waTextEntry({ ...c, text: `healthy`, timestamp: 1767225600 }),
        waTextEntry({ ...c, text: poisonMarker, timestamp: 1767225601 }),
      ]),
    );
    expect(res.status).toBe(200);
    // The batch's other record succeeds while the poison one cycles to the DLQ.
    await waitFor(async () => t.sb.queues.incomingDlq.stats().visible === 1, {
      what: 'poison in DLQ',
    });
    await waitForDrain(t.sb);
    const [conv] = await conversations(tenant.token);
    expect((await messagesOf(tenant.token, conv.id)).map((m) => m.text)).toEqual(['healthy']);
    const [dead] = await t.sb.dlq.IncomingMessagesQueue.list(10);
    expect(dead?.receiveCount).toBeGreaterThanOrEqual(5);

    poisonBroken = false; // the fix ships
    expect(await t.sb.dlq.IncomingMessagesQueue.redrive()).toBe(1);
    await waitForDrain(t.sb);
    expect(t.sb.queues.incomingDlq.stats().visible).toBe(0);
    const texts = (await messagesOf(tenant.token, conv.id)).map((m) => m.text);
    expect(texts.sort()).toEqual([poisonMarker, 'healthy'].sort());
    // Redriving again (nothing left) changes nothing.
    expect(await t.sb.dlq.IncomingMessagesQueue.redrive()).toBe(0);
    expect(await allMessages(tenant.token)).toHaveLength(2);
  });
});

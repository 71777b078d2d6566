import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantData } from '../../src/engine/data/tenant-data';
import {
  recordAcceptance,
  storePendingOutbound,
} from '../../src/modules/messaging/outbound-message.service';
import { waStatusEntry } from '../factories/meta';
import { createTenant, waitFor, type TestSandbox } from '../helpers/harness';
import {
  deliver,
  messageById,
  messagesOf,
  newMetaId,
  send,
  startOutboundSandbox,
  waInbound,
  waTenant,
} from './outbound-harness';

// Retries, refusals and channel credentials: idempotent /send-message, a token Meta rejects (190),
// throttling, the connect-time checks, disconnecting a channel, and a status that beats the send.

let t: TestSandbox;
beforeAll(async () => {
  t = await startOutboundSandbox();
});
afterAll(async () => {
  await t?.stop();
});

describe('Idempotency-Key', () => {
  it('answers a retry with the first response and sends once; another body with the key is refused', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const body = { conversationId: conversation.id, text: 'Seu pedido saiu!' };
    const key = `retry-${newMetaId()}`;
    const before = t.sb.metaStandIn!.sent.length;

    const first = await send(t, tenant.token, body, { 'idempotency-key': key });
    const retry = await send(
      t,
      tenant.token,
      { text: body.text, conversationId: body.conversationId },
      {
        'idempotency-key': key,
      },
    );

    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(t.sb.metaStandIn!.sent.length).toBe(before + 1);
    const outbound = (await messagesOf(t, tenant.token, conversation.id)).filter(
      (m) => m.direction === 'outbound',
    );
    expect(outbound).toHaveLength(1);

    const reused = await send(
      t,
      tenant.token,
      { ...body, text: 'Outro texto' },
      { 'idempotency-key': key },
    );
    expect(reused.status).toBe(409);
    expect(reused.json.error.code).toBe('idempotency_key_reused');

    // The same key in another workspace is another key.
    const other = await waTenant(t);
    const { conversation: otherConv } = await waInbound(t, other);
    const elsewhere = await send(
      t,
      other.token,
      { conversationId: otherConv.id, text: body.text },
      {
        'idempotency-key': key,
      },
    );
    expect(elsewhere.status).toBe(202);
    expect(elsewhere.json.id).not.toBe(first.json.id);
  });

  it('replays a final error, but lets a throttled request run again', async () => {
    const tenant = await waTenant(t);
    const { conversation: old } = await waInbound(t, tenant, { ageSeconds: 2 * 24 * 3600 });
    const closedKey = `closed-${newMetaId()}`;
    const closed = await send(
      t,
      tenant.token,
      { conversationId: old.id, text: 'x' },
      { 'idempotency-key': closedKey },
    );
    const closedAgain = await send(
      t,
      tenant.token,
      { conversationId: old.id, text: 'x' },
      { 'idempotency-key': closedKey },
    );
    expect(closed.status).toBe(422);
    expect(closedAgain.status).toBe(422);
    expect(closedAgain.json).toEqual(closed.json);
    expect(closedAgain.headers.get('idempotent-replayed')).toBe('true');

    const { conversation } = await waInbound(t, tenant);
    const key = `throttled-${newMetaId()}`;
    t.sb.metaStandIn!.failNext(
      {
        httpStatus: 400,
        code: 130429,
        message: '(#130429) Rate limit hit',
        details:
          'Message failed to send because there were too many messages sent from this phone number in a short period of time',
      },
      3,
    );
    const throttled = await send(
      t,
      tenant.token,
      { conversationId: conversation.id, text: 'Oi' },
      { 'idempotency-key': key },
    );
    expect(throttled.status).toBe(429);
    expect(throttled.json.error.code).toBe('rate_limited');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    const failed = await messageById(
      t,
      tenant.token,
      conversation.id,
      throttled.json.error.messageId,
    );
    expect(failed).toMatchObject({ status: 'failed', failure: { code: 'rate_limited' } });

    const retried = await send(
      t,
      tenant.token,
      { conversationId: conversation.id, text: 'Oi' },
      { 'idempotency-key': key },
    );
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
  });

  it('refuses a malformed key, and a duplicate that arrives while the first is running', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const body = { conversationId: conversation.id, text: 'x' };
    const malformed = await send(t, tenant.token, body, { 'idempotency-key': 'has spaces' });
    expect(malformed.status).toBe(400);

    const key = `concurrent-${newMetaId()}`;
    t.sb.metaStandIn!.holdNext(800);
    const first = send(t, tenant.token, body, { 'idempotency-key': key });
    await waitFor(async () =>
      (await messagesOf(t, tenant.token, conversation.id)).some((m) => m.direction === 'outbound'),
    );
    const duplicate = await send(t, tenant.token, body, { 'idempotency-key': key });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.error.code).toBe('idempotency_in_progress');
    expect(duplicate.headers.get('retry-after')).toBe('1');
    expect((await first).status).toBe(202);
    expect((await send(t, tenant.token, body, { 'idempotency-key': key })).json).toEqual(
      (await first).json,
    );
  });
});

describe('channel credentials', () => {
  it('marks the channel needs_reconnect when Meta rejects its token (190), refuses sends until reconnected', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const reconnect = (accessToken: string) =>
      t.api.request('POST', '/channels', {
        token: tenant.token,
        body: {
          type: 'whatsapp',
          wabaId: tenant.wabaId,
          phoneNumberId: tenant.phoneNumberId,
          accessToken,
        },
      });
    // This channel gets a token of its own, which Meta then revokes.
    const doomed = `EAAG-doomed-${newMetaId()}`;
    expect((await reconnect(doomed)).status).toBe(200);
    t.sb.metaStandIn!.revokeToken(doomed);

    const res = await send(t, tenant.token, { conversationId: conversation.id, text: 'Olá' });
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: 'channel_token_invalid', meta: { code: 190 } });
    const failed = await messageById(t, tenant.token, conversation.id, res.json.error.messageId);
    expect(failed.status).toBe('failed');

    const channels = await t.api.request('GET', '/channels', { token: tenant.token });
    const channel = channels.json.items.find((c: any) => c.id === tenant.channelId);
    expect(channel.status).toBe('needs_reconnect');
    expect(channels.text).not.toContain('EAAG');
    expect(channels.text).not.toContain('tokenCiphertext');

    // No Graph call while the channel needs reconnecting.
    const before = t.sb.metaStandIn!.sent.length;
    const again = await send(t, tenant.token, { conversationId: conversation.id, text: 'Olá' });
    expect(again.json.error.code).toBe('channel_token_invalid');
    expect(t.sb.metaStandIn!.sent.length).toBe(before);
    const templates = await t.api.request('GET', `/channels/${tenant.channelId}/templates`, {
      token: tenant.token,
    });
    expect(templates.json.error.code).toBe('channel_token_invalid');

    // Reconnect: the same number with a fresh token.
    const fresh = await reconnect(`EAAG-fresh-${newMetaId()}`);
    expect(fresh.status).toBe(200);
    expect(fresh.json).toMatchObject({ id: tenant.channelId, status: 'active' });
    const ok = await send(t, tenant.token, {
      conversationId: conversation.id,
      text: 'Olá de novo',
    });
    expect(ok.status).toBe(202);
  });

  it('checks the token and the number with Meta on connect', async () => {
    const tenant = await createTenant(t.api, t.adminToken, []);
    const badToken = await t.api.request('POST', '/channels', {
      token: tenant.token,
      body: {
        type: 'whatsapp',
        wabaId: newMetaId(),
        phoneNumberId: newMetaId(),
        accessToken: 'not-a-meta-token-at-all',
      },
    });
    expect(badToken.status).toBe(422);
    expect(badToken.json.error.code).toBe('channel_token_invalid');
    expect(JSON.stringify(badToken.json)).not.toContain('not-a-meta-token');

    const missing = newMetaId();
    t.sb.metaStandIn!.forgetId(missing);
    const unknown = await t.api.request('POST', '/channels', {
      token: tenant.token,
      body: {
        type: 'whatsapp',
        wabaId: newMetaId(),
        phoneNumberId: missing,
        accessToken: 'EAAG-test-token-0123456789',
      },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.code).toBe('channel_not_found');
    const igMissing = newMetaId();
    t.sb.metaStandIn!.forgetId(igMissing);
    const ig = await t.api.request('POST', '/channels', {
      token: tenant.token,
      body: { type: 'instagram', accountId: igMissing, accessToken: 'EAAG-test-token-0123456789' },
    });
    expect(ig.json.error.code).toBe('channel_not_found');
    expect((await t.api.request('GET', '/channels', { token: tenant.token })).json.items).toEqual(
      [],
    );

    const good = await t.api.request('POST', '/channels', {
      token: tenant.token,
      body: {
        type: 'instagram',
        accountId: newMetaId(),
        accessToken: 'IGAA-test-token-0123456789',
      },
    });
    expect(good.status).toBe(201);
    expect(good.json.displayName).toMatch(/^@sandbox_/);
  });

  it('disconnects a channel, releasing its number for another workspace', async () => {
    const tenant = await waTenant(t);
    const other = await createTenant(t.api, t.adminToken, []);
    const connect = () =>
      t.api.request('POST', '/channels', {
        token: other.token,
        body: {
          type: 'whatsapp',
          wabaId: tenant.wabaId,
          phoneNumberId: tenant.phoneNumberId,
          accessToken: 'EAAG-test-token-0123456789',
        },
      });
    expect((await connect()).status).toBe(409);
    const notTheirs = await t.api.request('DELETE', `/channels/${tenant.channelId}`, {
      token: other.token,
    });
    expect(notTheirs.status).toBe(404);
    const removed = await t.api.request('DELETE', `/channels/${tenant.channelId}`, {
      token: tenant.token,
    });
    expect(removed.status).toBe(204);
    expect((await t.api.request('GET', '/channels', { token: tenant.token })).json.items).toEqual(
      [],
    );
    expect(
      (await t.api.request('DELETE', `/channels/${tenant.channelId}`, { token: tenant.token }))
        .status,
    ).toBe(404);
    expect((await connect()).status).toBe(201);
  });
});

describe('order of events', () => {
  it('applies a status that reached us before the send recorded Meta’s id', async () => {
    const tenant = await waTenant(t);
    const { conversation, from } = await waInbound(t, tenant);
    const data = tenantData(t.sb.db, {
      tenantId: tenant.id,
      actor: { kind: 'system', reason: 'test' },
    });
    const wamid = `wamid.EARLY${newMetaId()}`;
    const draft = {
      id: `msg_early${newMetaId()}`,
      customerId: `wa-${from}`,
      conversationId: conversation.id,
      channel: 'whatsapp' as const,
      channelId: tenant.channelId,
      direction: 'outbound' as const,
      type: 'text' as const,
      text: 'early',
      status: 'pending' as const,
      timestamp: new Date().toISOString(),
      createdAt: new Date().toISOString(),
    };
    const ref = await storePendingOutbound(data, draft);
    await deliver(t, [
      waStatusEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        wamid,
        recipientId: from,
        status: 'delivered',
        timestamp: Math.floor(Date.now() / 1000),
      }),
    ]);
    const stored = await recordAcceptance(data, ref, 'whatsapp', wamid, new Date().toISOString());
    expect(stored?.status).toBe('delivered');
    const viaApi = await waitFor(() => messageById(t, tenant.token, conversation.id, draft.id));
    expect(viaApi).toMatchObject({ status: 'delivered', channelMessageId: wamid });
  });
});

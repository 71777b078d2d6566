import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../helpers/harness';
import {
  igInbound,
  igTenant,
  send,
  startOutboundSandbox,
  waInbound,
  waTenant,
} from './outbound-harness';

// Blue ticks and typing: marking a conversation read sends WhatsApp's read receipt for the latest
// inbound message (exactly Meta's JSON) or Instagram's mark_seen, best effort; the typing route
// sends WhatsApp's typing indicator or Instagram's typing_on, at most once per few seconds, and
// answers Meta's refusals with the route's codes.

let t: TestSandbox;
beforeAll(async () => {
  t = await startOutboundSandbox();
});
afterAll(async () => {
  await t?.stop();
});

const stand = () => t.sb.metaStandIn!;
const actionsOf = (senderId: string) =>
  stand().outbound.actions.filter((a) => a.senderId === senderId);

describe('read receipts', () => {
  it('WhatsApp: POST /conversations/{id}/read sends status read for the latest inbound wamid', async () => {
    // Prepare: the customer wrote twice; we replied after the first.
    const tenant = await waTenant(t);
    const first = await waInbound(t, tenant, { text: 'Oi', ageSeconds: 120 });
    const latest = await waInbound(t, tenant, { from: first.from, text: 'Tem em azul?' });
    const reply = await send(t, tenant.token, {
      conversationId: first.conversation.id,
      text: 'Um instante',
    });
    expect(reply.status).toBe(202);

    // Act
    const res = await t.api.request('POST', `/conversations/${first.conversation.id}/read`, {
      token: tenant.token,
    });

    // Assess: read here, and exactly Meta's receipt for the newest inbound message.
    expect(res.status).toBe(200);
    expect(res.json.unreadCount).toBe(0);
    const latestInbound = (
      await t.api.request('GET', `/conversations/${first.conversation.id}/messages`, {
        token: tenant.token,
      })
    ).json.items.find((m: any) => m.direction === 'inbound');
    expect(latestInbound.text).toBe('Tem em azul?');
    expect(latest.conversation.id).toBe(first.conversation.id);
    const receipts = actionsOf(tenant.phoneNumberId);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ channel: 'whatsapp', action: 'read' });
    expect(JSON.stringify(receipts[0]!.body)).toBe(
      JSON.stringify({
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: latestInbound.channelMessageId,
      }),
    );
  });

  it('still marks the conversation read when Meta refuses the receipt', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    stand().failNext({ httpStatus: 400, code: 100, message: '(#100) Invalid parameter' });
    const res = await t.api.request('POST', `/conversations/${conversation.id}/read`, {
      token: tenant.token,
    });
    expect(res.status).toBe(200);
    expect(res.json.unreadCount).toBe(0);
    expect(actionsOf(tenant.phoneNumberId)).toEqual([]);
  });

  it('Instagram: sends mark_seen to the customer', async () => {
    const tenant = await igTenant(t);
    const { conversation, senderId } = await igInbound(t, tenant);
    const res = await t.api.request('POST', `/conversations/${conversation.id}/read`, {
      token: tenant.token,
    });
    expect(res.status).toBe(200);
    expect(actionsOf(tenant.accountId).map((a) => a.body)).toEqual([
      { recipient: { id: senderId }, sender_action: 'mark_seen' },
    ]);
  });
});

describe('typing indicator', () => {
  it('WhatsApp: 204, Meta’s typing indicator on the latest inbound message, once per few seconds', async () => {
    const tenant = await waTenant(t);
    const { conversation, message } = await waInbound(t, tenant);
    const typing = () =>
      t.api.request('POST', `/conversations/${conversation.id}/typing`, { token: tenant.token });

    const first = await typing();
    const second = await typing();

    expect(first.status).toBe(204);
    expect(second.status).toBe(204);
    const sent = actionsOf(tenant.phoneNumberId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ action: 'typing' });
    expect(sent[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: message.channelMessageId,
      typing_indicator: { type: 'text' },
    });
  });

  it('WhatsApp: 422 window_closed when the customer last wrote over 24 hours ago', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant, { ageSeconds: 2 * 24 * 3600 });
    const res = await t.api.request('POST', `/conversations/${conversation.id}/typing`, {
      token: tenant.token,
    });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('window_closed');
    expect(actionsOf(tenant.phoneNumberId)).toEqual([]);
  });

  it('maps Meta’s refusals to the route’s codes', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    stand().failNext({ httpStatus: 400, code: 100, message: '(#100) Invalid parameter' });
    const refused = await t.api.request('POST', `/conversations/${conversation.id}/typing`, {
      token: tenant.token,
    });
    expect(refused.status).toBe(502);
    expect(refused.json.error.code).toBe('meta_error');
    // A failed call is not throttled: the next one reaches Meta.
    stand().failNext({
      httpStatus: 429,
      code: 130429,
      message: '(#130429) Rate limit hit',
      retryAfterSeconds: 30,
    });
    const limited = await t.api.request('POST', `/conversations/${conversation.id}/typing`, {
      token: tenant.token,
    });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe('rate_limited');
    expect(limited.headers.get('retry-after')).toBe('30');
  });

  it('Instagram: typing_on', async () => {
    const tenant = await igTenant(t);
    const { conversation, senderId } = await igInbound(t, tenant);
    const res = await t.api.request('POST', `/conversations/${conversation.id}/typing`, {
      token: tenant.token,
    });
    expect(res.status).toBe(204);
    expect(actionsOf(tenant.accountId).map((a) => a.body)).toEqual([
      { recipient: { id: senderId }, sender_action: 'typing_on' },
    ]);
  });

  it('answers 404 for another workspace’s conversation', async () => {
    const owner = await waTenant(t);
    const intruder = await waTenant(t);
    const { conversation } = await waInbound(t, owner);
    const res = await t.api.request('POST', `/conversations/${conversation.id}/typing`, {
      token: intruder.token,
    });
    expect(res.status).toBe(404);
    expect(actionsOf(owner.phoneNumberId)).toEqual([]);
  });
});

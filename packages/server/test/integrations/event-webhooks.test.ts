import { integrationEventTypes } from '@switchboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queues } from '../../src/engine/topology';
import { waitFor, type TestSandbox } from '../helpers/harness';
import {
  messagesOf,
  send,
  startOutboundSandbox,
  waInbound,
  waTenant,
  type WaTenant,
} from '../outbound/outbound-harness';
import { startEventReceiver, type EventReceiver } from './event-receiver';

// Events for integrators, end to end in the sandbox: a signed Meta webhook, a send and its status
// ticks, an agent's assign and close, a contact edit each reach the tenant's endpoint (a real
// HTTP server on 127.0.0.1) signed per Standard Webhooks; failures retry with the same
// webhook-id, end in the DLQ, and a redrive delivers; another tenant's endpoint hears nothing.

let t: TestSandbox;
const receivers: EventReceiver[] = [];

beforeAll(async () => {
  t = await startOutboundSandbox();
});

afterAll(async () => {
  await Promise.all([t?.stop(), ...receivers.map((r) => r.close())]);
});

async function tenantWithEndpoint(
  events: readonly string[] = integrationEventTypes,
): Promise<WaTenant & { receiver: EventReceiver; destinationId: string }> {
  const tenant = await waTenant(t);
  const receiver = await startEventReceiver();
  receivers.push(receiver);
  const res = await t.api.request('POST', '/event-destinations', {
    token: tenant.token,
    body: { url: receiver.url, events },
  });
  expect(res.status, res.text).toBe(201);
  expect(res.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  receiver.setSecret(res.json.secret);
  return { ...tenant, receiver, destinationId: res.json.id };
}

const first = <T>(probe: () => T | undefined, what: string) =>
  waitFor(async () => probe(), { what, timeoutMs: 20_000 });

describe('event webhooks', () => {
  it('delivers every event type, signed, to the tenant’s endpoint and never to another’s', async () => {
    const a = await tenantWithEndpoint();
    const b = await tenantWithEndpoint();

    // message.received: a customer writes.
    const { conversation, message } = await waInbound(t, a, { text: 'Is my order on its way?' });
    const received = await first(
      () =>
        a.receiver.ofType('message.received').find((r) => r.body.data.message.id === message.id),
      'message.received',
    );
    expect(received.body).toMatchObject({
      type: 'message.received',
      timestamp: expect.any(String),
      data: { conversationId: conversation.id, message: { text: 'Is my order on its way?' } },
    });
    expect(received.id).toMatch(/^evt_/);

    // message.status: the reply's ticks (the Meta stand-in reports sent, delivered, read).
    const reply = await send(t, a.token, { conversationId: conversation.id, text: 'Yes, today!' });
    expect(reply.status, reply.text).toBe(202);
    const read = await first(
      () =>
        a.receiver
          .ofType('message.status')
          .find((r) => r.body.data.message.id === reply.json.id && r.body.data.status === 'read'),
      'message.status read',
    );
    expect(read.body.data.message.direction).toBe('outbound');
    const statuses = a.receiver
      .ofType('message.status')
      .filter((r) => r.body.data.message.id === reply.json.id)
      .map((r) => r.body.data.status);
    // Only status changes: no event for Meta's id being recorded, each status once.
    expect(new Set(statuses).size).toBe(statuses.length);
    expect(statuses).toContain('read');

    // conversation.assigned and conversation.closed: an agent's actions.
    const me = await t.api.request('GET', '/auth/me', { token: a.token });
    const assigned = await t.api.request('POST', `/conversations/${conversation.id}/assign`, {
      token: a.token,
      body: { userId: me.json.user.id },
    });
    expect(assigned.status, assigned.text).toBe(200);
    const assignedEvent = await first(
      () => a.receiver.ofType('conversation.assigned')[0],
      'conversation.assigned',
    );
    expect(assignedEvent.body.data).toMatchObject({
      conversation: { id: conversation.id },
      assigneeId: me.json.user.id,
      previousAssigneeId: null,
    });
    const closed = await t.api.request('POST', `/conversations/${conversation.id}/close`, {
      token: a.token,
    });
    expect(closed.status, closed.text).toBe(200);
    const closedEvent = await first(
      () => a.receiver.ofType('conversation.closed')[0],
      'conversation.closed',
    );
    expect(closedEvent.body.data.conversation).toMatchObject({
      id: conversation.id,
      status: 'closed',
    });

    // contact.updated: an agent edits the contact.
    const edited = await t.api.request('PATCH', `/customers/${conversation.customer.id}`, {
      token: a.token,
      body: { company: 'Acme' },
    });
    expect(edited.status, edited.text).toBe(200);
    const contactEvent = await first(
      () => a.receiver.ofType('contact.updated')[0],
      'contact.updated',
    );
    expect(contactEvent.body.data.contact).toMatchObject({
      id: conversation.customer.id,
      company: 'Acme',
    });

    // Every request verified; the last delivery is on the destination.
    expect(a.receiver.received.every((r) => r.verified)).toBe(true);
    const listed = await t.api.request('GET', '/event-destinations', { token: a.token });
    expect(listed.json.items[0]).toMatchObject({
      id: a.destinationId,
      lastDelivery: { outcome: 'delivered', status: 200 },
    });
    expect(listed.json.items[0].secret).toBeUndefined();

    // Tenant B's endpoint heard none of it; B's own message reaches B only.
    expect(b.receiver.received).toEqual([]);
    const countA = a.receiver.received.length;
    const bInbound = await waInbound(t, b, { text: 'Hello from B' });
    await first(
      () =>
        b.receiver
          .ofType('message.received')
          .find((r) => r.body.data.message.id === bInbound.message.id),
      'B message.received',
    );
    expect(a.receiver.received.length).toBe(countA);
  });

  it('retries a failing endpoint and delivers once, with the same webhook-id', async () => {
    const a = await tenantWithEndpoint(['message.received']);
    a.receiver.script([500, 500]);
    const { message } = await waInbound(t, a, { text: 'Third time lucky' });
    const delivered = await first(
      () =>
        a.receiver.received.find((r) => r.status === 200 && r.body.data.message.id === message.id),
      'the delivery after two failures',
    );
    const attempts = a.receiver.received.filter((r) => r.id === delivered.id);
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(a.receiver.received.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('moves an event an endpoint keeps refusing to the DLQ, and a redrive delivers it', async () => {
    const a = await tenantWithEndpoint(['message.received']);
    a.receiver.script([], 503);
    const { message } = await waInbound(t, a, { text: 'Anyone there?' });
    const failed = await waitFor(
      async () => {
        const res = await t.api.request('GET', '/event-destinations', { token: a.token });
        const last = res.json.items[0].lastDelivery;
        return last?.outcome === 'failed' && last;
      },
      { what: 'the final failure', timeoutMs: 30_000 },
    );
    expect(failed).toMatchObject({ type: 'message.received', status: 503 });
    expect(failed.error).toMatch(/HTTP 503 from 127\.0\.0\.1/);
    const attempts = a.receiver.received.filter((r) => r.body.data.message.id === message.id);
    expect(attempts).toHaveLength(queues.IntegrationEventsQueue.maxReceiveCount);
    expect(new Set(attempts.map((r) => r.id)).size).toBe(1);

    const dlq = await t.api.request('GET', '/admin/dlq/IntegrationEventsQueue', {
      token: t.adminToken,
    });
    expect(dlq.status, dlq.text).toBe(200);
    const dead = dlq.json.items.filter((m: any) => JSON.parse(m.body).detail.tenantId === a.id);
    expect(dead).toHaveLength(1);

    a.receiver.script([], 200);
    const redrive = await t.api.request('POST', '/admin/dlq/IntegrationEventsQueue/redrive', {
      token: t.adminToken,
      body: { ids: dead.map((m: any) => m.id) },
    });
    expect(redrive.status, redrive.text).toBe(200);
    const delivered = await first(
      () => a.receiver.received.find((r) => r.status === 200 && r.id === attempts[0]!.id),
      'the redriven delivery',
    );
    expect(delivered.body.data.message.id).toBe(message.id);
  });

  it('sends a signed test, follows edits, stops when disabled and refuses unsafe URLs', async () => {
    const a = await tenantWithEndpoint(['message.received']);
    const test = await t.api.request('POST', `/event-destinations/${a.destinationId}/test`, {
      token: a.token,
    });
    expect(test.json).toEqual({ delivered: true, status: 200 });
    expect(a.receiver.ofType('switchboard.test')).toHaveLength(1);

    const disabled = await t.api.request('PATCH', `/event-destinations/${a.destinationId}`, {
      token: a.token,
      body: { enabled: false },
    });
    expect(disabled.status, disabled.text).toBe(200);
    expect(disabled.json).toMatchObject({ enabled: false, events: ['message.received'] });
    const before = a.receiver.received.length;
    const quiet = await waInbound(t, a, { text: 'Nobody listens' });
    // The message is stored and its (absent) delivery had its chance: the queue is drained.
    expect((await messagesOf(t, a.token, quiet.conversation.id)).length).toBe(1);
    await waitFor(async () => {
      const stats = t.sb.leads.queues.IntegrationEventsQueue.queue.stats();
      return stats.visible + stats.inFlight === 0;
    });
    expect(a.receiver.received.length).toBe(before);

    const unsafe = await t.api.request('POST', '/event-destinations', {
      token: a.token,
      body: { url: 'http://10.0.0.8/hook', events: ['message.received'] },
    });
    expect(unsafe.status).toBe(400);
    expect(unsafe.json.error.code).toBe('unsafe_destination');
    const noEvents = await t.api.request('POST', '/event-destinations', {
      token: a.token,
      body: { url: a.receiver.url, events: [] },
    });
    expect(noEvents.status).toBe(400);

    const removed = await t.api.request('DELETE', `/event-destinations/${a.destinationId}`, {
      token: a.token,
    });
    expect(removed.status).toBe(204);
    const gone = await t.api.request('POST', `/event-destinations/${a.destinationId}/test`, {
      token: a.token,
    });
    expect(gone.status).toBe(404);
  });
});

import type { LiveEventType } from '@switchboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, waTextEntry } from '../factories/meta';
import { addMember, onboard, seedInbox, type Person } from '../auth/helpers';
import { postWebhook, startTestSandbox, type TestSandbox } from '../helpers/harness';
import { openLive, roundTrip, type LiveClient } from './live-client';
import { liveEventSamples, type SampleFixture } from './live-samples';

// A socket receives its own tenant's events only, and of those only what its audience allows.
// Every event type is sent through the sandbox's one EventFanout for tenant A with A's and B's
// sockets open; B's must never see it. "Never" is proved without waiting: after A got the event,
// a ping round trip on B's socket flushes anything the server could have sent B before it.

let t: TestSandbox;
let a: { tenantId: string; owner: Person; inbox: Awaited<ReturnType<typeof seedInbox>> };
let b: { tenantId: string; owner: Person };
let aSocket: LiveClient;
let bSocket: LiveClient;

beforeAll(async () => {
  t = await startTestSandbox();
  const ta = await onboard(t, 'Tenant A');
  a = { ...ta, inbox: await seedInbox(t, ta.tenantId, ta.owner.session.accessToken) };
  b = await onboard(t, 'Tenant B');
  aSocket = await openLive(t, a.owner.session.accessToken);
  bSocket = await openLive(t, b.owner.session.accessToken);
}, 60_000);

afterAll(async () => {
  aSocket?.close();
  bSocket?.close();
  await t?.stop();
});

describe('live isolation', () => {
  const types = Object.keys(liveEventSamples) as LiveEventType[];

  it.each(types)('%s for tenant A reaches A and never B', async (type) => {
    const fx: SampleFixture = {
      tenantId: a.tenantId,
      conversationId: a.inbox.conversationId,
      userId: a.owner.id,
    };
    const event = liveEventSamples[type](fx);
    await t.sb.events.emit(a.tenantId, event);
    const got = await aSocket.next((e) => e.id === event.id);
    expect(got).toEqual(event);
    await roundTrip(bSocket);
    expect(bSocket.events.filter((e) => e.id === event.id)).toEqual([]);
    expect(bSocket.events.some((e) => JSON.stringify(e).includes(a.tenantId))).toBe(false);
  });

  it('honours the audience: userIds reach only those users, minRole only those roles', async () => {
    const viewer = await addMember(t, a.owner.session.accessToken, 'viewer');
    const viewerSocket = await openLive(t, viewer.session.accessToken);
    try {
      const fx = {
        tenantId: a.tenantId,
        conversationId: a.inbox.conversationId,
        userId: viewer.id,
      };
      const forViewer = { ...liveEventSamples['note.created'](fx), id: 'evt_for_viewer' };
      await t.sb.events.emit(a.tenantId, forViewer, { userIds: [viewer.id] });
      expect(await viewerSocket.next((e) => e.id === forViewer.id)).toEqual(forViewer);

      const forAdmins = { ...liveEventSamples['conversation.updated'](fx), id: 'evt_for_admins' };
      await t.sb.events.emit(a.tenantId, forAdmins, { minRole: 'admin' });
      expect(await aSocket.next((e) => e.id === forAdmins.id)).toEqual(forAdmins);

      await Promise.all([roundTrip(aSocket), roundTrip(viewerSocket), roundTrip(bSocket)]);
      expect(aSocket.events.some((e) => e.id === forViewer.id)).toBe(false);
      expect(viewerSocket.events.some((e) => e.id === forAdmins.id)).toBe(false);
      expect(bSocket.events.some((e) => e.id === forViewer.id || e.id === forAdmins.id)).toBe(
        false,
      );
    } finally {
      viewerSocket.close();
    }
  });

  it('a webhook for tenant A: A gets message.created and conversation.updated, B nothing', async () => {
    const before = bSocket.events.length;
    const text = `live hello ${Date.now()}`;
    const res = await postWebhook(
      t.api,
      t.sb.meta.appSecret,
      envelope('whatsapp_business_account', [
        waTextEntry({
          wabaId: a.inbox.wabaId,
          phoneNumberId: a.inbox.phoneNumberId,
          from: a.inbox.from,
          text,
          timestamp: Math.floor(Date.now() / 1000),
        }),
      ]),
    );
    expect(res.status).toBe(200);
    const created = await aSocket.next(
      (e) => e.type === 'message.created' && e.data.message.text === text,
    );
    expect(created.type === 'message.created' && created.data.conversationId).toBe(
      a.inbox.conversationId,
    );
    const updated = await aSocket.next(
      (e) =>
        e.type === 'conversation.updated' &&
        e.data.change === 'message' &&
        e.data.conversation.lastMessagePreview === text,
    );
    // The payload is what the REST API answers for the same conversation (URLs aside).
    const rest = await t.api.request('GET', `/conversations/${a.inbox.conversationId}`, {
      token: a.owner.session.accessToken,
    });
    expect(updated.type === 'conversation.updated' && updated.data.conversation).toEqual(rest.json);
    const thread = await t.api.request('GET', `/conversations/${a.inbox.conversationId}/messages`, {
      token: a.owner.session.accessToken,
    });
    const restMessage = thread.json.items.find((m: { text?: string }) => m.text === text);
    expect(created.type === 'message.created' && created.data.message).toEqual(restMessage);
    await roundTrip(bSocket);
    expect(bSocket.events.slice(before)).toEqual([]);
  });

  it('a redelivered webhook emits the same event ids again', async () => {
    const text = `redelivered ${Date.now()}`;
    const body = envelope('whatsapp_business_account', [
      waTextEntry({
        wabaId: a.inbox.wabaId,
        phoneNumberId: a.inbox.phoneNumberId,
        from: a.inbox.from,
        text,
      }),
    ]);
    await postWebhook(t.api, t.sb.meta.appSecret, body);
    const first = await aSocket.next(
      (e) => e.type === 'message.created' && e.data.message.text === text,
    );
    await postWebhook(t.api, t.sb.meta.appSecret, body);
    const matching = () =>
      aSocket.events.filter((e) => e.type === 'message.created' && e.data.message.text === text);
    await aSocket.next((e) => e !== first && e.id === first.id);
    expect(matching().map((e) => e.id)).toEqual([first.id, first.id]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waTextEntry } from '../factories/meta';
import { lastMailTo, tokenOf } from '../auth/helpers';
import { createTenant, type TestSandbox } from '../helpers/harness';
import {
  deliver,
  igInbound,
  newMetaId,
  send,
  startOutboundSandbox,
  waInbound,
  waTenant,
  type IgTenant,
  type WaTenant,
} from './outbound-harness';

// The conversation API an agent works with: filters, read, assign, close and reopen, the customer
// directory and timeline — and the tenant wall on every one of these routes.

let t: TestSandbox;
let wa: WaTenant;
let ig: IgTenant;
let ownerId: string;

beforeAll(async () => {
  t = await startOutboundSandbox();
  const wabaId = newMetaId();
  const phoneNumberId = newMetaId();
  const accountId = newMetaId();
  const tenant = await createTenant(t.api, t.adminToken, [
    { type: 'whatsapp', wabaId, phoneNumberId },
    { type: 'instagram', accountId },
  ]);
  wa = { ...tenant, wabaId, phoneNumberId, channelId: tenant.channelIds[0]! };
  ig = { ...tenant, accountId, channelId: tenant.channelIds[1]! };
  ownerId = (await t.api.request('GET', '/auth/me', { token: tenant.token })).json.user.id;
});
afterAll(async () => {
  await t?.stop();
});

async function inbox(query = ''): Promise<any[]> {
  const res = await t.api.request('GET', `/conversations?limit=100${query}`, { token: wa.token });
  expect(res.status).toBe(200);
  return res.json.items;
}

const ids = (items: any[]) => items.map((c) => c.id).sort();

async function action(id: string, verb: string, body?: unknown, token = wa.token) {
  return t.api.request('POST', `/conversations/${id}/${verb}`, { token, body });
}

describe('inbox filters and actions', () => {
  let a: any;
  let b: any;
  let c: any;
  let fromA: string;
  let fromB: string;

  beforeAll(async () => {
    ({ conversation: a, from: fromA } = await waInbound(t, wa, { name: 'João Conceição' }));
    ({ conversation: b, from: fromB } = await waInbound(t, wa, { name: 'Beatriz Lima' }));
    ({ conversation: c } = await igInbound(t, ig));
  });

  it('filters by channel and unread, and marks read', async () => {
    expect(ids(await inbox('&channel=instagram'))).toEqual([c.id]);
    expect(ids(await inbox('&channel=whatsapp'))).toEqual(ids([a, b]));
    expect(ids(await inbox('&unread=true'))).toEqual(ids([a, b, c]));

    const read = await action(a.id, 'read');
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ id: a.id, unreadCount: 0 });
    expect(read.json.lastReadAt).toBe(a.lastMessageAt);
    expect(ids(await inbox('&unread=true'))).toEqual(ids([b, c]));

    // The customer writes again: unread again.
    await waInbound(t, wa, { from: fromA, ageSeconds: 5, text: 'E aí?' });
    const again = (await inbox()).find((x) => x.id === a.id);
    expect(again.unreadCount).toBe(1);
  });

  it('assigns to members only, and filters assigned=me / none', async () => {
    const mine = await action(a.id, 'assign', { userId: ownerId });
    expect(mine.status).toBe(200);
    expect(mine.json.assigneeId).toBe(ownerId);
    expect(ids(await inbox('&assigned=me'))).toEqual([a.id]);
    expect(ids(await inbox('&assigned=none'))).toEqual(ids([b, c]));

    const stranger = await action(b.id, 'assign', { userId: 'us_notamember0000000000' });
    expect(stranger.status).toBe(400);
    expect(stranger.json.error.code).toBe('invalid_parameter');

    // An invited agent becomes assignable once a member.
    const agentEmail = `agent-${newMetaId()}@example.com`;
    const invite = await t.api.request('POST', '/users', {
      token: wa.token,
      body: { email: agentEmail, role: 'agent' },
    });
    expect(invite.status).toBe(201);
    const accepted = await t.api.request('POST', '/auth/accept-invite', {
      body: {
        token: tokenOf(lastMailTo(t.sb, agentEmail, 'invitation'), 'invite'),
        password: 'agent password 123',
      },
    });
    expect(accepted.status).toBe(200);
    const agentId = accepted.json.user.id;
    const toAgent = await action(b.id, 'assign', { userId: agentId });
    expect(toAgent.json.assigneeId).toBe(agentId);
    expect(ids(await inbox(`&assigned=me`))).toEqual([a.id]);

    const unassigned = await action(a.id, 'assign', { userId: null });
    expect(unassigned.json.assigneeId).toBeUndefined();
    expect(await inbox('&assigned=me')).toEqual([]);
  });

  it('closes and reopens; a new customer message reopens a closed conversation', async () => {
    const closed = await action(b.id, 'close');
    expect(closed.json).toMatchObject({ status: 'closed' });
    expect(closed.json.closedAt).toBeDefined();
    expect(ids(await inbox('&status=closed'))).toEqual([b.id]);
    expect(ids(await inbox('&status=open'))).toEqual(ids([a, c]));
    const reopened = await action(b.id, 'reopen');
    expect(reopened.json.status).toBe('open');
    expect(reopened.json.closedAt).toBeUndefined();

    await action(b.id, 'close');
    await deliver(t, [
      waTextEntry({
        wabaId: wa.wabaId,
        phoneNumberId: wa.phoneNumberId,
        from: fromB,
        text: 'Mais uma pergunta',
        timestamp: Math.floor(Date.now() / 1000),
      }),
    ]);
    const back = (await inbox()).find((x) => x.id === b.id);
    expect(back.status).toBe('open');
  });

  it('pages through the inbox with a filter, never returning an item twice', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await t.api.request(
        'GET',
        `/conversations?limit=1&channel=whatsapp${cursor ? `&cursor=${cursor}` : ''}`,
        { token: wa.token },
      );
      seen.push(...res.json.items.map((x: any) => x.id));
      cursor = res.json.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(ids([a, b]));
  });
});

describe('customers', () => {
  it('finds customers by name (accents aside), phone or handle, page by page', async () => {
    const tenant = await waTenant(t);
    const { from } = await waInbound(t, tenant, { name: 'Conceição Araújo' });
    await waInbound(t, tenant, { name: 'Marta Souza' });
    const search = (q: string) =>
      t.api.request('GET', `/customers?search=${encodeURIComponent(q)}`, { token: tenant.token });
    expect((await search('conceicao')).json.items.map((c: any) => c.name)).toEqual([
      'Conceição Araújo',
    ]);
    expect((await search(from.slice(-6))).json.items.map((c: any) => c.id)).toEqual([`wa-${from}`]);
    expect((await search('nobody-like-this')).json.items).toEqual([]);
    const first = await t.api.request('GET', '/customers?limit=1', { token: tenant.token });
    expect(first.json.items).toHaveLength(1);
    const second = await t.api.request(
      'GET',
      `/customers?limit=1&cursor=${first.json.nextCursor}`,
      {
        token: tenant.token,
      },
    );
    expect(second.json.items).toHaveLength(1);
    expect(second.json.items[0].id).not.toBe(first.json.items[0].id);
  });

  it('shows a customer with identities, conversations and the timeline newest first', async () => {
    const tenant = await waTenant(t);
    const { conversation, from } = await waInbound(t, tenant, { name: 'Ana', text: 'Primeira' });
    const reply = await send(t, tenant.token, {
      conversationId: conversation.id,
      text: 'Resposta',
    });
    expect(reply.status).toBe(202);
    const res = await t.api.request('GET', `/customers/wa-${from}`, { token: tenant.token });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: `wa-${from}`,
      name: 'Ana',
      identities: { whatsapp: from },
      conversations: [{ id: conversation.id, channel: 'whatsapp' }],
    });
    expect(res.json.timeline.items.map((m: any) => m.text)).toEqual(['Resposta', 'Primeira']);
    const page = await t.api.request('GET', `/customers/wa-${from}?limit=1`, {
      token: tenant.token,
    });
    expect(page.json.timeline.items.map((m: any) => m.text)).toEqual(['Resposta']);
    const next = await t.api.request(
      'GET',
      `/customers/wa-${from}?limit=1&cursor=${page.json.timeline.nextCursor}`,
      { token: tenant.token },
    );
    expect(next.json.timeline.items.map((m: any) => m.text)).toEqual(['Primeira']);
  });
});

describe('tenant wall', () => {
  it('answers 404 for another workspace’s conversation, customer and channel on every new route', async () => {
    const victim = await waTenant(t);
    const { conversation, from, message } = await waInbound(t, victim);
    const intruder = await waTenant(t);
    const customerId = `wa-${from}`;
    const as = (method: string, path: string, body?: unknown) =>
      t.api.request(method, path, { token: intruder.token, body });

    const attempts = [
      await as('POST', '/send-message', { conversationId: conversation.id, text: 'hi' }),
      await as('POST', '/send-message', { customerId, channel: 'whatsapp', text: 'hi' }),
      await as('POST', '/send-message', {
        customerId,
        channel: 'whatsapp',
        channelId: victim.channelId,
        template: { name: 'hello_world', language: 'en_US' },
      }),
      await as('POST', `/conversations/${conversation.id}/read`),
      await as('POST', `/conversations/${conversation.id}/assign`, { userId: null }),
      await as('POST', `/conversations/${conversation.id}/close`),
      await as('POST', `/conversations/${conversation.id}/reopen`),
      await as('GET', `/conversations/${conversation.id}`),
      await as('GET', `/conversations/${conversation.id}/messages`),
      await as('GET', `/customers/${customerId}`),
      await as('GET', `/channels/${victim.channelId}/templates`),
      await as('DELETE', `/channels/${victim.channelId}`),
    ];
    for (const res of attempts) {
      expect(res.status, res.text).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    const search = await as('GET', `/customers?search=${from}`);
    expect(search.json.items).toEqual([]);
    const replyTo = await send(t, intruder.token, {
      customerId,
      channel: 'whatsapp',
      text: 'x',
      replyTo: message.id,
    });
    expect(replyTo.status).toBe(404);

    // And the victim's data is untouched.
    const still = await t.api.request('GET', `/conversations/${conversation.id}`, {
      token: victim.token,
    });
    expect(still.json).toMatchObject({ status: 'open', unreadCount: 1 });
    expect(
      (await t.api.request('GET', '/channels', { token: victim.token })).json.items,
    ).toHaveLength(1);
  });

  it('lets only agents and up act on conversations', async () => {
    const tenant = await waTenant(t);
    const { conversation } = await waInbound(t, tenant);
    const viewerEmail = `viewer-${newMetaId()}@example.com`;
    await t.api.request('POST', '/users', {
      token: tenant.token,
      body: { email: viewerEmail, role: 'viewer' },
    });
    const viewer = await t.api.request('POST', '/auth/accept-invite', {
      body: {
        token: tokenOf(lastMailTo(t.sb, viewerEmail, 'invitation'), 'invite'),
        password: 'viewer password 123',
      },
    });
    const token = viewer.json.accessToken;
    expect(
      (await t.api.request('GET', `/conversations/${conversation.id}`, { token })).status,
    ).toBe(200);
    expect((await action(conversation.id, 'close', undefined, token)).status).toBe(403);
    expect((await send(t, token, { conversationId: conversation.id, text: 'x' })).status).toBe(403);
  });
});

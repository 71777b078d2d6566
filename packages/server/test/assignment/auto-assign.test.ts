import type { LiveEvent } from '@switchboard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waTextEntry } from '../factories/meta';
import { addMember, type Person } from '../auth/helpers';
import type { TestSandbox } from '../helpers/harness';
import {
  conversationOf,
  deliver,
  newWaId,
  startOutboundSandbox,
  waInbound,
  waTenant,
  type WaTenant,
} from '../outbound/outbound-harness';

// Auto-assignment per channel: a conversation the customer opens goes round robin to the
// available members; a redelivered webhook takes no second turn; nobody available leaves it
// unassigned; and a channel without it costs no DynamoDB request more per message.

let t: TestSandbox;
const events: LiveEvent[] = [];

beforeAll(async () => {
  t = await startOutboundSandbox();
  t.sb.events.add({
    name: 'recorder',
    deliver: async (_tenantId, event) => {
      events.push(event);
    },
  });
});
afterAll(async () => {
  await t?.stop();
});

const setAvailable = (person: Person, available: boolean) =>
  t.api.request('PUT', '/users/me/availability', {
    token: person.session.accessToken,
    body: { available },
  });

const autoAssign = (tenant: WaTenant, body: unknown) =>
  t.api.request('PUT', `/channels/${tenant.channelId}/auto-assignment`, {
    token: tenant.token,
    body,
  });

/** A new customer writes; returns the conversation once the processor is done with it. */
async function newConversation(tenant: WaTenant) {
  return (await waInbound(t, tenant, { ageSeconds: 30 })).conversation;
}

describe('availability', () => {
  it('is mine per workspace, true until I say otherwise, and shown in the team list', async () => {
    const tenant = await waTenant(t);
    const agent = await addMember(t, tenant.token, 'agent');
    const mine = await t.api.request('GET', '/users/me/availability', {
      token: agent.session.accessToken,
    });
    expect(mine.json).toEqual({ available: true });
    const away = await setAvailable(agent, false);
    expect(away.status).toBe(200);
    expect(away.json).toMatchObject({ available: false });
    expect(away.json.changedAt).toBeTruthy();
    const team = await t.api.request('GET', '/users', { token: tenant.token });
    const row = team.json.items.find((m: { id: string }) => m.id === agent.id);
    expect(row).toMatchObject({ available: false });
    const owner = team.json.items.find((m: { id: string }) => m.id !== agent.id);
    expect(owner).toMatchObject({ available: true });
    expect((await setAvailable(agent, true)).json.available).toBe(true);
    expect((await setAvailable(agent, true)).json.available).toBe(true);
    const bad = await t.api.request('PUT', '/users/me/availability', {
      token: agent.session.accessToken,
      body: { available: 'yes' },
    });
    expect(bad.status).toBe(400);
  });
});

describe('auto-assignment', () => {
  let tenant: WaTenant;
  let agents: Person[];

  beforeAll(async () => {
    tenant = await waTenant(t);
    agents = [];
    for (let i = 0; i < 3; i++) agents.push(await addMember(t, tenant.token, 'agent'));
  });

  it('is off by default, and only agents and above may take turns', async () => {
    const channels = await t.api.request('GET', '/channels', { token: tenant.token });
    expect(channels.json.items[0].autoAssignment).toEqual({ enabled: false, memberIds: [] });
    const viewer = await addMember(t, tenant.token, 'viewer');
    const refused = await autoAssign(tenant, { enabled: true, memberIds: [viewer.id] });
    expect(refused.status).toBe(400);
    expect(refused.json.error.code).toBe('invalid_parameter');
    const byAgent = await t.api.request('PUT', `/channels/${tenant.channelId}/auto-assignment`, {
      token: agents[0]!.session.accessToken,
      body: { enabled: true },
    });
    expect(byAgent.status).toBe(403);
  });

  it('takes turns among the available members, and a redelivery takes no second turn', async () => {
    const [a, b, c] = agents as [Person, Person, Person];
    expect((await setAvailable(c, false)).status).toBe(200);
    const on = await autoAssign(tenant, { enabled: true, memberIds: [a.id, b.id, c.id] });
    expect(on.status).toBe(200);
    expect(on.json.autoAssignment).toEqual({ enabled: true, memberIds: [a.id, b.id, c.id] });

    const firstFrom = newWaId();
    const firstEntry = waTextEntry({
      wabaId: tenant.wabaId,
      phoneNumberId: tenant.phoneNumberId,
      from: firstFrom,
      text: 'Primeira mensagem',
      timestamp: Math.floor(Date.now() / 1000) - 30,
    });
    await deliver(t, [firstEntry]);
    const first = await conversationOf(t, tenant.token, `wa-${firstFrom}`);
    const rest = [];
    for (let i = 0; i < 3; i++) rest.push(await newConversation(tenant));
    const assignees = [first, ...rest].map((conv) => conv.assigneeId);
    const order = [a.id, b.id].sort();
    expect(assignees).toEqual([order[0], order[1], order[0], order[1]]);
    expect(assignees).not.toContain(c.id);

    // Meta delivers the first message again: same conversation, same assignee, no turn used,
    // and its `assigned` event again with the same id.
    const assignedEvents = () =>
      events.filter(
        (e) =>
          e.type === 'conversation.updated' &&
          e.data.change === 'assigned' &&
          e.data.conversation.id === first.id,
      );
    expect(assignedEvents()).toHaveLength(1);
    await deliver(t, [firstEntry]);
    expect((await conversationOf(t, tenant.token, `wa-${firstFrom}`)).assigneeId).toBe(order[0]);
    expect(assignedEvents()).toHaveLength(2);
    expect(new Set(assignedEvents().map((e) => e.id)).size).toBe(1);
    expect((await newConversation(tenant)).assigneeId).toBe(order[0]);
  });

  it('leaves a conversation unassigned when nobody is available', async () => {
    for (const agent of agents) await setAvailable(agent, false);
    const conv = await newConversation(tenant);
    expect(conv.assigneeId).toBeUndefined();
    await setAvailable(agents[2]!, true);
  });

  it('assigns a closed, unassigned conversation the customer writes to again', async () => {
    const { conversation, from } = await waInbound(t, tenant, { ageSeconds: 60 });
    expect(conversation.assigneeId).toBe(agents[2]!.id);
    const res = await t.api.request('POST', '/conversations/bulk', {
      token: tenant.token,
      body: { ids: [conversation.id], action: 'unassign' },
    });
    expect(res.json.succeeded).toBe(1);
    await t.api.request('POST', `/conversations/${conversation.id}/close`, {
      token: tenant.token,
    });
    await waInbound(t, tenant, { from, ageSeconds: 10, text: 'Voltei' });
    const after = await conversationOf(t, tenant.token, conversation.customer.id);
    expect(after).toMatchObject({ status: 'open', assigneeId: agents[2]!.id });

    // Turned off: new conversations stay unassigned at once.
    expect((await autoAssign(tenant, { enabled: false })).json.autoAssignment.enabled).toBe(false);
    expect((await newConversation(tenant)).assigneeId).toBeUndefined();
  });

  it('costs no DynamoDB request per message on a channel without it', async () => {
    // Two workspaces alike but for auto-assignment on another channel of the second one.
    const plain = await waTenant(t);
    const mixed = await waTenant(t);
    const other = await t.api.request('POST', '/channels', {
      token: mixed.token,
      body: {
        type: 'whatsapp',
        wabaId: mixed.wabaId,
        phoneNumberId: `${mixed.phoneNumberId.slice(0, -1)}9`,
        accessToken: 'EAAG-test-token-0123456789',
      },
    });
    expect(other.status).toBe(201);
    const on = await t.api.request('PUT', `/channels/${other.json.id}/auto-assignment`, {
      token: mixed.token,
      body: { enabled: true },
    });
    expect(on.json.autoAssignment.enabled).toBe(true);
    // The first message of each warms the processor's cache of the workspace.
    await newConversation(plain);
    await newConversation(mixed);

    const requestsFor = async (tenant: WaTenant) => {
      const entry = waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from: newWaId(),
        timestamp: Math.floor(Date.now() / 1000) - 5,
      });
      const before = { ...t.sb.db.counts };
      await deliver(t, [entry]);
      const after = t.sb.db.counts;
      return {
        reads: after.reads - before.reads,
        writes: after.writes - before.writes,
        queries: after.queries - before.queries,
      };
    };
    // The counts are the whole sandbox's: the campaigns' due sweep (a Query a second) is held.
    await t.sb.campaigns.sweep.stop();
    try {
      const plainCounts = await requestsFor(plain);
      const mixedCounts = await requestsFor(mixed);
      expect(mixedCounts).toEqual(plainCounts);
    } finally {
      t.sb.campaigns.sweep.start();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waInbound } from '../outbound/outbound-harness';
import { emitted, startWorkspaceWorld, tokenOf, type WorkspaceWorld } from './workspace-harness';

// Labels: admins manage the tenant's list (names unique regardless of case, colours from the
// palette), agents put them on conversations (idempotent), the inbox filters by them.

let w: WorkspaceWorld;

beforeAll(async () => {
  w = await startWorkspaceWorld();
});
afterAll(async () => {
  await w?.t.stop();
});

const admin = () => w.tenant.token;

async function createLabel(body: unknown, token = admin()) {
  return w.t.api.request('POST', '/labels', { token, body });
}

async function labels(): Promise<any[]> {
  const res = await w.t.api.request('GET', '/labels', { token: tokenOf(w.viewer) });
  expect(res.status).toBe(200);
  return res.json.items;
}

function labelPath(conversationId: string, labelId: string) {
  return `/conversations/${conversationId}/labels/${labelId}`;
}

async function inbox(query: string): Promise<any[]> {
  const res = await w.t.api.request('GET', `/conversations?limit=100&${query}`, {
    token: tokenOf(w.viewer),
  });
  expect(res.status, res.text).toBe(200);
  return res.json.items;
}

describe('the label list', () => {
  it('creates, lists by name, renames, recolours and deletes labels (audited)', async () => {
    const urgent = await createLabel({ name: '  Urgent ', color: 'red' });
    expect(urgent.status, urgent.text).toBe(201);
    expect(urgent.json).toMatchObject({ name: 'Urgent', color: 'red' });
    const billing = await createLabel({ name: 'Billing', color: 'blue' });
    expect(billing.status).toBe(201);
    expect((await labels()).map((l) => l.name)).toEqual(['Billing', 'Urgent']);

    const renamed = await w.t.api.request('PATCH', `/labels/${billing.json.id}`, {
      token: admin(),
      body: { name: 'Payments', color: 'green' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ id: billing.json.id, name: 'Payments', color: 'green' });
    // The old name is free again.
    const again = await createLabel({ name: 'billing', color: 'gray' });
    expect(again.status).toBe(201);

    const removed = await w.t.api.request('DELETE', `/labels/${again.json.id}`, { token: admin() });
    expect(removed.status).toBe(204);
    expect((await labels()).map((l) => l.name)).toEqual(['Payments', 'Urgent']);
    const gone = await w.t.api.request('DELETE', `/labels/${again.json.id}`, { token: admin() });
    expect(gone.status).toBe(404);

    const trail = await w.t.api.request('GET', '/audit-events?limit=100', { token: admin() });
    const actions = (trail.json.items as any[]).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['label.created', 'label.updated', 'label.deleted']),
    );
  });

  it('keeps names unique regardless of case: 409 on create and on rename', async () => {
    await createLabel({ name: 'Returns', color: 'orange' });
    const dup = await createLabel({ name: 'rETURNS', color: 'teal' });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('label_name_taken');
    expect(dup.json.error.fields.name).toBeDefined();

    const other = (await createLabel({ name: 'Exchanges', color: 'teal' })).json;
    const clash = await w.t.api.request('PATCH', `/labels/${other.id}`, {
      token: admin(),
      body: { name: 'returns' },
    });
    expect(clash.status).toBe(409);
    // Changing only the case of its own name is fine.
    const recased = await w.t.api.request('PATCH', `/labels/${other.id}`, {
      token: admin(),
      body: { name: 'EXCHANGES' },
    });
    expect(recased.status).toBe(200);
    expect(recased.json.name).toBe('EXCHANGES');
  });

  it('refuses colours off the palette, empty names, and agents managing labels', async () => {
    const colour = await createLabel({ name: 'Neon', color: '#ff00ff' });
    expect(colour.status).toBe(400);
    expect(colour.json.error.fields.color).toBeDefined();
    const empty = await createLabel({ name: '   ', color: 'red' });
    expect(empty.status).toBe(400);
    const agent = await createLabel({ name: 'Mine', color: 'red' }, tokenOf(w.agent));
    expect(agent.status).toBe(403);
    const nothing = await w.t.api.request('PATCH', '/labels/lbl_missing', {
      token: admin(),
      body: {},
    });
    expect(nothing.status).toBe(400);
  });
});

describe('labels on conversations', () => {
  it('adds and removes idempotently, emitting conversation.updated once per change', async () => {
    const vip = (await createLabel({ name: 'VIP', color: 'amber' })).json;
    const path = labelPath(w.conversation.id, vip.id);
    const first = await w.t.api.request('PUT', path, { token: tokenOf(w.agent) });
    expect(first.status, first.text).toBe(200);
    expect(first.json.labelIds).toEqual([vip.id]);
    const second = await w.t.api.request('PUT', path, { token: tokenOf(w.agent) });
    expect(second.status).toBe(200);
    expect(second.json.labelIds).toEqual([vip.id]);

    const got = await w.t.api.request('GET', `/conversations/${w.conversation.id}`, {
      token: tokenOf(w.viewer),
    });
    expect(got.json.labelIds).toEqual([vip.id]);

    const changes = emitted(w, 'conversation.updated').filter(
      (e) => e.data.change === 'labels' && e.data.conversation.id === w.conversation.id,
    );
    expect(changes).toHaveLength(2);
    // The second PUT changed nothing: the same event id again, receivers drop it.
    expect(changes[0]!.id).toBe(changes[1]!.id);
    expect(changes[0]!.data.conversation.labelIds).toEqual([vip.id]);

    const removed = await w.t.api.request('DELETE', path, { token: tokenOf(w.agent) });
    expect(removed.status).toBe(200);
    expect(removed.json.labelIds).toBeUndefined();
    const removedAgain = await w.t.api.request('DELETE', path, { token: tokenOf(w.agent) });
    expect(removedAgain.status).toBe(200);
    const all = emitted(w, 'conversation.updated').filter((e) => e.data.change === 'labels');
    expect(new Set(all.map((e) => e.id)).size).toBe(2);
  });

  it('refuses a label that does not exist, a conversation that does not, and viewers', async () => {
    const missing = await w.t.api.request('PUT', labelPath(w.conversation.id, 'lbl_missing'), {
      token: tokenOf(w.agent),
    });
    expect(missing.status).toBe(404);
    const vip = (await labels()).find((l) => l.name === 'VIP');
    const noConversation = await w.t.api.request('PUT', labelPath('cv_missing', vip.id), {
      token: tokenOf(w.agent),
    });
    expect(noConversation.status).toBe(404);
    const viewer = await w.t.api.request('PUT', labelPath(w.conversation.id, vip.id), {
      token: tokenOf(w.viewer),
    });
    expect(viewer.status).toBe(403);
  });

  it('filters the inbox by label; a deleted label matches nothing and leaves lazily', async () => {
    const other = await waInbound(w.t, w.tenant, { name: 'João' });
    const hot = (await createLabel({ name: 'Hot lead', color: 'pink' })).json;
    const cold = (await createLabel({ name: 'Cold', color: 'indigo' })).json;
    await w.t.api.request('PUT', labelPath(other.conversation.id, hot.id), {
      token: tokenOf(w.agent),
    });
    await w.t.api.request('PUT', labelPath(other.conversation.id, cold.id), {
      token: tokenOf(w.agent),
    });
    await w.t.api.request('PUT', labelPath(w.conversation.id, cold.id), {
      token: tokenOf(w.agent),
    });

    expect((await inbox(`label=${hot.id}`)).map((c) => c.id)).toEqual([other.conversation.id]);
    expect((await inbox(`label=${cold.id}`)).map((c) => c.id).sort()).toEqual(
      [w.conversation.id, other.conversation.id].sort(),
    );
    expect(await inbox(`label=${cold.id}&channel=instagram`)).toEqual([]);

    expect((await w.t.api.request('DELETE', `/labels/${hot.id}`, { token: admin() })).status).toBe(
      204,
    );
    expect(await inbox(`label=${hot.id}`)).toEqual([]);
    // The next change of the conversation's labels drops the deleted id.
    const changed = await w.t.api.request('DELETE', labelPath(other.conversation.id, cold.id), {
      token: tokenOf(w.agent),
    });
    expect(changed.json.labelIds).toBeUndefined();
    const got = await w.t.api.request('GET', `/conversations/${other.conversation.id}`, {
      token: tokenOf(w.viewer),
    });
    expect(got.json.labelIds).toBeUndefined();
  });

  it('holds at most 20 labels on a conversation', async () => {
    const { conversation } = await waInbound(w.t, w.tenant, { name: 'Many Labels' });
    for (let i = 0; i < 20; i++) {
      const label = (await createLabel({ name: `Bulk ${i}`, color: 'gray' })).json;
      const put = await w.t.api.request('PUT', labelPath(conversation.id, label.id), {
        token: tokenOf(w.agent),
      });
      expect(put.status).toBe(200);
    }
    const extra = (await createLabel({ name: 'Bulk 20', color: 'gray' })).json;
    const over = await w.t.api.request('PUT', labelPath(conversation.id, extra.id), {
      token: tokenOf(w.agent),
    });
    expect(over.status).toBe(422);
    expect(over.json.error.code).toBe('limit_reached');
  });
});

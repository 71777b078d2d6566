import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, tenantSnapshot } from '../auth/helpers';
import type { TestSandbox } from '../helpers/harness';
import {
  startOutboundSandbox,
  waInbound,
  waTenant,
  type WaTenant,
} from '../outbound/outbound-harness';

// Bulk actions: each id acted on by the service its single route uses, one row each; an id the
// caller's workspace has no conversation under is a `not_found` row, and the other workspace is
// left exactly as it was.

let t: TestSandbox;
let wa: WaTenant;
let other: WaTenant;

beforeAll(async () => {
  t = await startOutboundSandbox();
  wa = await waTenant(t);
  other = await waTenant(t);
});
afterAll(async () => {
  await t?.stop();
});

const bulk = (body: unknown, token = wa.token) =>
  t.api.request('POST', '/conversations/bulk', { token, body });

async function get(id: string) {
  return (await t.api.request('GET', `/conversations/${id}`, { token: wa.token })).json;
}

describe('bulk actions', () => {
  it('closes, with a not_found row for a missing id and for another workspace’s', async () => {
    const a = (await waInbound(t, wa, { ageSeconds: 90 })).conversation;
    const b = (await waInbound(t, wa, { ageSeconds: 80 })).conversation;
    const theirs = (await waInbound(t, other, { ageSeconds: 70 })).conversation;
    const before = await tenantSnapshot(t.sb.db, other.id);

    const res = await bulk({ ids: [a.id, theirs.id, b.id, 'cv_nothere', a.id], action: 'close' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ action: 'close', succeeded: 2, failed: 2 });
    expect(res.json.results.map((r: { id: string; ok: boolean }) => [r.id, r.ok])).toEqual([
      [a.id, true],
      [theirs.id, false],
      [b.id, true],
      ['cv_nothere', false],
    ]);
    const theirRow = res.json.results[1];
    expect(theirRow.error.code).toBe('not_found');
    expect(theirRow.conversation).toBeUndefined();
    // The miss says no more about another workspace's conversation than about a made-up id.
    expect(theirRow.error).toEqual(res.json.results[3].error);
    expect(await tenantSnapshot(t.sb.db, other.id)).toBe(before);
    expect((await get(a.id)).status).toBe('closed');
    expect((await get(b.id)).status).toBe('closed');

    // Again: the same answer, nothing new (idempotent).
    const again = await bulk({ ids: [a.id, b.id], action: 'close' });
    expect(again.json).toMatchObject({ succeeded: 2, failed: 0 });
    expect(again.json.results[0].conversation.status).toBe('closed');

    const reopened = await bulk({ ids: [a.id, b.id], action: 'reopen' });
    expect(reopened.json.succeeded).toBe(2);
    expect((await get(a.id)).status).toBe('open');
  });

  it('assigns to a member and unassigns; an assignee from elsewhere is a 400 before any row', async () => {
    const a = (await waInbound(t, wa, { ageSeconds: 60 })).conversation;
    const b = (await waInbound(t, wa, { ageSeconds: 50 })).conversation;
    const agent = await addMember(t, wa.token, 'agent');
    const assigned = await bulk(
      { ids: [a.id, b.id], action: 'assign', assigneeId: agent.id },
      agent.session.accessToken,
    );
    expect(assigned.status).toBe(200);
    expect(assigned.json.succeeded).toBe(2);
    expect((await get(a.id)).assigneeId).toBe(agent.id);
    expect((await get(b.id)).assigneeId).toBe(agent.id);

    const stranger = await addMember(t, other.token, 'agent');
    const refused = await bulk({ ids: [a.id], action: 'unassign' }, wa.token);
    expect(refused.json.succeeded).toBe(1);
    expect((await get(a.id)).assigneeId).toBeUndefined();
    const wrong = await bulk({ ids: [b.id], action: 'assign', assigneeId: stranger.id });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.code).toBe('invalid_parameter');
    expect((await get(b.id)).assigneeId).toBe(agent.id);
  });

  it('snoozes many (they leave the open inbox) and validates the body', async () => {
    const a = (await waInbound(t, wa, { ageSeconds: 40 })).conversation;
    const b = (await waInbound(t, wa, { ageSeconds: 30 })).conversation;
    const res = await bulk({ ids: [a.id, b.id], action: 'snooze', untilReply: true });
    expect(res.json.succeeded).toBe(2);
    const open = await t.api.request('GET', '/conversations?limit=100&status=open', {
      token: wa.token,
    });
    const ids = open.json.items.map((c: { id: string }) => c.id);
    expect(ids).not.toContain(a.id);
    expect(ids).not.toContain(b.id);

    expect((await bulk({ ids: [a.id], action: 'snooze' })).status).toBe(400);
    expect((await bulk({ ids: [a.id], action: 'assign' })).status).toBe(400);
    expect((await bulk({ ids: [], action: 'close' })).status).toBe(400);
    expect(
      (await bulk({ ids: Array.from({ length: 101 }, (_, i) => `cv_${i}`), action: 'close' }))
        .status,
    ).toBe(400);
    expect((await bulk({ ids: [a.id], action: 'archive' })).status).toBe(400);
  });

  it('labels and unlabels many; the label filter then finds them', async () => {
    const a = (await waInbound(t, wa, { ageSeconds: 20 })).conversation;
    const b = (await waInbound(t, wa, { ageSeconds: 10 })).conversation;
    const label = await t.api.request('POST', '/labels', {
      token: wa.token,
      body: { name: 'Urgent', color: 'red' },
    });
    expect(label.status).toBe(201);
    const labelled = await bulk({ ids: [a.id, b.id], action: 'label', labelId: label.json.id });
    expect(labelled.json.succeeded).toBe(2);
    expect(labelled.json.results[0].conversation.labelIds).toEqual([label.json.id]);
    const unlabelled = await bulk({ ids: [b.id], action: 'unlabel', labelId: label.json.id });
    expect(unlabelled.json.succeeded).toBe(1);
    expect((await get(a.id)).labelIds).toEqual([label.json.id]);
    expect((await get(b.id)).labelIds).toBeUndefined();
    const missing = await bulk({ ids: [a.id], action: 'label', labelId: 'lb_nothere' });
    expect(missing.status).toBe(400);
    expect(missing.json.error.code).toBe('invalid_parameter');
  });

  it('a viewer may not act in bulk', async () => {
    const viewer = await addMember(t, wa.token, 'viewer');
    const res = await bulk({ ids: ['cv_x'], action: 'close' }, viewer.session.accessToken);
    expect(res.status).toBe(403);
  });
});

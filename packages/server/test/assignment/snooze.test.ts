import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantData } from '../../src/engine/data/tenant-data';
import { addMember } from '../auth/helpers';
import type { TestSandbox } from '../helpers/harness';
import {
  startOutboundSandbox,
  waInbound,
  waTenant,
  type WaTenant,
} from '../outbound/outbound-harness';

// Snooze: a snoozed conversation leaves the open inbox for the Snoozed view, and comes back when
// its time passes (computed when read) or when the customer writes (the summary update removes it).

let t: TestSandbox;
let wa: WaTenant;

beforeAll(async () => {
  t = await startOutboundSandbox();
  wa = await waTenant(t);
});
afterAll(async () => {
  await t?.stop();
});

async function inbox(status?: string): Promise<string[]> {
  const filter = status ? `&status=${status}` : '';
  const res = await t.api.request('GET', `/conversations?limit=100${filter}`, {
    token: wa.token,
  });
  expect(res.status).toBe(200);
  return res.json.items.map((c: { id: string }) => c.id);
}

const snooze = (id: string, body: unknown) =>
  t.api.request('POST', `/conversations/${id}/snooze`, { token: wa.token, body });

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();

describe('snooze', () => {
  it('moves a conversation from Open to Snoozed until the customer writes again', async () => {
    const { conversation, from } = await waInbound(t, wa, { ageSeconds: 120 });
    expect(await inbox('open')).toContain(conversation.id);

    const res = await snooze(conversation.id, { untilReply: true });
    expect(res.status).toBe(200);
    expect(res.json.snooze).toMatchObject({ untilReply: true });
    expect(res.json.snooze.until).toBeUndefined();
    expect(await inbox('open')).not.toContain(conversation.id);
    expect(await inbox('snoozed')).toContain(conversation.id);
    // Absent status lists everything, snoozed included.
    expect(await inbox()).toContain(conversation.id);

    await waInbound(t, wa, { from, ageSeconds: 5, text: 'Alguma novidade?' });
    expect(await inbox('open')).toContain(conversation.id);
    expect(await inbox('snoozed')).not.toContain(conversation.id);
    const after = await t.api.request('GET', `/conversations/${conversation.id}`, {
      token: wa.token,
    });
    expect(after.json.snooze).toBeUndefined();
  });

  it('a timed snooze also wakes when the customer writes before its time', async () => {
    const { conversation, from } = await waInbound(t, wa, { ageSeconds: 120 });
    expect((await snooze(conversation.id, { until: inAnHour() })).json.snooze.until).toBeTruthy();
    expect(await inbox('snoozed')).toContain(conversation.id);
    await waInbound(t, wa, { from, ageSeconds: 5 });
    expect(await inbox('open')).toContain(conversation.id);
  });

  it('wakes by itself once its time has passed (nothing is written when it does)', async () => {
    const { conversation } = await waInbound(t, wa, { ageSeconds: 120 });
    expect((await snooze(conversation.id, { until: inAnHour() })).status).toBe(200);
    expect(await inbox('snoozed')).toContain(conversation.id);
    // The same snooze, written through the repository with a time that has just passed.
    const data = tenantData(t.sb.db, {
      tenantId: wa.id,
      actor: { kind: 'system', reason: 'test' },
    });
    await data.snoozes.snooze(conversation.id, {
      until: new Date(Date.now() - 1000).toISOString(),
      untilReply: false,
      at: new Date(Date.now() - 3600_000).toISOString(),
    });
    expect(await inbox('snoozed')).not.toContain(conversation.id);
    expect(await inbox('open')).toContain(conversation.id);
    const got = await t.api.request('GET', `/conversations/${conversation.id}`, {
      token: wa.token,
    });
    expect(got.json.snooze).toBeUndefined();
  });

  it('unsnoozes, and closing ends a snooze; snoozing a closed one reopens it', async () => {
    const { conversation } = await waInbound(t, wa, { ageSeconds: 120 });
    await snooze(conversation.id, { untilReply: true });
    const woke = await t.api.request('DELETE', `/conversations/${conversation.id}/snooze`, {
      token: wa.token,
    });
    expect(woke.status).toBe(200);
    expect(woke.json.snooze).toBeUndefined();
    expect(await inbox('open')).toContain(conversation.id);

    await snooze(conversation.id, { untilReply: true });
    const closed = await t.api.request('POST', `/conversations/${conversation.id}/close`, {
      token: wa.token,
    });
    expect(closed.json).toMatchObject({ status: 'closed' });
    expect(closed.json.snooze).toBeUndefined();
    expect(await inbox('snoozed')).not.toContain(conversation.id);

    const again = await snooze(conversation.id, { until: inAnHour() });
    expect(again.json).toMatchObject({ status: 'open' });
    expect(again.json.closedAt).toBeUndefined();
    expect(await inbox('snoozed')).toContain(conversation.id);
  });

  it('refuses a time in the past, past 90 days, or no time and no reply', async () => {
    const { conversation } = await waInbound(t, wa, { ageSeconds: 120 });
    const past = await snooze(conversation.id, {
      until: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.json).toMatchObject({ error: { code: 'invalid_parameter' } });
    const far = await snooze(conversation.id, {
      until: new Date(Date.now() + 91 * 24 * 3600_000).toISOString(),
    });
    expect(far.status).toBe(400);
    const neither = await snooze(conversation.id, { untilReply: false });
    expect(neither.status).toBe(400);
    expect(neither.json).toMatchObject({ error: { code: 'validation_failed' } });
    expect(await inbox('snoozed')).not.toContain(conversation.id);
    const missing = await snooze('cv_doesnotexist', { untilReply: true });
    expect(missing.status).toBe(404);
  });

  it('an agent may snooze, a viewer may not', async () => {
    const { conversation } = await waInbound(t, wa, { ageSeconds: 120 });
    const viewer = await addMember(t, wa.token, 'viewer');
    const res = await t.api.request('POST', `/conversations/${conversation.id}/snooze`, {
      token: viewer.session.accessToken,
      body: { untilReply: true },
    });
    expect(res.status).toBe(403);
  });
});

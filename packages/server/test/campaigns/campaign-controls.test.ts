import { createLogger } from '../../src/engine/log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsentRepo } from '../../src/modules/consent/consent.repo';
import type { LiveEvent } from '@switchboard/contracts';
import type { Recipient } from '../../src/modules/campaigns/campaign.repo';
import { waTextEntry } from '../factories/meta';
import { startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import { deliver, waTenant, type WaTenant } from '../outbound/outbound-harness';
import {
  allRecipients,
  countsOf,
  getCampaign,
  seedContacts,
  sendsPerRecipient,
  type Seeded,
} from './campaign-fixtures';

// Pause, resume, cancel and retry-failed; the estimate and the create's validation; a number
// that opts out while the campaign is sending; statuses and replies from webhooks.

let t: TestSandbox;
let tenant: WaTenant;
// Runs when a recipient has been claimed, before Meta is called (set per test).
let onClaimed: ((r: Recipient) => Promise<void>) | undefined;
// The workspace events the sandbox raised, as an open screen would receive them.
const said: { tenantId: string; event: LiveEvent }[] = [];

beforeAll(async () => {
  t = await startTestSandbox({
    ...(process.env.DEBUG_CAMPAIGN ? { log: createLogger('warn', {}) } : {}),
    retryDelaySeconds: 0,
    metaStatusDelayMs: 40,
    campaigns: {
      ratePerSecond: 5,
      backoffMs: 20,
      sweepMs: 100,
      // Longer than the STOP webhook's round trip in the consent test, which runs mid-send.
      leaseMs: 10_000,
      sliceMs: 3_000,
      onClaimed: async (r) => onClaimed?.(r),
    },
  });
  tenant = await waTenant(t);
  t.sb.events.add({
    name: 'test',
    deliver: async (tenantId, event) => void said.push({ tenantId, event }),
  });
}, 60_000);
afterAll(async () => t?.stop(), 60_000);

const template = {
  name: 'order_update',
  language: 'pt_BR',
  parameters: [{ field: 'contact.first_name', fallback: 'cliente' }, { text: '#42' }],
};

async function create(tag: string, extra: Record<string, unknown> = {}) {
  const res = await t.api.request('POST', '/campaigns', {
    token: tenant.token,
    body: {
      name: `Campaign ${tag}`,
      audience: { channelId: tenant.channelId, tags: [tag] },
      template,
      ...extra,
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

const control = (id: string, action: string) =>
  t.api.request('POST', `/campaigns/${id}/${action}`, { token: tenant.token, body: {} });

const campaign = (id: string) => getCampaign(t.api, tenant.token, id);

function onceEach(seeded: Seeded[]) {
  const sends = sendsPerRecipient(t.sb.metaStandIn!, tenant.phoneNumberId);
  return seeded.map((s) => sends.get(s.digits) ?? 0);
}

describe('estimate and validation', () => {
  it('counts the audience by consent and refuses what cannot be sent', async () => {
    await seedContacts(t.sb.db, tenant.id, [
      { count: 4, consent: 'opted_in', tags: ['est'] },
      { count: 2, consent: 'opted_out', tags: ['est'] },
      { count: 1, consent: 'unknown', tags: ['est'] },
      { count: 3, consent: 'opted_in', tags: ['est'], phone: false },
    ]);
    const estimate = await t.api.request('POST', '/campaigns/estimate', {
      token: tenant.token,
      body: { channelId: tenant.channelId, tags: ['est'] },
    });
    expect(estimate.json).toEqual({
      eligible: 4,
      excluded: { optedOut: 2, noConsent: 1, noPhone: 3 },
    });
    const post = (body: unknown) =>
      t.api.request('POST', '/campaigns', { token: tenant.token, body });
    const base = { name: 'x', audience: { channelId: tenant.channelId, tags: ['est'] } };
    // PENDING and missing templates are not approved for the number.
    const pending = await post({
      ...base,
      template: { name: 'summer_promo', language: 'en_US', parameters: [{ text: '10%' }] },
    });
    expect(pending.status).toBe(422);
    expect(pending.json.error.code).toBe('template_not_found');
    const missing = await post({ ...base, template: { name: 'no_such', language: 'en_US' } });
    expect(missing.json.error.code).toBe('template_not_found');
    // The body takes two parameters.
    const short = await post({ ...base, template: { ...template, parameters: [{ text: 'a' }] } });
    expect(short.status).toBe(400);
    expect(short.json.error.code).toBe('validation_failed');
    const badField = await post({
      ...base,
      template: { ...template, parameters: [{ field: 'contact.password' }, { text: 'a' }] },
    });
    expect(badField.status).toBe(400);
    const channel = await post({ ...base, audience: { channelId: 'ch_nope' }, template });
    expect(channel.status).toBe(422);
    expect(channel.json.error.code).toBe('channel_not_found');
    const estimateNoChannel = await t.api.request('POST', '/campaigns/estimate', {
      token: tenant.token,
      body: { channelId: 'ch_nope' },
    });
    expect(estimateNoChannel.json.error.code).toBe('channel_not_found');
    // A clientKey answers the first campaign; the same key for another campaign is refused.
    const keyed = {
      ...base,
      template,
      sendAt: new Date(Date.now() + 3600_000).toISOString(),
      clientKey: 'key-0001-abcd',
    };
    const first = await post(keyed);
    expect(first.status).toBe(201);
    expect(first.json.status).toBe('scheduled');
    const again = await post(keyed);
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(first.json.id);
    const reused = await post({ ...keyed, name: 'other' });
    expect(reused.status).toBe(409);
    expect(reused.json.error.code).toBe('idempotency_key_reused');
    expect((await control(first.json.id, 'cancel')).status).toBe(200);
    expect((await control(first.json.id, 'resume')).json.error.code).toBe('invalid_state');
    expect((await control(first.json.id, 'pause')).status).toBe(409);
    expect((await control(first.json.id, 'retry-failed')).status).toBe(409);
    const missingCampaign = await t.api.request('GET', '/campaigns/cmp_nope', {
      token: tenant.token,
    });
    expect(missingCampaign.status).toBe(404);
  });
});

describe('controls', () => {
  it('pauses and resumes without sending anyone twice', async () => {
    const seeded = await seedContacts(t.sb.db, tenant.id, [
      { count: 40, consent: 'opted_in', tags: ['pr'] },
    ]);
    const id = await create('pr');
    await waitFor(
      async () =>
        (await campaign(id)).counts.sent +
          (await campaign(id)).counts.delivered +
          (await campaign(id)).counts.read >=
        5,
      { timeoutMs: 30_000, what: 'five sends' },
    );
    const paused = await control(id, 'pause');
    expect(paused.status).toBe(200);
    expect(paused.json.status).toBe('paused');
    expect((await control(id, 'pause')).json.error.code).toBe('invalid_state');
    // The slice in hand ends: no recipient is left mid-send, and some are still queued.
    await waitFor(
      async () => {
        const r = await allRecipients(t.api, tenant.token, id);
        return r.every((x) => x.status !== 'sending') && r;
      },
      { timeoutMs: 30_000, what: 'the run to stop' },
    );
    const sentWhilePaused = onceEach(seeded).reduce((a, b) => a + b, 0);
    expect((await campaign(id)).counts.queued).toBeGreaterThan(0);
    expect(sentWhilePaused).toBeLessThan(40);
    expect((await control(id, 'resume')).json.status).toBe('running');
    expect((await control(id, 'resume')).status).toBe(409);
    await waitFor(async () => (await campaign(id)).status === 'completed', {
      timeoutMs: 60_000,
      what: 'completion',
    });
    expect(onceEach(seeded)).toEqual(seeded.map(() => 1));
    // Statuses from Meta's webhooks move each recipient to read.
    await waitFor(async () => (await campaign(id)).counts.read === 40, {
      timeoutMs: 30_000,
      what: 'read statuses',
    });
    expect((await campaign(id)).counts).toEqual(
      countsOf(await allRecipients(t.api, tenant.token, id)),
    );
    // A reply marks its recipient replied.
    await deliver(t, [
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from: seeded[0]!.digits,
        text: 'Obrigado!',
        timestamp: Math.floor(Date.now() / 1000),
      }),
    ]);
    const replied = await allRecipients(t.api, tenant.token, id);
    expect(replied.find((r) => r.contactId === seeded[0]!.contactId)?.status).toBe('replied');
    expect((await campaign(id)).counts.replied).toBe(1);

    // Open screens heard of it as it went, never more than about once a second, and of the end:
    // the last change (the reply) is followed by an event, at the latest when its second is over.
    const lastChange = Math.max(...replied.map((r) => Date.parse(r.updatedAt)));
    await waitFor(
      async () =>
        said.some(
          (s) =>
            s.event.type === 'campaign.progress' &&
            s.event.data.campaignId === id &&
            Date.parse(s.event.at) >= lastChange,
        ),
      { timeoutMs: 3_000, what: 'an event after the last change' },
    );
    const progress = said.filter(
      (s) => s.event.type === 'campaign.progress' && s.event.data.campaignId === id,
    );
    expect(progress.every((s) => s.tenantId === tenant.id)).toBe(true);
    const statuses = progress.map((s) =>
      s.event.type === 'campaign.progress' ? s.event.data.status : '',
    );
    expect(statuses).toContain('running');
    expect(statuses).toContain('completed');
    const times = progress.map((s) => Date.parse(s.event.at));
    const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(seconds) * 2 + 6);
  }, 120_000);

  it('does not send late a recipient held past half its lease before Meta is called', async () => {
    const seeded = await seedContacts(t.sb.db, tenant.id, [
      { count: 3, consent: 'opted_in', tags: ['stall'] },
    ]);
    const held = `+${seeded[1]!.digits}`;
    let stalls = 0;
    // The first attempt of one recipient stalls (a long GC pause, a frozen container) for more
    // than half the 10 s lease, after its claim: the fence refuses it, and it goes back in line.
    onClaimed = async (r) => {
      if (r.phone === held && stalls++ === 0) await new Promise((res) => setTimeout(res, 5_500));
    };
    try {
      const id = await create('stall');
      await waitFor(async () => (await campaign(id)).status === 'completed', {
        timeoutMs: 60_000,
        what: 'completion',
      });
      expect(stalls).toBe(2);
      expect(onceEach(seeded)).toEqual([1, 1, 1]);
      const recipients = await allRecipients(t.api, tenant.token, id);
      expect(recipients.map((r) => r.status).every((s) => s !== 'failed')).toBe(true);
    } finally {
      onClaimed = undefined;
    }
  }, 90_000);

  it('cancels: the rest are skipped and never sent', async () => {
    const seeded = await seedContacts(t.sb.db, tenant.id, [
      { count: 40, consent: 'opted_in', tags: ['cx'] },
    ]);
    const id = await create('cx');
    await waitFor(
      async () =>
        (await campaign(id)).counts.total === 40 && (await campaign(id)).counts.queued < 38,
      { timeoutMs: 30_000, what: 'a few sends' },
    );
    expect((await control(id, 'cancel')).json.status).toBe('cancelled');
    await waitFor(async () => (await campaign(id)).counts.queued === 0, {
      timeoutMs: 30_000,
      what: 'the rest to be skipped',
    });
    const recipients = await allRecipients(t.api, tenant.token, id);
    const skipped = recipients.filter((r) => r.status === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    const sends = onceEach(seeded);
    for (const [i, s] of seeded.entries()) {
      const r = recipients.find((x) => x.contactId === s.contactId)!;
      expect(sends[i]).toBe(r.status === 'skipped' ? 0 : 1);
    }
    expect((await control(id, 'cancel')).status).toBe(409);
  }, 90_000);

  it('retries the failed ones once asked, and only those', async () => {
    const seeded = await seedContacts(t.sb.db, tenant.id, [
      { count: 5, consent: 'opted_in', tags: ['rf'] },
    ]);
    t.sb.metaStandIn!.failSendsTo(
      seeded[2]!.digits,
      { httpStatus: 400, code: 100, message: '(#100) Invalid parameter' },
      1,
    );
    const id = await create('rf');
    await waitFor(async () => (await campaign(id)).status === 'completed', {
      timeoutMs: 30_000,
      what: 'completion',
    });
    expect((await campaign(id)).counts.failed).toBe(1);
    expect(onceEach(seeded)).toEqual([1, 1, 0, 1, 1]);
    const retried = await control(id, 'retry-failed');
    expect(retried.status).toBe(200);
    expect(retried.json.status).toBe('running');
    await waitFor(async () => (await campaign(id)).status === 'completed', {
      timeoutMs: 30_000,
      what: 'completion again',
    });
    expect(onceEach(seeded)).toEqual([1, 1, 1, 1, 1]);
    expect((await control(id, 'retry-failed')).json.error.code).toBe('invalid_state');
  }, 90_000);
});

describe('consent at send time', () => {
  it('does not send to a number that opts out while the campaign runs', async () => {
    const seeded = await seedContacts(t.sb.db, tenant.id, [
      { count: 6, consent: 'opted_in', tags: ['stop'] },
    ]);
    const viaRepo = seeded[1]!;
    const consent = new ConsentRepo(t.sb.db, tenant.id);
    // It opts out after its recipient was claimed (the audience long drawn), before Meta is
    // called.
    onClaimed = async (r) => {
      if (r.phone === `+${viaRepo.digits}`) {
        await consent.record(r.phone, {
          id: `chg_stop_${viaRepo.digits}`,
          status: 'opted_out',
          at: new Date().toISOString(),
          evidence: { source: 'manual', userId: 'usr_test', note: 'asked by phone' },
        });
      }
    };
    try {
      const id = await create('stop');
      await waitFor(async () => (await campaign(id)).status === 'completed', {
        timeoutMs: 60_000,
        what: 'completion',
      });
      expect(onceEach(seeded)).toEqual([1, 0, 1, 1, 1, 1]);
      const recipients = await allRecipients(t.api, tenant.token, id);
      for (const s of [viaRepo]) {
        expect(recipients.find((r) => r.contactId === s.contactId)).toMatchObject({
          status: 'skipped',
          error: { code: 'opted_out' },
        });
      }
    } finally {
      onClaimed = undefined;
    }
  }, 90_000);
});

describe('values', () => {
  it('skips a contact missing a value without a fallback, and counts it', async () => {
    const seeded = await seedContacts(t.sb.db, tenant.id, [
      { count: 2, consent: 'opted_in', tags: ['noval'] },
    ]);
    // The seeded contacts have no e-mail, and the parameter has no fallback.
    const id = await create('noval', {
      template: { ...template, parameters: [{ field: 'contact.email' }, { text: '#42' }] },
    });
    await waitFor(async () => (await campaign(id)).status === 'completed', {
      timeoutMs: 30_000,
      what: 'completion',
    });
    expect(onceEach(seeded)).toEqual([0, 0]);
    const recipients = await allRecipients(t.api, tenant.token, id);
    expect(recipients.map((r) => [r.status, r.error?.code])).toEqual([
      ['skipped', 'missing_parameter'],
      ['skipped', 'missing_parameter'],
    ]);
    expect((await campaign(id)).counts).toMatchObject({ total: 2, skipped: 2, queued: 0 });
  });
});

describe('the list', () => {
  it('pages every campaign once, newest first, with sealed cursors', async () => {
    const all: { id: string; createdAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; json: any } = await t.api.request(
        'GET',
        `/campaigns?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: tenant.token },
      );
      expect(res.status).toBe(200);
      expect(res.json.items.length).toBeLessThanOrEqual(2);
      all.push(...res.json.items);
      cursor = res.json.nextCursor;
    } while (cursor);
    // The tests above made at least five; each appears once, the newest first.
    expect(all.length).toBeGreaterThanOrEqual(5);
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
    const times = all.map((c) => c.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    // A cursor changed by one character is refused, not read.
    const first = await t.api.request('GET', '/campaigns?limit=1', { token: tenant.token });
    const forged = `${first.json.nextCursor.slice(0, -2)}${first.json.nextCursor.endsWith('A') ? 'B' : 'A'}A`;
    const res = await t.api.request('GET', `/campaigns?limit=1&cursor=${forged}`, {
      token: tenant.token,
    });
    expect(res.status).toBe(400);
  });
});

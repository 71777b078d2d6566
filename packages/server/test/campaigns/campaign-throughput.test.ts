import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor, type TestSandbox } from '../helpers/harness';
import { startTestSandbox } from '../helpers/harness';
import { waTenant, type WaTenant } from '../outbound/outbound-harness';
import {
  allRecipients,
  busiestSecond,
  countsOf,
  getCampaign,
  seedContacts,
  sendsPerRecipient,
  type Seeded,
} from './campaign-fixtures';

// A 1,000-recipient campaign through the Meta stand-in, which answers some sends with Meta's
// throttling errors (131056 per pair, 130429 and 80007 for the number): every opted-in contact
// gets the template exactly once, no one else does, no second holds more requests than the rate,
// and the campaign's counts are exactly its recipients' statuses.

const RATE = 200;
let t: TestSandbox;
let tenant: WaTenant;

beforeAll(async () => {
  t = await startTestSandbox({
    retryDelaySeconds: 0,
    // Statuses (delivered, read) are another test's (campaign-controls): here Meta's answers only.
    metaStatusDelayMs: 600_000,
    campaigns: { ratePerSecond: RATE, backoffMs: 40, sweepMs: 100, leaseMs: 3_000, sliceMs: 5_000 },
  });
  tenant = await waTenant(t);
});
afterAll(async () => t?.stop(), 60_000);

it('sends 1,000 opted-in recipients exactly once at the rate, through throttling answers', async () => {
  // Prepare: the audience (tag vip) and contacts around it.
  const seeded = await seedContacts(t.sb.db, tenant.id, [
    { count: 1000, consent: 'opted_in', tags: ['vip'] },
    { count: 50, consent: 'opted_out', tags: ['vip'] },
    { count: 30, consent: 'unknown', tags: ['vip', 'new'] },
    { count: 20, consent: 'opted_in', tags: ['vip'], phone: false },
    { count: 40, consent: 'opted_in', tags: ['other'] },
  ]);
  const eligible = seeded.slice(0, 1000);
  const never = seeded.filter((s) => !eligible.includes(s));
  const audience = { channelId: tenant.channelId, tags: ['vip'] };
  const estimate = await t.api.request('POST', '/campaigns/estimate', {
    token: tenant.token,
    body: audience,
  });
  expect(estimate.status).toBe(200);
  expect(estimate.json).toEqual({
    eligible: 1000,
    excluded: { optedOut: 50, noConsent: 30, noPhone: 20 },
  });

  const meta = t.sb.metaStandIn!;
  const pair = (s: Seeded, code: number, message: string, times: number) =>
    meta.failSendsTo(s.digits, { httpStatus: 400, code, message }, times);
  // Pair rate limits on 30 recipients, twice each; 80007 on 10; 130429 on the next 5 calls.
  eligible.slice(0, 30).forEach((s) => pair(s, 131056, '(#131056) pair rate limit hit', 2));
  eligible.slice(30, 40).forEach((s) => pair(s, 80007, '(#80007) Rate limit issues', 1));
  // One recipient is throttled past the bounded retries; one gets a refusal that is final.
  const exhausted = eligible[40]!;
  pair(exhausted, 131056, '(#131056) pair rate limit hit', 50);
  const refused = eligible[41]!;
  pair(refused, 100, '(#100) Invalid parameter', 1);

  // Act
  const created = await t.api.request('POST', '/campaigns', {
    token: tenant.token,
    body: {
      name: 'Spring sale',
      audience,
      template: {
        name: 'order_update',
        language: 'pt_BR',
        parameters: [{ field: 'contact.first_name', fallback: 'cliente' }, { text: '#42' }],
      },
    },
  });
  expect(created.status).toBe(201);
  expect(created.json.status).toBe('running');
  meta.failNext({ httpStatus: 429, code: 130429, message: '(#130429) Rate limit hit' }, 5);
  const id = created.json.id as string;
  await waitFor(async () => (await getCampaign(t.api, tenant.token, id)).status === 'completed', {
    timeoutMs: 200_000,
    intervalMs: 200,
    what: 'the campaign to complete',
  });

  // Assess: exactly once each, never to anyone outside the eligible set.
  const sends = sendsPerRecipient(meta, tenant.phoneNumberId);
  for (const s of eligible) {
    const expected = s === exhausted || s === refused ? 0 : 1;
    expect(sends.get(s.digits) ?? 0, s.digits).toBe(expected);
  }
  for (const s of never) expect(sends.get(s.digits) ?? 0).toBe(0);
  expect([...sends.values()].reduce((a, b) => a + b, 0)).toBe(998);

  // The rate, from the stand-in's own clock: every request counts, refused ones too.
  const requests = meta.messageRequests.filter((r) => r.senderId === tenant.phoneNumberId);
  expect(requests.length).toBeGreaterThan(998 + 30 * 2 + 10);
  expect(busiestSecond(requests.map((r) => r.at))).toBeLessThanOrEqual(RATE);

  // Progress counts are exactly the recipients' statuses.
  const recipients = await allRecipients(t.api, tenant.token, id);
  expect(recipients).toHaveLength(1000);
  const campaign = await getCampaign(t.api, tenant.token, id);
  expect(campaign.counts).toEqual(countsOf(recipients));
  expect(campaign.counts).toEqual({
    total: 1000,
    queued: 0,
    sent: 998,
    delivered: 0,
    read: 0,
    failed: 2,
    replied: 0,
    skipped: 0,
  });
  expect(campaign.excluded).toEqual({ optedOut: 50, noConsent: 30, noPhone: 20 });
  const byContact = new Map(recipients.map((r) => [r.contactId, r]));
  expect(byContact.get(exhausted.contactId)).toMatchObject({
    status: 'failed',
    error: { code: '131056' },
  });
  expect(byContact.get(refused.contactId)).toMatchObject({
    status: 'failed',
    error: { code: '100', message: expect.stringContaining('Invalid parameter') },
  });
  // The per-contact parameter reached Meta.
  const one = meta.sent.find((s) => s.recipientId === eligible[100]!.digits)!;
  expect(JSON.stringify(one.body)).toContain('Ana100');
}, 300_000);

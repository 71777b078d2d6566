import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTenant,
  postWebhook,
  startTestSandbox,
  waitFor,
  waitForDrain,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import {
  envelope,
  igMessagingEntry,
  igStoryReplyEntry,
  waTextEntry,
  fakeMid,
} from '../factories/meta';
import {
  contactFormBody,
  publishedForm,
  startWebhookReceiver,
  unique,
  waitForLead,
  type WebhookReceiver,
} from '../leads/lead-fixtures';
import { APP_SECRET } from '../outbound/outbound-harness';

// Attribution end to end: a landing-page submission with UTM fields, a click-to-WhatsApp ad
// (Meta's `referral` with `ctwa_clid`), an Instagram ad and a story reply each become a touch on
// the contact (and the lead), the CRM receives the lead's attribution, and the sources report
// counts them by source, medium and campaign.

let t: TestSandbox;
let receiver: WebhookReceiver;
let tenant: TestTenant & { wabaId: string; phoneNumberId: string; accountId: string };
let other: TestTenant;
let formId: string;
let seq = 0;
const metaId = () =>
  `3071${String(process.pid % 1000).padStart(3, '0')}${String(++seq).padStart(8, '0')}`;
const origin = 'https://landing.example.com';
const today = () => new Date().toISOString().slice(0, 10);

const formWithUtm = () =>
  contactFormBody({
    fields: [
      ...(contactFormBody().fields as object[]),
      { key: 'utm_medium', type: 'hidden', label: 'UTM medium', queryParam: 'utm_medium' },
      { key: 'utm_campaign', type: 'hidden', label: 'UTM campaign', queryParam: 'utm_campaign' },
    ],
  });

beforeAll(async () => {
  [t, receiver] = await Promise.all([
    startTestSandbox({ retryDelaySeconds: 0 }),
    startWebhookReceiver(),
  ]);
  const wabaId = metaId();
  const phoneNumberId = metaId();
  const accountId = metaId();
  tenant = {
    ...(await createTenant(t.api, t.adminToken, [
      { type: 'whatsapp', wabaId, phoneNumberId },
      { type: 'instagram', accountId },
    ])),
    wabaId,
    phoneNumberId,
    accountId,
  };
  other = await createTenant(t.api, t.adminToken, []);
  const destination = await t.api.request('POST', '/crm-destinations', {
    token: tenant.token,
    body: { type: 'webhook', url: receiver.url },
  });
  expect(destination.status).toBe(201);
  receiver.setSecret(destination.json.secret);
  formId = await publishedForm(t.api, tenant.token, formWithUtm());
});

afterAll(async () => {
  await Promise.all([t?.stop(), receiver?.close()]);
});

const get = (path: string, token = tenant.token) => t.api.request('GET', path, { token });
const report = async () => (await get(`/reports/sources?from=${today()}&to=${today()}`)).json;
const rowOf = (r: any, source: string, campaign: string | null) =>
  r.rows.find((row: any) => row.source === source && row.campaign === campaign);

async function deliver(entries: unknown[], object: 'whatsapp_business_account' | 'instagram') {
  const res = await postWebhook(t.api, APP_SECRET, envelope(object, entries as never));
  expect(res.status).toBe(200);
  await waitForDrain(t.sb);
}

describe('attribution', () => {
  it('a landing-page submission: its UTM fields and page on the lead, the contact and the CRM push', async () => {
    // Act
    const email = `${unique('utm')}@example.com`;
    const res = await t.api.request('POST', `/public/forms/${formId}/submissions`, {
      body: {
        fields: {
          name: 'Ana Souza',
          email,
          terms: true,
          utm_source: 'Google',
          utm_medium: 'cpc',
          utm_campaign: 'verao-2027',
        },
      },
      headers: { origin, referer: 'https://landing.example.com/promo?utm_source=Google' },
    });
    expect(res.status).toBe(202);
    const lead = await waitForLead(t.api, tenant.token, res.json.submissionId);

    // Assert: the lead's and the contact's record
    const forLead = await get(`/leads/${lead.id}/attribution`);
    expect(forLead.status).toBe(200);
    const touch = {
      kind: 'form',
      source: 'google',
      medium: 'cpc',
      campaign: 'verao-2027',
      utm: { source: 'Google', medium: 'cpc', campaign: 'verao-2027' },
      formId,
      leadId: lead.id,
      pageUrl: 'https://landing.example.com/promo?utm_source=Google',
    };
    expect(forLead.json.attribution).toMatchObject({ first: touch, latest: touch, touches: 1 });
    const forContact = await get(`/customers/${lead.contact.id}/attribution`);
    expect(forContact.json.attribution).toMatchObject({
      first: { kind: 'form', source: 'google', campaign: 'verao-2027' },
      touches: 1,
    });

    // The CRM receives it with the lead.
    const pushed = await waitFor(
      async () =>
        receiver.deliveries.find((d) => d.verified && d.body?.data?.lead?.id === lead.id)?.body,
      { timeoutMs: 10_000, intervalMs: 50, what: 'the CRM push' },
    );
    expect(pushed.data.lead.attribution).toMatchObject({
      first: { kind: 'form', source: 'google', medium: 'cpc', campaign: 'verao-2027' },
    });
  });

  it('a click-to-WhatsApp ad: the referral with its ctwa_clid on the contact, counted once on redelivery', async () => {
    // Prepare
    const from = `5521${String(Date.now()).slice(-9)}`;
    const referral = {
      source_url: 'https://fb.me/2ZxKp9Qw1',
      source_id: '120208765432109876',
      source_type: 'ad',
      headline: 'Frete grátis em dezembro',
      body: 'Fale com a gente',
      media_type: 'image',
      image_url: 'https://scontent.xx.fbcdn.net/v/t45.1600-4/ad.jpg',
      ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0',
    };
    const entry = waTextEntry({
      wabaId: tenant.wabaId,
      phoneNumberId: tenant.phoneNumberId,
      from,
      text: 'Oi, vi o anúncio do frete grátis',
      timestamp: Math.floor(Date.now() / 1000) - 5,
      referral,
    });
    const before =
      rowOf(await report(), 'facebook', 'Frete grátis em dezembro')?.conversations ?? 0;

    // Act: Meta delivers it twice.
    await deliver([entry], 'whatsapp_business_account');
    await deliver([entry], 'whatsapp_business_account');

    // Assert
    const res = await get(`/customers/wa-${from}/attribution`);
    expect(res.status).toBe(200);
    expect(res.json.attribution).toMatchObject({
      first: {
        kind: 'whatsapp_ad',
        source: 'facebook',
        medium: 'paid_social',
        campaign: 'Frete grátis em dezembro',
        ad: {
          sourceType: 'ad',
          sourceId: '120208765432109876',
          sourceUrl: 'https://fb.me/2ZxKp9Qw1',
          ctwaClid: referral.ctwa_clid,
        },
        conversationId: expect.any(String),
      },
      touches: 1,
    });
    expect(rowOf(await report(), 'facebook', 'Frete grátis em dezembro')).toMatchObject({
      medium: 'paid_social',
      conversations: before + 1,
    });
  });

  it('Instagram: an ad that opened the thread and a story reply', async () => {
    // Prepare
    const adSender = metaId();
    const storySender = metaId();
    const now = Date.now();

    // Act
    await deliver(
      [
        igMessagingEntry(
          { accountId: tenant.accountId, senderId: adSender, timestamp: now - 2_000 },
          {
            message: {
              mid: fakeMid(tenant.accountId),
              text: 'Quero saber mais',
              referral: {
                ref: 'natal',
                ad_id: '23851234567890123',
                source: 'ADS',
                type: 'OPEN_THREAD',
                ads_context_data: { ad_title: 'Coleção de Natal', post_id: '17900000000000001' },
              },
            },
          },
        ),
        igStoryReplyEntry({
          accountId: tenant.accountId,
          senderId: storySender,
          timestamp: now - 1_000,
          storyId: '17987654321098765',
        }),
      ],
      'instagram',
    );

    // Assert
    const ad = await get(`/customers/ig-${adSender}/attribution`);
    expect(ad.json.attribution.first).toMatchObject({
      kind: 'instagram_ad',
      source: 'instagram',
      medium: 'paid_social',
      campaign: 'Coleção de Natal',
      ad: { sourceType: 'ad', sourceId: '23851234567890123', ref: 'natal' },
    });
    const story = await get(`/customers/ig-${storySender}/attribution`);
    expect(story.json.attribution.first).toMatchObject({
      kind: 'instagram_story',
      source: 'instagram',
      medium: 'story',
      ad: { sourceType: 'story', sourceId: '17987654321098765' },
    });
    // The story's Meta CDN link expires: it is not kept.
    expect(JSON.stringify(story.json)).not.toContain('lookaside');
  });

  it('reports by source, and keeps each workspace to its own', async () => {
    const r = await report();
    expect(rowOf(r, 'google', 'verao-2027')).toMatchObject({
      medium: 'cpc',
      leads: 1,
      conversations: 0,
    });
    expect(r.totals.leads).toBe(r.rows.reduce((n: number, row: any) => n + row.leads, 0));
    expect(r.totals.conversations).toBeGreaterThanOrEqual(3);

    const theirs = await get(`/reports/sources?from=${today()}&to=${today()}`, other.token);
    expect(theirs.json).toMatchObject({ rows: [], totals: { leads: 0, conversations: 0 } });
    const leads = await get('/leads?limit=1');
    const leadId = leads.json.items[0].id;
    expect((await get(`/leads/${leadId}/attribution`, other.token)).status).toBe(404);
  });

  it('refuses a bad range with a 400 naming the field', async () => {
    const backwards = await get('/reports/sources?from=2026-12-02&to=2026-12-01');
    expect(backwards.status).toBe(400);
    expect(backwards.json.error.code).toBe('validation_failed');
    expect((await get('/reports/sources?from=yesterday&to=2026-12-01')).status).toBe(400);
    expect((await get('/reports/sources?from=2025-01-01&to=2026-12-01')).status).toBe(400);
    // An id that cannot be one is not found, as on every route.
    expect((await get('/customers/not-an-id/attribution')).status).toBe(404);
  });
});

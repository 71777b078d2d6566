import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, waTextEntry } from '../../server/test/factories/meta';
import { waitFor, waitForDrain } from '../../server/test/helpers/harness';
import { waitForLead } from '../../server/test/leads/lead-fixtures';
import {
  newPage,
  ownerTenant,
  postWebhook,
  screenshot,
  signIn,
  startWebWorld,
  type OwnerTenant,
  type WebWorld,
} from './helpers/web-harness';

// Attribution in Debian's Chromium against a real sandbox: a landing-page submission with UTM
// fields and a click-to-WhatsApp ad (a signed Meta webhook with its `referral`) show as the
// "Source" of the lead and the contact (first and latest touch), a contact nothing reached says
// so, and the Reports page counts them by source over a date range (its empty state and the
// server's 400 for a bad range included).

let world: WebWorld;
let tenant: OwnerTenant;
let page: Page;
let base: string;
let leadId: string;
let formContactId: string;

const origin = 'https://landing.example.com';
const pageUrl = 'https://landing.example.com/promo?utm_source=Google';
const adSender = `55219${String(Date.now()).slice(-8)}`;
const headline = 'Frete grátis em dezembro';
const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  world.t.api.request(method, path, { token: tenant.token, body, headers });

async function submit(formId: string, fields: Record<string, unknown>): Promise<string> {
  const res = await world.t.api.request('POST', `/public/forms/${formId}/submissions`, {
    body: { fields },
    headers: { origin, referer: pageUrl },
  });
  expect(res.status).toBe(202);
  return res.json.submissionId;
}

beforeAll(async () => {
  world = await startWebWorld();
  tenant = await ownerTenant(world, 'Attribution Co');
  const form = await api('POST', '/forms', {
    name: 'Promo',
    allowedOrigins: [origin],
    defaultCountryCode: '55',
    fields: [
      { key: 'name', type: 'text', label: 'Name', required: true },
      { key: 'phone', type: 'phone', label: 'WhatsApp', required: true },
      { key: 'utm_source', type: 'hidden', label: 'UTM source', queryParam: 'utm_source' },
      { key: 'utm_medium', type: 'hidden', label: 'UTM medium', queryParam: 'utm_medium' },
      { key: 'utm_campaign', type: 'hidden', label: 'UTM campaign', queryParam: 'utm_campaign' },
    ],
  });
  expect(form.status).toBe(201);
  expect((await api('POST', `/forms/${form.json.id}/publish`)).status).toBe(200);

  // A landing-page lead with its UTM fields.
  const submissionId = await submit(form.json.id, {
    name: 'Ana Souza',
    phone: '+5511987654321',
    utm_source: 'Google',
    utm_medium: 'cpc',
    utm_campaign: 'verao-2027',
  });
  const lead = await waitForLead(world.t.api, tenant.token, submissionId, () => true);
  leadId = lead.id;
  formContactId = lead.contact.id;

  // A click-to-WhatsApp ad opens a conversation; later the same person sends the form.
  const res = await postWebhook(
    world.t.api,
    world.t.sb.meta.appSecret,
    envelope('whatsapp_business_account', [
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from: adSender,
        name: 'Caio Anúncio',
        text: 'Oi, vi o anúncio do frete grátis',
        timestamp: Math.floor(Date.now() / 1000) - 60,
        referral: {
          source_url: 'https://fb.me/2ZxKp9Qw1',
          source_id: '120208765432109876',
          source_type: 'ad',
          headline,
          body: 'Fale com a gente',
          ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0',
        },
      }),
    ]),
  );
  expect(res.status).toBe(200);
  await waitForDrain(world.t.sb);
  await waitFor(
    async () => (await api('GET', `/customers/wa-${adSender}/attribution`)).json?.attribution,
    { what: 'the ad referral touch' },
  );
  const second = await submit(form.json.id, {
    name: 'Caio Anúncio',
    phone: `+${adSender}`,
    utm_source: 'newsletter',
    utm_medium: 'email',
    utm_campaign: 'dezembro',
  });
  await waitForLead(world.t.api, tenant.token, second, () => true);
  await waitFor(
    async () =>
      (await api('GET', `/customers/wa-${adSender}/attribution`)).json?.attribution?.touches === 2,
    { what: 'the second touch' },
  );

  base = world.t.sb.url;
  ({ page } = await newPage(world, { width: 1440, height: 900 }));
  await signIn(page, base, tenant.email, tenant.password);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

/** The text of each row of a `dl` in the block, as "label value". */
const rowsOf = (block: Locator) =>
  block
    .locator('dl > div')
    .evaluateAll((els) =>
      els.map((el) => `${el.children[0]?.textContent} ${el.children[1]?.textContent}`.trim()),
    );

describe('the source of a lead and a contact', () => {
  it('shows the landing page, its UTM fields and page on the lead', async () => {
    await page.goto(`${base}/app/leads/?lead=${leadId}`);
    const source = page.getByRole('dialog').getByRole('region', { name: 'Source' });
    const touch = source.getByRole('group', { name: 'First and latest touch' });
    await touch.getByText('Landing page').waitFor();
    await expect(rowsOf(touch)).resolves.toEqual([
      'How Landing page',
      'Source google',
      'Medium cpc',
      'Campaign verao-2027',
      `Page ${pageUrl} (opens in a new tab)`,
      expect.stringMatching(/^When \d/),
    ]);
    const link = touch.getByRole('link', { name: new RegExp(pageUrl.replace(/[?.]/g, '\\$&')) });
    await expect(link.getAttribute('href')).resolves.toBe(pageUrl);
    await screenshot(page, 'lead-source');
  });

  it('shows the same touch on the contact, and the first and latest of one reached twice', async () => {
    await page.goto(`${base}/app/contacts/?id=${encodeURIComponent(formContactId)}`);
    const mine = page.getByRole('region', { name: 'Source' });
    await mine
      .getByRole('group', { name: 'First and latest touch' })
      .getByText('verao-2027')
      .waitFor();

    await page.goto(`${base}/app/contacts/?id=wa-${adSender}`);
    const source = page.getByRole('region', { name: 'Source' });
    const first = source.getByRole('group', { name: 'First touch' });
    await first.getByText('WhatsApp ad').waitFor();
    await expect(rowsOf(first)).resolves.toEqual([
      'How WhatsApp ad',
      'Source facebook',
      'Medium paid_social',
      `Campaign ${headline}`,
      `Ad ${headline}`,
      'Ad link https://fb.me/2ZxKp9Qw1 (opens in a new tab)',
      expect.stringMatching(/^When \d/),
    ]);
    const latest = source.getByRole('group', { name: 'Latest touch' });
    await expect(rowsOf(latest)).resolves.toEqual(
      expect.arrayContaining(['How Landing page', 'Source newsletter', 'Campaign dezembro']),
    );
    await screenshot(page, 'contact-source');
  });

  it('says so when nothing is recorded', async () => {
    const created = await api('POST', '/customers', { name: 'Walk In', phone: '+5511900001111' });
    expect(created.status).toBe(201);
    await page.goto(`${base}/app/contacts/?id=${encodeURIComponent(created.json.id)}`);
    await page.getByRole('region', { name: 'Source' }).getByText('No source recorded').waitFor();
  });
});

describe('the sources report', () => {
  it('counts leads and conversations by source over the last 30 days', async () => {
    await page.goto(`${base}/app/inbox/`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .first()
      .getByRole('link', { name: 'Reports' })
      .click();
    await page.waitForURL(/\/app\/reports\/?/);
    const now = new Date();
    const monthAgo = new Date(now);
    monthAgo.setUTCDate(monthAgo.getUTCDate() - 29);
    await expect(page.getByLabel('From').inputValue()).resolves.toBe(dayOf(monthAgo));
    await expect(page.getByLabel('To').inputValue()).resolves.toBe(dayOf(now));

    const table = page.getByRole('table');
    await table.getByText('verao-2027').waitFor();
    const body = await table
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) => [...r.children].map((c) => c.textContent).join(' | ')),
      );
    expect(body.sort()).toEqual(
      [
        'google | cpc | verao-2027 | 1 | 0',
        'newsletter | email | dezembro | 1 | 0',
        `facebook | paid_social | ${headline} | 0 | 1`,
      ].sort(),
    );
    await expect(
      table.locator('tfoot tr').evaluate((r) => [...r.children].map((c) => c.textContent)),
    ).resolves.toEqual(['Total', '2', '1']);
    await screenshot(page, 'reports-sources');
  });

  it('shows an empty range, and the server’s message for a bad one', async () => {
    await page.getByLabel('From').fill('2020-01-01');
    await page.getByLabel('To').fill('2020-01-31');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByText('Nothing in this range').waitFor();
    expect(page.url()).toContain('from=2020-01-01');

    await page.getByLabel('From').fill('2020-02-10');
    await page.getByLabel('To').fill('2020-02-01');
    await page.getByRole('button', { name: 'Show report' }).click();
    await page.getByRole('alert').getByText('`from` comes before `to`.').waitFor();
    await expect(page.getByLabel('From').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(world.pageErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});

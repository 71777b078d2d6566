import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../../server/test/auth/helpers';
import { startTestSandbox, waitFor } from '../../server/test/helpers/harness';
import {
  ensureWebBuilt,
  launchBrowser,
  newPage,
  ownerTenant,
  screenshot,
  signIn,
  type OwnerTenant,
  type WebWorld,
} from './helpers/web-harness';

// Campaigns in Debian's Chromium against a real sandbox and the Meta stand-in: an admin builds a
// campaign (a template value from each contact's first name, with a fallback), sees the estimate
// with who is left out and why before sending, double-clicks Send now and gets one campaign, which
// runs through the stand-in to completed with exact counts and per-recipient statuses (one number
// undeliverable, then retried); a larger one is paused mid-send and resumed; a scheduled one is
// cancelled; a viewer reads everything and controls nothing.

let world: WebWorld;
let tenant: OwnerTenant;
let viewer: { email: string; password: string };
let page: Page;
let base: string;

const api = (method: string, path: string, body?: unknown) =>
  world.t.api.request(method, path, { token: tenant.token, body });

let seq = 0;
const run = String(Date.now()).slice(-4);
/** A Brazilian mobile number (55 11 9xxxx-xxxx), unique in this run. */
const newPhone = () => `+55119${run}${String(++seq).padStart(4, '0')}`;

/** A contact through the API, with its consent recorded as an agent would. */
async function contact(opts: {
  tag: string;
  name?: string;
  consent?: 'opted_in' | 'opted_out';
  phone?: boolean;
}): Promise<{ id: string; phone?: string }> {
  const phone = opts.phone === false ? undefined : newPhone();
  const created = await api('POST', '/customers', {
    tags: [opts.tag],
    ...(opts.name ? { name: opts.name } : {}),
    ...(phone ? { phone } : { email: `c${++seq}-${run}@example.com` }),
  });
  expect(created.status, created.text).toBe(201);
  if (opts.consent && phone) {
    const set = await api('PUT', `/customers/${encodeURIComponent(created.json.id)}/consent`, {
      channel: 'whatsapp',
      status: opts.consent,
      note: 'Said so at the shop',
    });
    expect(set.status, set.text).toBe(200);
  }
  return { id: created.json.id, phone };
}

const templateSends = (to: string) =>
  world.t.sb.metaStandIn!.sent.filter(
    (s) =>
      s.channel === 'whatsapp' &&
      s.senderId === tenant.phoneNumberId &&
      s.recipientId === to &&
      s.body.type === 'template',
  );

async function campaignsVia(): Promise<any[]> {
  const res = await api('GET', '/campaigns?limit=100');
  expect(res.status).toBe(200);
  return res.json.items;
}

const count = (bucket: string) => page.getByTestId(`count-${bucket}`);
const statusBadge = (p: Page) => p.getByTestId('campaign-status').first();

/** Fills the form up to the audience: name, the one number, order_update with its two values. */
async function fillMessage(name: string, tag: string) {
  await page.goto(`${base}/app/campaigns/`);
  await page.getByRole('button', { name: 'New campaign' }).first().click();
  await page.getByRole('heading', { name: 'New campaign' }).waitFor();
  await page.getByLabel(/^Campaign name/).fill(name);
  const template = page.getByLabel(/^Template/);
  await expect.poll(() => template.isEnabled(), { timeout: 15_000 }).toBe(true);
  await template.selectOption({ label: 'order_update (pt_BR)' });
  await page.getByLabel('Value of {{1}}').selectOption({ label: 'First name' });
  await page.getByLabel('Fallback for {{1}}').fill('cliente');
  await page.getByLabel('Value of {{2}}').selectOption({ label: 'The same text for everyone' });
  await page.getByLabel('Text for {{2}}').fill('#42');
  await page.getByLabel('Tags').fill(tag);
}

async function estimateReads(eligible: number) {
  await expect
    .poll(() => page.getByTestId('estimate-eligible').textContent(), { timeout: 15_000 })
    .toBe(String(eligible));
}

beforeAll(async () => {
  ensureWebBuilt();
  // One send at a time at two a second: a campaign of a dozen takes several seconds, so a pause
  // lands mid-send, and each pause stops after the one message in flight.
  const t = await startTestSandbox({
    metaStatusDelayMs: 150,
    campaigns: { ratePerSecond: 2, concurrency: 1, sweepMs: 150 },
  });
  const browser = await launchBrowser();
  world = {
    t,
    browser,
    pageErrors: [],
    async stop() {
      await browser.close().catch(() => undefined);
      await t.stop();
    },
  };
  base = t.sb.url;
  tenant = await ownerTenant(world, 'Campanhas Co');
  viewer = await addMember(t, tenant.token, 'viewer');
  ({ page } = await newPage(world));
  await signIn(page, base, tenant.email, tenant.password);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('a campaign from the web app', () => {
  let campaignId: string;
  const reached: { id: string; phone: string; name?: string }[] = [];
  let undeliverable: { id: string; phone: string };

  it('starts from the empty list, shows the estimate before sending, and a double click makes one campaign', async () => {
    await page.goto(`${base}/app/campaigns/`);
    await page
      .getByRole('navigation', { name: 'Main' })
      .first()
      .getByRole('link', { name: 'Campaigns' })
      .waitFor();
    await page.getByText('No campaigns yet').waitFor();

    for (const name of ['Ana Souza', 'Bruno Lima']) {
      const c = await contact({ tag: 'vip', name, consent: 'opted_in' });
      reached.push({ id: c.id, phone: c.phone!, name });
    }
    const nameless = await contact({ tag: 'vip', consent: 'opted_in' });
    reached.push({ id: nameless.id, phone: nameless.phone! });
    const bad = await contact({ tag: 'vip', name: 'Caio Erro', consent: 'opted_in' });
    undeliverable = { id: bad.id, phone: bad.phone! };
    world.t.sb.metaStandIn!.markUndeliverable(bad.phone!.slice(1));
    await contact({ tag: 'vip', name: 'Dora Saiu', consent: 'opted_out' });
    await contact({ tag: 'vip', name: 'Edu Sem Resposta' });
    await contact({ tag: 'vip', name: 'Fia Sem Numero', phone: false });
    await contact({ tag: 'other', name: 'Gil Fora', consent: 'opted_in' });

    await fillMessage('Entrega de dezembro', 'vip');
    await expect(page.getByTestId('template-preview').textContent()).resolves.toBe(
      'Olá Ana, seu pedido #42 saiu para entrega.',
    );
    // Counted before anything is sent: four opted in; one out, one without consent, one without
    // a number; the contact tagged `other` is not in the audience at all.
    await estimateReads(4);
    await expect(page.getByTestId('estimate-optedOut').textContent()).resolves.toBe('1');
    await expect(page.getByTestId('estimate-noConsent').textContent()).resolves.toBe('1');
    await expect(page.getByTestId('estimate-noPhone').textContent()).resolves.toBe('1');
    expect(await campaignsVia()).toEqual([]);
    await screenshot(page, 'campaign-new');

    await page.getByRole('button', { name: 'Send now' }).dblclick();
    await page.waitForURL(/\/app\/campaigns\/\?id=cmp_/);
    campaignId = new URL(page.url()).searchParams.get('id')!;
    const all = await campaignsVia();
    expect(all.map((c) => c.id)).toEqual([campaignId]);
    expect(all[0]).toMatchObject({
      name: 'Entrega de dezembro',
      audience: { channelId: tenant.channelId, tags: ['vip'] },
      template: {
        name: 'order_update',
        language: 'pt_BR',
        parameters: [{ field: 'contact.first_name', fallback: 'cliente' }, { text: '#42' }],
      },
    });
  });

  it('runs through the stand-in to completed, with exact counts and each recipient’s status', async () => {
    await page.getByRole('heading', { name: 'Entrega de dezembro' }).waitFor();
    await expect.poll(() => statusBadge(page).textContent(), { timeout: 30_000 }).toBe('Completed');
    // Statuses keep coming after the last send: three read, one failed at Meta.
    await expect.poll(() => count('read').textContent(), { timeout: 20_000 }).toBe('3');
    await expect.poll(() => count('failed').textContent(), { timeout: 20_000 }).toBe('1');
    const api_ = (await api('GET', `/campaigns/${campaignId}`)).json;
    expect(api_.counts).toEqual({
      total: 4,
      queued: 0,
      sent: 0,
      delivered: 0,
      read: 3,
      failed: 1,
      replied: 0,
      skipped: 0,
    });
    expect(api_.excluded).toEqual({ optedOut: 1, noConsent: 1, noPhone: 1 });
    await expect(count('total').textContent()).resolves.toBe('4');
    await expect(page.getByTestId('reached').textContent()).resolves.toBe('3');
    const progress = page.getByRole('progressbar', { name: 'Progress of Entrega de dezembro' });
    await expect(progress.getAttribute('aria-valuetext')).resolves.toBe(
      '3 of 4 sent, 1 failed, 0 still queued',
    );

    // Each recipient's row: its number links to its contact, the failure says Meta's words.
    const rows = page.getByTestId('recipient-row');
    await expect.poll(() => rows.count()).toBe(4);
    for (const r of reached) {
      const row = rows.filter({ hasText: r.phone });
      await expect(row.getByText('Read').count()).resolves.toBe(1);
      await expect(row.getByRole('link').getAttribute('href')).resolves.toBe(
        `/app/contacts/?id=${encodeURIComponent(r.id)}`,
      );
    }
    const failed = rows.filter({ hasText: undeliverable.phone });
    await failed.getByText('Failed').waitFor();
    await failed.getByText('Message undeliverable').waitFor();
    await page.getByLabel('Show').selectOption({ label: 'Failed' });
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel('Show').selectOption({ label: 'Everyone' });
    await screenshot(page, 'campaign-completed');

    // What each number received: its own first name, the fallback where there is none.
    const values = (phone: string) =>
      templateSends(phone.slice(1)).map((s: any) =>
        s.body.template.components[0].parameters.map((p: any) => p.text),
      );
    expect(values(reached[0]!.phone)).toEqual([['Ana', '#42']]);
    expect(values(reached[1]!.phone)).toEqual([['Bruno', '#42']]);
    expect(values(reached[2]!.phone)).toEqual([['cliente', '#42']]);
    await expect(page.getByRole('button', { name: 'Pause' }).isDisabled()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Cancel…' }).isDisabled()).resolves.toBe(true);
  });

  it('retries the failed recipient after a warning about interrupted sends', async () => {
    await page.getByRole('button', { name: 'Retry failed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry the failed recipients?' });
    await dialog.getByText(/may get it twice/).waitFor();
    await dialog.getByRole('button', { name: 'Retry failed' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await waitFor(async () => templateSends(undeliverable.phone.slice(1)).length === 2, {
      what: 'the failed recipient to be sent again',
    });
    await expect.poll(() => statusBadge(page).textContent(), { timeout: 30_000 }).toBe('Completed');
    await expect.poll(() => count('failed').textContent(), { timeout: 20_000 }).toBe('1');
    // The others were not sent again.
    for (const r of reached) expect(templateSends(r.phone.slice(1))).toHaveLength(1);
  });

  it('pauses mid-send and resumes to the end', async () => {
    const bulk: { id: string; phone?: string }[] = [];
    for (let i = 0; i < 12; i++) {
      bulk.push(await contact({ tag: 'bulk', name: `Cliente ${i}`, consent: 'opted_in' }));
    }
    await fillMessage('Promo relâmpago', 'bulk');
    await estimateReads(12);
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.getByRole('heading', { name: 'Promo relâmpago' }).waitFor();
    const id = new URL(page.url()).searchParams.get('id')!;
    await expect.poll(() => statusBadge(page).textContent(), { timeout: 15_000 }).toBe('Sending');
    // Live: progress comes from `campaign.progress` events, not from polling.
    await page.getByTestId('live-state').getByText('Live', { exact: true }).waitFor();
    expect(await page.getByText('Updating every few seconds').count()).toBe(0);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => statusBadge(page).textContent()).toBe('Paused');
    await page.getByRole('button', { name: 'Resume' }).waitFor();

    // Nothing goes out while paused (beyond the one in flight when it was pressed).
    const sentNow = () => bulk.filter((c) => templateSends(c.phone!.slice(1)).length > 0).length;
    await new Promise((r) => setTimeout(r, 800));
    const atPause = sentNow();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(sentNow()).toBe(atPause);
    expect(atPause).toBeLessThan(12);
    const paused = (await api('GET', `/campaigns/${id}`)).json;
    expect(paused.status).toBe('paused');
    expect(paused.counts.queued).toBe(12 - atPause);
    await expect.poll(() => count('queued').textContent()).toBe(String(12 - atPause));
    await screenshot(page, 'campaign-paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => statusBadge(page).textContent(), { timeout: 30_000 }).toBe('Completed');
    await expect.poll(() => count('read').textContent(), { timeout: 20_000 }).toBe('12');
    expect(bulk.map((c) => templateSends(c.phone!.slice(1)).length)).toEqual(Array(12).fill(1));
  });

  it('schedules one for later and cancels it after a confirmation', async () => {
    await fillMessage('Lembrete de janeiro', 'vip');
    await page.getByRole('button', { name: 'Later', exact: true }).click();
    await page.getByRole('button', { name: 'Schedule campaign' }).click();
    await page.getByRole('heading', { name: 'Lembrete de janeiro' }).waitFor();
    await expect.poll(() => statusBadge(page).textContent()).toBe('Scheduled');
    await expect(page.getByRole('button', { name: 'Retry failed' }).isDisabled()).resolves.toBe(
      true,
    );
    await page.getByRole('button', { name: 'Cancel…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this campaign?' });
    await dialog.getByRole('button', { name: 'Cancel campaign' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => statusBadge(page).textContent()).toBe('Cancelled');
    await expect(page.getByRole('button', { name: 'Cancel…' }).isDisabled()).resolves.toBe(true);
  });

  it('shows a server field error inline', async () => {
    await fillMessage('   ', 'vip');
    await page.getByRole('button', { name: 'Send now' }).click();
    const name = page.getByLabel(/^Campaign name/);
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    expect(await campaignsVia()).toHaveLength(3);
  });

  it('lists them newest first, and a viewer reads them but has no buttons', async () => {
    await page.goto(`${base}/app/campaigns/`);
    const rows = page.getByTestId('campaign-row');
    await expect.poll(() => rows.count()).toBe(3);
    await expect(rows.getByRole('button').allInnerTexts()).resolves.toEqual([
      'Lembrete de janeiro',
      'Promo relâmpago',
      'Entrega de dezembro',
    ]);
    await screenshot(page, 'campaigns-list');

    const { context, page: viewerPage } = await newPage(world);
    await signIn(viewerPage, base, viewer.email, viewer.password);
    await viewerPage.goto(`${base}/app/campaigns/`);
    await expect.poll(() => viewerPage.getByTestId('campaign-row').count()).toBe(3);
    expect(await viewerPage.getByRole('button', { name: 'New campaign' }).count()).toBe(0);
    await viewerPage.getByRole('button', { name: 'Entrega de dezembro' }).click();
    await viewerPage.getByRole('heading', { name: 'Entrega de dezembro' }).waitFor();
    await expect.poll(() => statusBadge(viewerPage).textContent()).toBe('Completed');
    await expect.poll(() => viewerPage.getByTestId('recipient-row').count()).toBe(4);
    expect(await viewerPage.getByRole('group', { name: 'Campaign controls' }).count()).toBe(0);
    for (const name of ['Pause', 'Resume', 'Retry failed', 'Cancel…']) {
      expect(await viewerPage.getByRole('button', { name }).count()).toBe(0);
    }
    // A viewer sent to the create screen sees the list instead.
    await viewerPage.goto(`${base}/app/campaigns/?new=1`);
    await expect.poll(() => viewerPage.getByTestId('campaign-row').count()).toBe(3);
    expect(await viewerPage.getByLabel(/^Campaign name/).count()).toBe(0);
    await context.close();
    expect(world.pageErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});

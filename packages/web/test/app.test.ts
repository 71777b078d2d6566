import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  envelope,
  waImageEntry,
  waLocationEntry,
  waReplyEntry,
  waTextEntry,
} from '../../server/test/factories/meta';
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

// The web app end to end: a real sandbox (dynalite, durable queue, Meta stand-in) serving the
// static export, driven by Debian's Chromium. One workspace walks through the agent's day; each
// main screen is saved to packages/web/test-results/ for a human to look at.

let world: WebWorld;
let tenant: OwnerTenant;
let page: Page;
let base: string;

const customer = { from: '5511987650001', name: 'Ana Beatriz' };
const logoSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" width="168" height="40" viewBox="0 0 168 40">' +
  '<circle cx="20" cy="20" r="16" fill="#0f766e"/><circle cx="20" cy="20" r="7" fill="#fef3c7"/>' +
  '<text x="44" y="27" font-family="sans-serif" font-size="19" font-weight="700" fill="#0f766e">Padaria Sol</text></svg>';

async function webhook(entry: ReturnType<typeof waTextEntry>) {
  const res = await postWebhook(
    world.t.api,
    world.t.sb.meta.appSecret,
    envelope('whatsapp_business_account', [entry]),
  );
  expect(res.status).toBe(200);
}

function wa(extra: Record<string, unknown> = {}) {
  return {
    wabaId: tenant.wabaId,
    phoneNumberId: tenant.phoneNumberId,
    from: customer.from,
    name: customer.name,
    timestamp: Math.floor(Date.now() / 1000),
    ...extra,
  };
}

async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await world.t.api.request(method, path, { token: tenant.token, body });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.json as T;
}

beforeAll(async () => {
  world = await startWebWorld();
  base = world.t.sb.url;
  tenant = await ownerTenant(world, 'Padaria Sol');
  ({ page } = await newPage(world));
});

afterAll(async () => {
  await world?.stop();
});

describe('web app', () => {
  it('serves the app with strict security headers and signs in', async () => {
    const res = await page.goto(`${base}/login/`);
    const headers = res!.headers();
    const csp = headers['content-security-policy']!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+/);
    expect(csp).not.toContain("'unsafe-inline' 'sha256"); // no unsafe-inline for scripts
    expect(csp).toContain("frame-ancestors 'none'");
    expect(headers['strict-transport-security']).toContain('max-age=');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    await screenshot(page, '01-sign-in');

    await signIn(page, base, tenant.email, tenant.password);
    await expect(page.getByRole('heading', { name: 'Inbox' }).isVisible()).resolves.toBe(true);

    // The refresh token is an httpOnly cookie scoped to /auth; nothing sits in web storage.
    const cookies = await page.context().cookies(`${base}/auth/refresh`);
    const refresh = cookies.find((c) => c.name === 'sb_refresh');
    expect(refresh).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/auth' });
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toMatch(/eyJ|sk_|refresh/i);
  });

  it('shows a WhatsApp message as it arrives, without a reload', async () => {
    await page.getByText('No conversations yet').waitFor();
    await webhook(waTextEntry(wa({ text: 'Olá! Vocês entregam bolo de cenoura em Pinheiros?' })));
    const row = page.getByTestId('conversation-row').filter({ hasText: customer.name });
    await row.waitFor({ timeout: 15_000 });
    await expect(row.textContent()).resolves.toContain('bolo de cenoura');
    await screenshot(page, '02-inbox-live');
    await row.click();
    await page.getByRole('log').getByText('bolo de cenoura').waitFor();
  });

  it('replies, and the ticks advance as Meta reports sent, delivered and read', async () => {
    await page.getByRole('textbox', { name: 'Message' }).fill('Entregamos sim! Hoje até às 18h.');
    await page.keyboard.press('Enter');
    const bubble = page.getByTestId('message').filter({ hasText: 'Entregamos sim!' });
    await bubble.waitFor();
    // The built-in Meta stand-in posts signed status webhooks back: sent, delivered, read.
    await bubble.locator('[data-status="read"]').waitFor({ timeout: 20_000 });
    await expect(bubble.getByRole('img', { name: 'Read' }).count()).resolves.toBe(1);

    // Every other message type renders as a bubble or card.
    const [first] = (await api('GET', '/conversations')).items;
    const msgs = (await api('GET', `/conversations/${first.id}/messages`)).items;
    const original = msgs.find((m: any) => m.direction === 'inbound');
    await webhook(
      waImageEntry(
        wa({ caption: 'Este aqui, com cobertura', timestamp: Math.floor(Date.now() / 1000) + 1 }),
      ),
    );
    await webhook(waLocationEntry(wa({ timestamp: Math.floor(Date.now() / 1000) + 2 })));
    await webhook(
      waReplyEntry(
        wa({
          replyToWamid: original.channelMessageId,
          text: 'Perfeito, vou querer dois.',
          timestamp: Math.floor(Date.now() / 1000) + 3,
        }),
      ),
    );
    await page
      .getByRole('log')
      .getByText('Perfeito, vou querer dois.')
      .waitFor({ timeout: 15_000 });
    await page.getByRole('log').getByText('MASP').waitFor();
    await page.getByRole('log').getByText('Este aqui, com cobertura').waitFor();
    await screenshot(page, '03-thread-ticks');
  });

  it('keeps the session across a reload through the refresh cookie', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    expect(page.url()).toContain('/app/inbox/');
  });

  it('builds and publishes a form with a live preview', async () => {
    await page.getByRole('link', { name: 'Forms' }).first().click();
    await page.getByRole('button', { name: 'New form' }).click();
    await page.getByLabel('Form name').fill('Encomendas de bolo');
    await page.getByLabel('Type of the new field').selectOption('select');
    await page.getByRole('button', { name: 'Add field' }).click();
    const editor = page
      .locator('li')
      .filter({ has: page.getByRole('button', { name: /Dropdown/ }) })
      .last();
    await editor.getByLabel('Label').fill('Sabor');
    await editor.getByLabel('Options').fill('Cenoura\nChocolate\nLimão');
    // The preview follows the builder as it is edited.
    await page.getByTestId('form-preview').getByLabel(/Sabor/).waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByTestId('hosted-link').waitFor({ timeout: 15_000 });
    await screenshot(page, '04-form-builder');
  });

  it('applies the tenant branding to the app shell and the hosted form', async () => {
    const hosted = (await page.getByTestId('hosted-link').textContent())!.trim();
    await page.getByRole('link', { name: 'Settings' }).first().click();
    await page.getByLabel('Display name').fill('Padaria Sol');
    await page.getByLabel('Primary colour', { exact: true }).fill('#0f766e');
    await page.getByLabel('Form background', { exact: true }).fill('#fef3c7');
    await page.getByLabel('Default country').selectOption('BR');
    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByText('Saved.').waitFor();
    // The default country reads local phone numbers (forms, imports, new contacts).
    expect(await api('GET', '/branding')).toMatchObject({ defaultCountry: 'BR' });
    await page.getByLabel('Upload a logo').setInputFiles({
      name: 'logo.svg',
      mimeType: 'image/svg+xml',
      buffer: Buffer.from(logoSvg),
    });
    // The logo comes back as a signed same-origin asset URL and replaces the wordmark in the shell.
    await page.locator('aside img[alt="Padaria Sol logo"]').waitFor();
    const shellBrand = await page.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue('--sb-brand').trim(),
    );
    expect(shellBrand).toBe('#0f766e');
    await screenshot(page, '05-settings-branding');

    const { context: visitor, page: form } = await newPage(world, {
      width: 390,
      height: 844,
      mobile: true,
    });
    const res = await form.goto(hosted);
    expect(res!.headers()['content-security-policy']).toContain('frame-ancestors *');
    await form.getByRole('heading', { name: 'Encomendas de bolo' }).waitFor();
    await expect.poll(() => form.title()).toContain('Padaria Sol');
    const logo = form.getByRole('img', { name: 'Padaria Sol logo' });
    await expect
      .poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    const button = form.getByRole('button', { name: 'Send' });
    await expect(button.evaluate((b) => getComputedStyle(b).backgroundColor)).resolves.toBe(
      'rgb(15, 118, 110)',
    );
    await screenshot(form, '06-hosted-form-phone');

    // Errors are announced (role=alert), tied to their fields, and focus moves to the summary.
    await button.click();
    await form
      .getByRole('alert')
      .getByText(/Please fix/)
      .waitFor();
    const email = form.getByLabel(/E-mail/);
    await expect(email.getAttribute('aria-invalid')).resolves.toBe('true');
    const describedBy = (await email.getAttribute('aria-describedby'))!;
    await expect(
      form.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent(),
    ).resolves.toMatch(/required/);
    await screenshot(form, '07-hosted-form-errors');

    await form.getByLabel(/Your name/).fill('Carla Mendes');
    await email.fill('carla@example.com');
    await form.getByLabel(/Sabor/).selectOption({ label: 'Chocolate' });
    await button.click();
    await form.getByText(/Thank you/).waitFor({ timeout: 15_000 });
    await screenshot(form, '08-hosted-form-sent');
    await visitor.close();
  });

  it('finds the submitted lead on the board and moves it across stages', async () => {
    await page.getByRole('link', { name: 'Leads' }).first().click();
    const card = page.getByTestId('lead-card').filter({ hasText: 'Carla Mendes' });
    await card.waitFor({ timeout: 20_000 });
    const leadId = (await card.getAttribute('data-lead-id'))!;
    expect(
      await card.evaluate((el) => el.closest('[data-stage]')?.getAttribute('data-stage')),
    ).toBe('new');

    // Native HTML5 drag and drop onto the next column.
    await card.dragTo(page.locator('[data-stage="contacted"]'));
    await page
      .locator('[data-stage="contacted"]')
      .getByTestId('lead-card')
      .filter({ hasText: 'Carla Mendes' })
      .waitFor();
    await expect
      .poll(async () => (await api('GET', `/leads/${leadId}`)).stage, { timeout: 10_000 })
      .toBe('contacted');

    // The keyboard path: the card's "move to stage" control.
    await page.getByLabel('Move Carla Mendes to stage').selectOption('qualified');
    await page
      .locator('[data-stage="qualified"]')
      .getByTestId('lead-card')
      .filter({ hasText: 'Carla Mendes' })
      .waitFor();
    await expect
      .poll(async () => (await api('GET', `/leads/${leadId}`)).stage, { timeout: 10_000 })
      .toBe('qualified');
    await page.getByRole('status').filter({ hasText: 'Moved Carla Mendes to Qualified' }).waitFor();
    await screenshot(page, '09-leads-board');

    // The lead's detail: submissions, notes, CRM status.
    await page
      .getByTestId('lead-card')
      .filter({ hasText: 'Carla Mendes' })
      .getByRole('button', { name: /Carla Mendes/ })
      .click();
    const drawer = page.getByRole('dialog', { name: 'Carla Mendes' });
    await drawer.getByText('Chocolate').waitFor();
    await drawer.getByLabel('Add a note').fill('Quer retirar na loja no sábado.');
    await drawer.getByRole('button', { name: 'Add note' }).click();
    await drawer
      .getByRole('listitem')
      .filter({ hasText: 'Quer retirar na loja no sábado.' })
      .waitFor();
    await screenshot(page, '10-lead-detail');
    await page.keyboard.press('Escape');
  });

  it('shows the table view, contacts and the other settings screens', async () => {
    await page.getByRole('button', { name: 'Table' }).click();
    await page.getByRole('table').getByText('Carla Mendes').waitFor();
    await screenshot(page, '11-leads-table');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/^leads-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(readFileSync((await csv.path())!, 'utf8')).toContain('carla@example.com');

    await page.getByRole('link', { name: 'Contacts' }).first().click();
    await page.getByLabel('Search contacts').fill('Ana');
    await page.getByRole('button', { name: new RegExp(customer.name) }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await page.getByText('Entregamos sim!').first().waitFor();
    await screenshot(page, '12-contact');
    // A form-only contact: the submission is on the timeline with its answers.
    await page.getByLabel('Search contacts').fill('Carla');
    await page.getByRole('button', { name: /Carla Mendes/ }).click();
    await page.getByText('Sent Encomendas de bolo').waitFor();

    await page.getByRole('link', { name: 'Settings' }).first().click();
    for (const [tab, ready, shot] of [
      ['Channels', 'Padaria Sol WhatsApp', '13-settings-channels'],
      ['Team', tenant.email, '14-settings-team'],
      ['Audit trail', 'form.published', '17-settings-audit'],
    ] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await page.getByText(ready).first().waitFor();
      await screenshot(page, shot);
    }
    // A CRM webhook pointed at a local receiver (the sandbox allows loopback), with a test delivery.
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      req.on('data', (chunk) => received.push(String(chunk)));
      req.on('end', () => res.writeHead(200).end('ok'));
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    await page.getByRole('tab', { name: 'CRM sync' }).click();
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByLabel('Endpoint URL').fill(`http://127.0.0.1:${port}/hooks/leads`);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    // The webhook's signing secret (`secret` in the create answer) is shown this once.
    await expect(page.getByTestId('one-time-secret').textContent()).resolves.toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.getByText(/Test delivery accepted/).waitFor({ timeout: 15_000 });
    expect(received.join('')).toContain('{');
    await screenshot(page, '15-settings-crm');
    receiver.close();

    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'New API key' }).click();
    await page.getByLabel('Name').fill('Website contact form');
    await page.getByLabel('Allowed IP ranges', { exact: true }).fill('203.0.113.0/24');
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect(page.getByTestId('one-time-secret').textContent()).resolves.toMatch(/^sk_/);
    await screenshot(page, '16-settings-api-key');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByText('203.0.113.0/24').waitFor();
    // Widen it: a malformed range is named in plain words, then a good one is saved.
    await page.getByRole('button', { name: 'Allowed IP ranges of Website contact form' }).click();
    await page.getByLabel('Allowed IP ranges', { exact: true }).fill('10.0.0.0/33');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('textarea[aria-invalid="true"]').waitFor();
    await page
      .getByLabel('Allowed IP ranges', { exact: true })
      .fill('203.0.113.0/24\n2001:db8::/32');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('203.0.113.0/24, 2001:db8::/32').waitFor();
  });

  it('collapses the inbox to list then thread on a phone', async () => {
    const { context, page: phone } = await newPage(world, {
      width: 390,
      height: 844,
      mobile: true,
    });
    await signIn(phone, base, tenant.email, tenant.password);
    await phone.getByTestId('conversation-row').first().waitFor();
    await expect(
      phone.getByRole('region', { name: 'Conversation', exact: true }).isVisible(),
    ).resolves.toBe(false);
    await screenshot(phone, '18-phone-inbox');
    await phone.getByTestId('conversation-row').first().click();
    await phone.getByRole('button', { name: 'Back to conversations' }).waitFor();
    await expect(
      phone.getByRole('region', { name: 'Conversation list', exact: true }).isVisible(),
    ).resolves.toBe(false);
    await screenshot(phone, '19-phone-thread');
    await context.close();
  });

  it('ran without script errors or CSP violations', () => {
    const relevant = world.pageErrors.filter((e) => !/status of (401|404)/.test(e));
    expect(relevant).toEqual([]);
  });
});

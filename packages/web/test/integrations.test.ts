import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, waTextEntry } from '../../server/test/factories/meta';
import {
  startEventReceiver,
  type EventReceiver,
} from '../../server/test/integrations/event-receiver';
import { blockingViolations, describeViolations } from './helpers/axe';
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

// Integrations in Debian's Chromium against a real sandbox: writing first from a lead's drawer and
// from the inbox with an approved template (the Meta stand-in checks it), a lead made from a
// conversation, and an event webhook added in settings whose secret, shown once, verifies the
// deliveries a real receiver on 127.0.0.1 gets.

let world: WebWorld;
let tenant: OwnerTenant;
let page: Page;
let base: string;
let receiver: EventReceiver;

async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await world.t.api.request(method, path, { token: tenant.token, body });
  expect(res.status, res.text).toBeLessThan(300);
  return res.json as T;
}

async function customerWrites(from: string, name: string, text: string) {
  const res = await postWebhook(
    world.t.api,
    world.t.sb.meta.appSecret,
    envelope('whatsapp_business_account', [
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from,
        name,
        text,
        timestamp: Math.floor(Date.now() / 1000),
      }),
    ]),
  );
  expect(res.status).toBe(200);
}

async function until<T>(probe: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sentTo = (to: string) => world.t.sb.metaStandIn!.sent.filter((s) => s.body.to === to);

beforeAll(async () => {
  world = await startWebWorld();
  tenant = await ownerTenant(world, 'Acme Integrations');
  receiver = await startEventReceiver();
  await api('PUT', '/branding', { colors: {}, defaultCountry: 'US' });
  base = world.t.sb.url;
  ({ page } = await newPage(world));
  await signIn(page, base, tenant.email, tenant.password);
});

afterAll(async () => {
  await Promise.all([world?.stop(), receiver?.close()]);
});

describe('starting a conversation', () => {
  it('writes first to a lead from its drawer with an approved template', async () => {
    await api('POST', '/leads', { fields: { name: 'Jane Doe', phone: '(650) 555-3001' } });
    const lead = await until(async () => {
      const page = await api('GET', '/leads?customerId=wa-16505553001');
      return page.items[0];
    }, 'the lead');

    await page.goto(`${base}/app/leads/?lead=${lead.id}`);
    await page.getByRole('heading', { name: 'Jane Doe' }).waitFor();
    await page.getByRole('button', { name: 'Message on WhatsApp' }).click();
    const start = page.getByRole('dialog', { name: 'New WhatsApp conversation' });
    await start.getByText('Jane Doe · +16505553001').waitFor();
    const violations = await blockingViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await start.getByRole('button', { name: 'Choose template' }).click();

    const picker = page.getByRole('dialog', { name: 'Send a template' });
    await picker.getByRole('button', { name: /appointment_reminder/ }).click();
    await picker.getByLabel('first name').fill('Jane');
    await picker.getByLabel('date').fill('Monday 9:00');
    await screenshot(page, 'integrations-start-from-lead');
    await picker.getByRole('button', { name: 'Send template' }).click();

    // The conversation opens in the inbox with the template in it.
    await page.waitForURL(/\/app\/inbox\/\?c=cv_/);
    await page
      .getByTestId('message')
      .filter({ hasText: 'Hi Jane, this is a reminder of your visit on Monday 9:00.' })
      .waitFor();
    const [sent] = sentTo('16505553001');
    expect(sent?.body).toMatchObject({
      type: 'template',
      template: { name: 'appointment_reminder', language: { code: 'en_US' } },
    });
  });

  it('writes first to a typed number from the inbox, refusing one that cannot exist', async () => {
    await page.goto(`${base}/app/inbox/`);
    await page.getByRole('button', { name: 'New conversation' }).click();
    const start = page.getByRole('dialog', { name: 'New WhatsApp conversation' });
    const phone = start.getByLabel('Phone number');
    await phone.fill('(123) 456-7890');
    await start.getByRole('button', { name: 'Choose template' }).click();
    await start.getByText('This is not a phone number that exists.', { exact: false }).waitFor();
    await expect(phone.getAttribute('aria-invalid')).resolves.toBe('true');

    await phone.fill('(650) 555-3002');
    await start.getByRole('button', { name: 'Choose template' }).click();
    const picker = page.getByRole('dialog', { name: 'Send a template' });
    await picker.getByRole('button', { name: /hello_world/ }).click();
    await picker.getByRole('button', { name: 'Send template' }).click();
    await page.waitForURL(/\/app\/inbox\/\?c=cv_/);
    await page.getByRole('heading', { name: /650/ }).waitFor();
    await until(async () => sentTo('16505553002').length === 1, 'the template to 16505553002');
  });
});

describe('a lead from a conversation', () => {
  it('makes the contact a lead from the thread header, once', async () => {
    await customerWrites('14155550155', 'Kim Lee', 'Do you ship to Oregon?');
    await page.goto(`${base}/app/inbox/`);
    const row = page.getByTestId('conversation-row').filter({ hasText: 'Kim Lee' });
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await page.getByRole('heading', { name: 'Kim Lee' }).waitFor();
    await page.getByRole('button', { name: 'Create lead' }).click();
    const link = page.getByRole('link', { name: 'Lead created · open' });
    await link.waitFor();
    await screenshot(page, 'integrations-lead-from-conversation');

    const leads = await api('GET', '/leads?customerId=wa-14155550155');
    expect(leads.items).toHaveLength(1);
    expect(leads.items[0]).toMatchObject({
      name: 'Kim Lee',
      phone: '+14155550155',
      source: 'conversation',
    });
    await link.click();
    await page.waitForURL(/\/app\/leads\/\?lead=ld_/);
    await page.getByRole('dialog').getByRole('heading', { name: 'Kim Lee' }).waitFor();
  });
});

describe('event webhooks', () => {
  it('adds an endpoint in settings: secret shown once, a signed test, then real deliveries', async () => {
    await page.goto(`${base}/app/settings/`);
    await page.getByRole('tab', { name: 'Event webhooks' }).click();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an event webhook' });
    await dialog.getByLabel('Endpoint URL').fill(receiver.url);
    await dialog.getByRole('checkbox', { name: /Contact updated/ }).uncheck();
    await dialog.getByRole('button', { name: 'Add endpoint' }).click();
    const added = page.getByRole('dialog', { name: 'Endpoint added' });
    const secret = (await added.getByTestId('one-time-secret').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    receiver.setSecret(secret);
    const violations = await blockingViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await added.getByRole('button', { name: 'Done' }).click();

    const list = page.getByRole('list', { name: 'Event webhooks' });
    const item = list.getByRole('listitem').filter({ hasText: receiver.url });
    await item.waitFor();
    await item.getByRole('button', { name: 'Send test' }).click();
    await item.getByText('Test event accepted (HTTP 200).').waitFor();
    expect(receiver.ofType('switchboard.test')).toHaveLength(1);

    const destinations = await api('GET', '/event-destinations');
    expect(destinations.items[0].events).not.toContain('contact.updated');
    await customerWrites('14155550166', 'Lee Park', 'Hello there');
    const delivered = await until(
      async () => receiver.ofType('message.received')[0],
      'message.received',
    );
    expect(delivered.body.data.message.text).toBe('Hello there');
    await page.reload();
    await page
      .getByRole('list', { name: 'Event webhooks' })
      .getByText(/Last delivery .*message\.received · HTTP 200/)
      .waitFor();
    await screenshot(page, 'integrations-event-webhooks');
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, waTextEntry } from '../../server/test/factories/meta';
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

// Contacts in Debian's Chromium against a real sandbox: create a contact (phone typed the local
// way), edit it, merge a WhatsApp sender into it (one timeline, new messages included), and the
// contact panel beside the thread, edited in place.

let world: WebWorld;
let tenant: OwnerTenant;
let page: Page;
let base: string;

const sender = { from: '5511987653377', name: 'Bia Zap' };

async function customerWrites(text: string) {
  const res = await postWebhook(
    world.t.api,
    world.t.sb.meta.appSecret,
    envelope('whatsapp_business_account', [
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from: sender.from,
        name: sender.name,
        text,
        timestamp: Math.floor(Date.now() / 1000),
      }),
    ]),
  );
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  world = await startWebWorld();
  tenant = await ownerTenant(world, 'Contacts Co');
  const branding = await world.t.api.request('PUT', '/branding', {
    token: tenant.token,
    body: { defaultCountry: 'US' },
  });
  expect(branding.status).toBe(200);
  await customerWrites('Oi, é a Bia pelo WhatsApp');
  base = world.t.sb.url;
  ({ page } = await newPage(world, { width: 1440, height: 900 }));
  await signIn(page, base, tenant.email, tenant.password);
});

afterAll(async () => {
  await world?.stop();
});

describe('contacts', () => {
  it('creates a contact with a local phone number, then edits it', async () => {
    await page.goto(`${base}/app/contacts/`);
    await page.getByRole('button', { name: 'New contact' }).click();
    const form = page.getByRole('form', { name: 'New contact' });
    await form.getByLabel('Name').fill('Beatriz Campos');
    await form.getByLabel('Phone').fill('(650) 253-0077');
    await form.getByLabel('E-mail').fill('bia@example.com');
    await form.getByLabel('Tags').fill('vip, wholesale');
    await form.getByRole('button', { name: 'Add attribute' }).click();
    await form.getByLabel('Attribute 1 name').fill('plan');
    await form.getByLabel('Attribute 1 value').fill('pro');
    await form.getByRole('button', { name: 'Create contact' }).click();

    const detail = page.getByRole('region', { name: 'Contact' });
    await detail.getByRole('heading', { name: 'Beatriz Campos' }).waitFor();
    await detail.getByText('+16502530077').first().waitFor();
    await detail.getByText('bia@example.com').first().waitFor();
    await detail.getByText('wholesale').waitFor();
    await detail.getByText('pro', { exact: true }).waitFor();

    await detail.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit contact' });
    await edit.getByLabel('Company').fill('Campos Atacado');
    await edit.getByRole('button', { name: 'Save contact' }).click();
    await detail.getByText('Campos Atacado').waitFor();
    // An impossible phone is a field error, and nothing changes.
    await detail.getByRole('button', { name: 'Edit' }).click();
    await edit.getByLabel('Phone').fill('12');
    await edit.getByRole('button', { name: 'Save contact' }).click();
    await edit.getByText(/phone number/i).waitFor();
    await edit.getByRole('button', { name: 'Cancel' }).click();
    const stored = await world.t.api.request('GET', '/customers/wa-16502530077', {
      token: tenant.token,
    });
    expect(stored.json).toMatchObject({ company: 'Campos Atacado', phone: '+16502530077' });
  });

  it('merges the WhatsApp sender into the contact: one timeline, also for later messages', async () => {
    const detail = page.getByRole('region', { name: 'Contact' });
    await detail.getByRole('button', { name: 'Merge…' }).click();
    const dialog = page.getByRole('dialog', { name: /Merge a contact into Beatriz Campos/ });
    await dialog.getByLabel('Find the contact to merge').fill('bia zap');
    await dialog
      .getByRole('list', { name: 'Matching contacts' })
      .getByRole('button', { name: /Bia Zap/ })
      .click();
    await dialog.getByText('This cannot be undone.', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Merge contacts' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await detail.getByText('Oi, é a Bia pelo WhatsApp').waitFor();

    await customerWrites('Chegou meu pedido?');
    await page.reload();
    await detail.getByText('Chegou meu pedido?').waitFor({ timeout: 10_000 });
    await detail.getByText('Oi, é a Bia pelo WhatsApp').waitFor();
    await screenshot(page, 'contacts-merged');
    const merged = await world.t.api.request('GET', `/customers/wa-${sender.from}`, {
      token: tenant.token,
    });
    expect(merged.json.mergedInto).toBe('wa-16502530077');
  });

  it('shows the contact beside the thread and edits it in place', async () => {
    const list = await world.t.api.request('GET', '/conversations?limit=100', {
      token: tenant.token,
    });
    // The merge moved the sender's conversation to the contact it was merged into.
    const conversation = list.json.items.find((c: any) => c.customer.id === 'wa-16502530077');
    expect(conversation).toBeDefined();
    await page.goto(`${base}/app/inbox/?c=${encodeURIComponent(conversation.id)}`);
    const panel = page.getByRole('complementary', { name: 'Contact details' });
    await panel.getByRole('heading', { name: 'Beatriz Campos' }).waitFor();
    await panel.getByText('wholesale').waitFor();
    await panel.getByText('Campos Atacado').waitFor();
    await panel.getByRole('button', { name: 'Edit contact Beatriz Campos' }).click();
    await panel.getByLabel('Name', { exact: true }).fill('Beatriz Campos Lima');
    await panel.getByRole('button', { name: 'Save contact' }).click();
    await panel.getByRole('heading', { name: 'Beatriz Campos Lima' }).waitFor();
    await screenshot(page, 'inbox-contact-panel');
    // Hidden with one button, shown again with another.
    await panel.getByRole('button', { name: 'Hide contact' }).click();
    await page.getByRole('button', { name: 'Show contact' }).click();
    await panel.getByRole('heading', { name: 'Beatriz Campos Lima' }).waitFor();
    expect(world.pageErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});

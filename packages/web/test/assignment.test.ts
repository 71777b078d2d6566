import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, waTextEntry } from '../../server/test/factories/meta';
import {
  metaId,
  newPage,
  ownerTenant,
  postWebhook,
  screenshot,
  signIn,
  startWebWorld,
  type OwnerTenant,
  type WebWorld,
} from './helpers/web-harness';
import { blockingViolations, describeViolations } from './helpers/axe';

// Snooze, bulk actions, availability and auto-assignment in Debian's Chromium against a real
// sandbox: a conversation snoozed until the customer replies leaves Open and comes back when they
// write; two picked conversations close in one go; the availability switch sticks; and a channel
// with auto-assignment on hands a new conversation to the only available member.

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld();
});
afterAll(async () => {
  await world?.stop();
});

async function customerWrites(tenant: OwnerTenant, from: string, name: string, text: string) {
  const res = await postWebhook(
    world.t.api,
    'test-app-secret',
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
  if (res.status !== 200) throw new Error(`webhook ${res.status}`);
}

/** No serious or critical axe violation on the page as it is now. */
async function expectAccessible(page: Page) {
  expect(describeViolations(await blockingViolations(page))).toBe('');
}

const rowOf = (page: Page, name: string) =>
  page.getByTestId('conversation-row').filter({ hasText: name });

describe('snooze, bulk actions and availability', () => {
  const people = [
    { from: `5511${metaId().slice(-9)}`, name: 'Ana Lima' },
    { from: `5511${metaId().slice(-9)}`, name: 'Bruno Souza' },
    { from: `5511${metaId().slice(-9)}`, name: 'Carla Dias' },
  ];
  let tenant: OwnerTenant;
  let page: Page;

  beforeAll(async () => {
    tenant = await ownerTenant(world, 'Floricultura Ipê');
    for (const p of people) await customerWrites(tenant, p.from, p.name, `Oi, sou ${p.name}`);
    ({ page } = await newPage(world));
    await signIn(page, world.t.sb.url, tenant.email, tenant.password);
    for (const p of people) await rowOf(page, p.name).waitFor({ timeout: 15_000 });
  });

  it('snoozes until they reply: it leaves Open, and their next message brings it back', async () => {
    await rowOf(page, 'Ana Lima').click();
    await page.getByRole('button', { name: 'Snooze', exact: true }).click();
    await page.getByRole('group', { name: 'Snooze until' }).waitFor();
    await screenshot(page, 'assignment-snooze-menu');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Until they reply' }).click();
    await page.getByRole('button', { name: 'Unsnooze', exact: true }).waitFor();
    await rowOf(page, 'Ana Lima').waitFor({ state: 'detached', timeout: 15_000 });

    const views = page.getByRole('group', { name: 'Conversation status' });
    await views.getByRole('button', { name: 'Snoozed' }).click();
    await rowOf(page, 'Ana Lima').waitFor({ timeout: 15_000 });
    await views.getByRole('button', { name: 'Open' }).click();
    await rowOf(page, 'Bruno Souza').waitFor();
    expect(await rowOf(page, 'Ana Lima').count()).toBe(0);

    await customerWrites(tenant, people[0]!.from, 'Ana Lima', 'Chegou a encomenda?');
    await rowOf(page, 'Ana Lima').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Snooze', exact: true }).waitFor({ timeout: 15_000 });
  });

  it('closes two picked conversations at once and says so', async () => {
    await page.getByRole('checkbox', { name: 'Select Bruno Souza' }).check();
    await page.getByRole('checkbox', { name: 'Select Carla Dias' }).check();
    const bar = page.getByRole('toolbar', { name: 'Bulk actions' });
    await bar.getByText('2 selected').waitFor();
    await screenshot(page, 'assignment-bulk-bar');
    await expectAccessible(page);
    await bar.getByRole('button', { name: 'Close', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '2 conversations closed' }).waitFor();
    await rowOf(page, 'Bruno Souza').waitFor({ state: 'detached', timeout: 15_000 });
    await rowOf(page, 'Carla Dias').waitFor({ state: 'detached', timeout: 15_000 });
    await rowOf(page, 'Ana Lima').waitFor();

    const closed = await world.t.api.request('GET', '/conversations?status=closed', {
      token: tenant.token,
    });
    const names = closed.json.items.map((c: { customer: { name?: string } }) => c.customer.name);
    expect(names.sort()).toEqual(['Bruno Souza', 'Carla Dias']);

    // "Select all" picks every row shown.
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await page.getByRole('toolbar', { name: 'Bulk actions' }).getByText('1 selected').waitFor();
    await page.getByRole('button', { name: 'Clear', exact: true }).click();
  });

  it('switches my availability, and the team list shows it', async () => {
    const toggle = page.getByRole('switch', { name: 'Available for new conversations' });
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await toggle.click();
    await page
      .getByRole('switch', { name: 'Available for new conversations', checked: false })
      .waitFor();
    const mine = await world.t.api.request('GET', '/users/me/availability', {
      token: tenant.token,
    });
    expect(mine.json.available).toBe(false);
    await page.goto(`${world.t.sb.url}/app/settings/?tab=team`);
    await page
      .getByRole('listitem')
      .filter({ hasText: tenant.email })
      .getByText('Away', { exact: true })
      .waitFor();
    await screenshot(page, 'assignment-team-availability');
    await page.getByRole('switch', { name: 'Available for new conversations' }).click();
    await page
      .getByRole('switch', { name: 'Available for new conversations', checked: true })
      .waitFor();
    expect(world.pageErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});

describe('auto-assignment', () => {
  it('turns on for a channel and hands a new conversation to the available member', async () => {
    // A workspace that has had no message yet, so the processor has nothing cached about it.
    const tenant = await ownerTenant(world, 'Pet Shop Rex');
    const { page } = await newPage(world);
    await signIn(page, world.t.sb.url, tenant.email, tenant.password);
    await page.goto(`${world.t.sb.url}/app/settings/?tab=channels`);
    await page.getByRole('button', { name: 'Auto-assignment for Pet Shop Rex WhatsApp' }).click();
    const dialog = page.getByRole('dialog', { name: /Auto-assignment/ });
    await dialog.getByLabel('Assign new conversations automatically').check();
    await screenshot(page, 'assignment-auto-assign-dialog');
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(/Round robin among all members/).waitFor();

    await customerWrites(tenant, `5521${metaId().slice(-9)}`, 'Diego Rocha', 'Tem ração?');
    await page.goto(`${world.t.sb.url}/app/inbox/?mine=1`);
    await rowOf(page, 'Diego Rocha').waitFor({ timeout: 15_000 });
    await rowOf(page, 'Diego Rocha').click();
    const me = (await world.t.api.request('GET', '/auth/me', { token: tenant.token })).json.user.id;
    expect(await page.getByLabel('Assignee').inputValue()).toBe(me);
  });
});

import type { Locator, Page } from 'playwright-core';
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
  type WebWorld,
} from './helpers/web-harness';

// The thread header on a 1280×800 laptop with the contact panel open, where the thread is the
// narrow column between the list and the panel: every control stays inside the header, none
// covers another, the long name truncates with its full text in a title, and each action is
// still there by role and name and reachable with Tab.

let world: WebWorld;

beforeAll(async () => {
  world = await startWebWorld();
});
afterAll(async () => {
  await world?.stop();
});

type Box = { name: string; x: number; y: number; width: number; height: number };

/** The header's visible interactive controls, with their boxes and names. */
async function controlBoxes(header: Locator): Promise<Box[]> {
  const controls = header.locator('button, select, a[href], input');
  const boxes: Box[] = [];
  for (const control of await controls.all()) {
    if (!(await control.isVisible())) continue;
    const box = await control.boundingBox();
    if (!box || box.width === 0 || box.height === 0) continue;
    const name = await control.evaluate(
      (el) => el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName,
    );
    boxes.push({ name, ...box });
  }
  return boxes;
}

/** Each control within the header's box and clear of every other control. */
async function expectTidy(header: Locator) {
  const outer = await header.boundingBox();
  if (!outer) throw new Error('no header box');
  const boxes = await controlBoxes(header);
  expect(boxes.length).toBeGreaterThan(4);
  const outside = boxes.filter(
    (b) =>
      b.x < outer.x - 0.5 ||
      b.y < outer.y - 0.5 ||
      b.x + b.width > outer.x + outer.width + 0.5 ||
      b.y + b.height > outer.y + outer.height + 0.5,
  );
  expect(outside.map((b) => b.name)).toEqual([]);
  const overlapping: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (w > 0.5 && h > 0.5) overlapping.push(`${a.name} × ${b.name}`);
    }
  }
  expect(overlapping).toEqual([]);
  // Nothing scrolls sideways inside the header either.
  expect(await header.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
}

/** The names of the header's controls in Tab order, starting before its first one. */
async function tabOrder(page: Page, header: Locator, steps: number): Promise<string[]> {
  await header.evaluate((el) => {
    // Start from the element just before the header, so the first Tab lands inside it.
    const anchor = document.createElement('button');
    anchor.id = 'tab-anchor';
    anchor.textContent = 'anchor';
    el.before(anchor);
    anchor.focus();
  });
  const names: string[] = [];
  for (let i = 0; i < steps; i++) {
    await page.keyboard.press('Tab');
    const name = await header.evaluate((el) => {
      const active = document.activeElement;
      if (!active || !el.contains(active)) return null;
      return active.getAttribute('aria-label') ?? active.textContent?.trim() ?? active.tagName;
    });
    if (name) names.push(name);
  }
  await page.evaluate(() => document.getElementById('tab-anchor')?.remove());
  return names;
}

describe('thread header at 1280×800 with the contact panel open', () => {
  const customer = {
    from: `5511${metaId().slice(-9)}`,
    name: 'Maria Aparecida dos Santos Figueiredo de Albuquerque',
  };
  let page: Page;
  let header: Locator;

  beforeAll(async () => {
    const tenant = await ownerTenant(world, 'Padaria Estrela do Norte');
    const res = await postWebhook(
      world.t.api,
      'test-app-secret',
      envelope('whatsapp_business_account', [
        waTextEntry({
          wabaId: tenant.wabaId,
          phoneNumberId: tenant.phoneNumberId,
          from: customer.from,
          name: customer.name,
          text: 'Bom dia! Vocês entregam no sábado?',
          timestamp: Math.floor(Date.now() / 1000),
        }),
      ]),
    );
    if (res.status !== 200) throw new Error(`webhook ${res.status}`);
    ({ page } = await newPage(world, { width: 1280, height: 800 }));
    await signIn(page, world.t.sb.url, tenant.email, tenant.password);
    const row = page.getByTestId('conversation-row').filter({ hasText: customer.name });
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await page.getByRole('complementary', { name: 'Contact details' }).waitFor();
    header = page.getByRole('region', { name: 'Conversation' }).locator('header');
    await header.getByRole('heading', { name: customer.name }).waitFor();
  });

  it('keeps every control inside the header and clear of the others', async () => {
    await screenshot(page, 'thread-header-1280-panel');
    await expectTidy(header);
  });

  it('truncates a long name and keeps it whole in a title', async () => {
    const name = header.getByRole('heading').locator('span[title]');
    expect(await name.getAttribute('title')).toBe(customer.name);
    expect(await name.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  });

  it('offers each action by role and name, and by Tab', async () => {
    const actions = [
      header.getByRole('combobox', { name: 'Assignee' }),
      header.getByRole('button', { name: 'Assign to me' }),
      header.getByRole('button', { name: 'Create lead' }),
      header.getByRole('button', { name: 'Snooze', exact: true }),
      header.getByRole('button', { name: 'Close conversation' }),
      header.getByRole('button', { name: 'Add label' }),
    ];
    for (const action of actions) expect(await action.isVisible()).toBe(true);
    const order = await tabOrder(page, header, 8);
    expect(order).toEqual(
      expect.arrayContaining([
        'Assignee',
        'Assign to me',
        'Create lead',
        'Snooze',
        'Close conversation',
        'Add label',
      ]),
    );
  });

  it('stays tidy once assigned to me and snoozed', async () => {
    await header.getByRole('button', { name: 'Assign to me' }).click();
    await header.getByRole('button', { name: 'Assign to me' }).waitFor({ state: 'detached' });
    await header.getByRole('button', { name: 'Snooze', exact: true }).click();
    await page.getByRole('button', { name: 'Until they reply' }).click();
    const unsnooze = header.getByRole('button', { name: 'Unsnooze', exact: true });
    await unsnooze.waitFor();
    expect(await unsnooze.getAttribute('title')).toBe('Snoozed until they reply');
    await screenshot(page, 'thread-header-1280-panel-snoozed');
    await expectTidy(header);
  });
});

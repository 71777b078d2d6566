import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
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

// Live updates in Debian's Chromium against a real sandbox: a webhook message appears in the open
// thread and the list without a reload (the inbox does not poll while live, so only the socket
// can bring it), the tab title counts what waits for me, and a dropped connection says so, polls,
// and shows what arrived meanwhile once it is back.

let world: WebWorld;
let tenant: OwnerTenant;
let page: Page;
let context: Awaited<ReturnType<typeof newPage>>['context'];

const customerA = { from: `5511${metaId().slice(-9)}`, name: 'Beatriz Live' };
const customerB = { from: `5511${metaId().slice(-9)}`, name: 'Caio Title' };

let clock = Math.floor(Date.now() / 1000);

async function webhook(customer: { from: string; name: string }, text: string) {
  const res = await postWebhook(
    world.t.api,
    'test-app-secret',
    envelope('whatsapp_business_account', [
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from: customer.from,
        name: customer.name,
        text,
        // Each message later than the one before, as Meta's would be.
        timestamp: ++clock,
      }),
    ]),
  );
  if (res.status !== 200) throw new Error(`webhook ${res.status}`);
}

beforeAll(async () => {
  world = await startWebWorld();
  tenant = await ownerTenant(world, 'Live Bakery');
  ({ page, context } = await newPage(world));
  await signIn(page, world.t.sb.url, tenant.email, tenant.password);
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

const liveState = () => page.getByTestId('live-state');

describe('live updates', () => {
  it('shows a webhook message in the open thread and the list without a reload', async () => {
    await liveState().getByText('Live', { exact: true }).waitFor({ timeout: 15_000 });
    await webhook(customerA, 'Bom dia! Tem pão de queijo?');
    const row = page.getByTestId('conversation-row').filter({ hasText: customerA.name });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await page.getByRole('log').getByText('Tem pão de queijo?').waitFor();

    const url = page.url();
    await webhook(customerA, 'E broa de milho também?');
    await page.getByRole('log').getByText('broa de milho').waitFor({ timeout: 5_000 });
    await row.filter({ hasText: 'broa de milho' }).waitFor({ timeout: 5_000 });
    expect(page.url()).toBe(url);
    await screenshot(page, 'live-thread');
  });

  it('counts unread messages for me or nobody in the tab title', async () => {
    await webhook(customerB, 'Oi, vocês abrem domingo?');
    await page
      .getByTestId('conversation-row')
      .filter({ hasText: customerB.name })
      .waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => /^\(1\) /.test(document.title), undefined, {
      timeout: 10_000,
    });
    await webhook(customerB, 'E até que horas?');
    await page.waitForFunction(() => /^\(2\) /.test(document.title), undefined, {
      timeout: 10_000,
    });
  });

  it('says when live updates are paused, and shows what arrived meanwhile once back', async () => {
    await liveState().getByText('Live', { exact: true }).waitFor();
    await context.setOffline(true);
    const banner = page.getByRole('status').filter({ hasText: 'Live updates paused' });
    await banner.waitFor({ timeout: 5_000 });
    await screenshot(page, 'live-paused');
    // Sent while this browser is offline: it cannot see them until it reconnects.
    await webhook(customerA, 'Vou passar às 10h, pode separar?');
    await webhook(customerA, 'Obrigada!');
    // And a teammate's private note in the open thread, written meanwhile.
    const conversationId = new URL(page.url()).searchParams.get('c');
    expect(conversationId).toBeTruthy();
    const note = await world.t.api.request('POST', `/conversations/${conversationId}/notes`, {
      token: tenant.token,
      body: { text: 'Separar 12 pães de queijo' },
    });
    expect(note.status, note.text).toBe(201);
    await context.setOffline(false);
    await liveState().getByText('Live', { exact: true }).waitFor({ timeout: 20_000 });
    await page.getByRole('log').getByText('pode separar?').waitFor({ timeout: 10_000 });
    await page.getByRole('log').getByText('Obrigada!').waitFor();
    await page
      .getByTestId('private-note')
      .filter({ hasText: 'Separar 12 pães de queijo' })
      .waitFor({ timeout: 10_000 });
    await banner.waitFor({ state: 'detached' });
  });

  it('asks for notifications only when pressed, and the mute is kept per user', async () => {
    // Nothing asked on load: the permission is still the browser's default.
    expect(await page.evaluate(() => Notification.permission)).toBe('default');
    await context.grantPermissions(['notifications']);
    await page.reload();
    const bell = page.getByRole('button', { name: 'Notifications on' }).first();
    await bell.waitFor();
    await bell.click();
    await page.getByRole('button', { name: 'Notifications muted' }).first().waitFor();
    const stored = await page.evaluate(() => Object.keys(localStorage));
    expect(stored.some((k) => k.startsWith('switchboard.notifications.muted.'))).toBe(true);
  });
});

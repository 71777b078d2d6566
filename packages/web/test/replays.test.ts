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

// The admin's Replay webhooks page in Debian's Chromium against a real sandbox: pick a workspace
// and a range, start, and watch the replay reach done with the archived entries counted.

let world: WebWorld;
let tenant: OwnerTenant;

beforeAll(async () => {
  world = await startWebWorld();
  tenant = await ownerTenant(world, 'Padaria Replay');
  for (const text of ['Bom dia', 'Tem pão de queijo?']) {
    const res = await postWebhook(
      world.t.api,
      'test-app-secret',
      envelope('whatsapp_business_account', [
        waTextEntry({ wabaId: tenant.wabaId, phoneNumberId: tenant.phoneNumberId, text }),
      ]),
    );
    if (res.status !== 200) throw new Error(`webhook ${res.status}`);
  }
});

afterAll(async () => {
  await world?.stop();
});

describe('Replay webhooks', () => {
  it('starts a replay of a workspace and shows its progress until done', async () => {
    const base = world.t.sb.url;
    const { page } = await newPage(world);
    await signIn(page, base, world.t.sb.admin.email, world.t.sb.admin.password);
    await page.goto(`${base}/app/admin/`);
    await page.getByRole('link', { name: 'Replay webhooks' }).click();
    await page.getByRole('heading', { name: 'Replay webhooks' }).waitFor();
    await page.getByLabel('Workspace').selectOption({ label: 'Padaria Replay' });
    // The default range is the last day, which holds the two deliveries.
    await page.getByRole('button', { name: 'Start replay' }).click();
    const row = page.getByRole('list', { name: 'Replays' }).getByRole('listitem').first();
    await row.getByText('Done').waitFor({ timeout: 20_000 });
    await expect(row.textContent()).resolves.toContain('Padaria Replay');
    await expect(row.locator('[data-progress]').textContent()).resolves.toMatch(
      /2 scanned · 2 matched · 2 enqueued/,
    );
    await screenshot(page, 'admin-replays');
    // The sign-in page's first refresh answers 401 (no session yet): a resource, not an error.
    expect(world.pageErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});

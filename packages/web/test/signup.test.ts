import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastMailTo } from '../../server/test/auth/helpers';
import { metaId, newPage, screenshot, startWebWorld, type WebWorld } from './helpers/web-harness';

// Self-serve sign-up in Debian's Chromium against a real sandbox: "Create a workspace" from the
// sign-in page → the form → the verification mail (read from the sandbox's .eml files) → its link
// → signed in to the new workspace's inbox, where the owner's checklist waits.

let world: WebWorld;
let base: string;

beforeAll(async () => {
  world = await startWebWorld();
  base = world.t.sb.url;
});

afterAll(async () => {
  await world?.stop();
});

describe('self-serve sign-up', () => {
  it('signs up, confirms from the mail, and lands in the inbox with the checklist', async () => {
    const { page } = await newPage(world);
    const email = `founder-${metaId()}@example.com`;
    await page.goto(`${base}/login/`);
    await page.getByRole('link', { name: 'Create a workspace' }).click();
    await page.waitForURL(/\/signup\/$/);
    await page.getByLabel('Workspace name').fill('Florería Ada');
    await page.getByLabel('Work e-mail').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create the workspace' }).click();
    // The catalog's plain words, on the field.
    await page.getByText('Use at least 10 characters.').waitFor();
    await page.getByLabel('Password').fill('a long password for the shop');
    await screenshot(page, 'signup-01-form');
    await page.getByRole('button', { name: 'Create the workspace' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();

    const mail = lastMailTo(world.t.sb, email, 'signup_verification');
    const link = mail.links.find((l) => new URL(l).pathname === '/signup/confirm/');
    expect(link).toBeTruthy();
    await page.goto(link!);
    await page.waitForURL(/\/app\/inbox\/?/);
    const checklist = page.getByTestId('onboarding-checklist');
    await checklist.getByRole('heading', { name: 'Set up your workspace' }).waitFor();
    for (const step of ['Connect a channel', 'Invite the team', 'Publish a form']) {
      await checklist.getByRole('link', { name: new RegExp(`${step} \\(to do\\)`) }).waitFor();
    }
    await screenshot(page, 'signup-02-inbox-checklist');
    await checklist.getByRole('button', { name: 'Dismiss the checklist' }).click();
    await checklist.waitFor({ state: 'detached' });

    // The link a second time: spent.
    const { page: again } = await newPage(world);
    await again.goto(link!);
    await again.getByRole('heading', { name: 'This link no longer works' }).waitFor();
  });

  it('hides the link and closes the form when the platform turns sign-up off', async () => {
    const off = await world.t.api.request('PUT', '/admin/settings', {
      token: world.t.adminToken,
      body: { signupEnabled: false },
    });
    expect(off.status).toBe(200);
    try {
      const { page } = await newPage(world);
      await page.goto(`${base}/login/`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByRole('link', { name: 'Forgot password?' }).waitFor();
      expect(await page.getByRole('link', { name: 'Create a workspace' }).count()).toBe(0);
      await page.goto(`${base}/signup/`);
      await page.getByRole('heading', { name: 'Sign-up is closed' }).waitFor();
    } finally {
      await world.t.api.request('PUT', '/admin/settings', {
        token: world.t.adminToken,
        body: { signupEnabled: true },
      });
    }
  });

  it('ran without script errors or CSP violations', () => {
    // The 400 is the short password refused on purpose above; a 401 is the signed-out refresh.
    expect(world.pageErrors.filter((e) => !/status of 40[01]/.test(e))).toEqual([]);
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastMailTo } from '../../server/test/auth/helpers';
import {
  metaId,
  newPage,
  screenshot,
  signIn,
  startWebWorld,
  type WebWorld,
} from './helpers/web-harness';

// The mailed flows in Debian's Chromium against a real sandbox: forgot password → the mail (read
// from the sandbox's .eml files, as a person would open it) → choose a new one → sign in; and an
// invitation from the team settings, accepted from its mailed link.

let world: WebWorld;
let base: string;
let owner: { email: string; password: string };

/** The link of the newest mail of that kind to `email`, as the recipient would click it. */
function mailedLink(email: string, kind: string, page: string): string {
  const mail = lastMailTo(world.t.sb, email, kind);
  const link = mail.links.find((l) => new URL(l).pathname === page);
  if (!link) throw new Error(`no ${page} link in\n${mail.text}`);
  return link;
}

beforeAll(async () => {
  world = await startWebWorld();
  base = world.t.sb.url;
  owner = { email: `owner-${metaId()}@example.com`, password: 'correct horse battery staple' };
  const created = await world.t.api.request('POST', '/admin/tenants', {
    token: world.t.adminToken,
    body: { name: 'Café Aurora', ownerEmail: owner.email, ownerPassword: owner.password },
  });
  if (created.status !== 201) throw new Error(`tenant: ${created.status} ${created.text}`);
});

afterAll(async () => {
  await world?.stop();
});

describe('forgot password', () => {
  let page: Page;

  it('asks for a link from the sign-in page, and says the same for any address', async () => {
    ({ page } = await newPage(world));
    await page.goto(`${base}/login/`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/forgot-password\/$/);
    await page.getByLabel('E-mail').fill(owner.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    await expect(page.getByRole('status').textContent()).resolves.toContain(owner.email);
    await screenshot(page, 'mail-01-forgot-password');
  });

  it('sets a new password from the mailed link, then signs in with it', async () => {
    const link = mailedLink(owner.email, 'password_reset', '/reset-password/');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    // The token left the address bar at once.
    expect(page.url()).toBe(`${base}/reset-password/`);
    const fresh = 'a fresh password for the café';
    await page.getByLabel('New password', { exact: true }).fill(fresh);
    await page.getByLabel('Repeat the new password').fill(fresh);
    await screenshot(page, 'mail-02-reset-password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'Your password is changed' }).waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/login\/$/);
    await signIn(page, base, owner.email, fresh);
    owner.password = fresh;

    // The same link a second time: spent.
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('another new password');
    await page.getByLabel('Repeat the new password').fill('another new password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'This link no longer works' }).waitFor();
  });
});

describe('invitations', () => {
  it('invites from the team settings, lists the invitation, and the invitee joins from the mail', async () => {
    const { page } = await newPage(world);
    await signIn(page, base, owner.email, owner.password);
    await page.goto(`${base}/app/settings/?tab=team`);
    const invitee = `barista-${metaId()}@example.com`;
    await page.getByLabel('E-mail').fill(invitee);
    await page.getByRole('button', { name: 'Send invite' }).click();
    await page.getByText(`Invitation e-mailed to ${invitee}`).waitFor();
    const row = page.getByTestId('invitation').filter({ hasText: invitee });
    await row.getByText('Pending').waitFor();
    // Nothing on the page carries the token.
    expect(await page.content()).not.toMatch(/inv_[A-Za-z0-9_-]{20}/);

    // A resend mails a new link; the first one dies.
    const first = mailedLink(invitee, 'invitation', '/invite/');
    await row.getByRole('button', { name: 'Resend' }).click();
    await page.getByText(/A new link was e-mailed/).waitFor();
    const second = mailedLink(invitee, 'invitation', '/invite/');
    expect(second).not.toBe(first);
    await screenshot(page, 'mail-03-team-invitations');

    const { page: inviteePage } = await newPage(world);
    await inviteePage.goto(first);
    await inviteePage.getByLabel('Password').fill('the barista password');
    await inviteePage.getByRole('button', { name: 'Join workspace' }).click();
    await inviteePage.getByText(/no longer valid/i).waitFor();

    await inviteePage.goto(second);
    await inviteePage.getByRole('heading', { name: 'Join your team' }).waitFor();
    expect(inviteePage.url()).toBe(`${base}/invite/`);
    await inviteePage.getByLabel('Password').fill('the barista password');
    await inviteePage.getByRole('button', { name: 'Join workspace' }).click();
    await inviteePage.waitForURL(/\/app\/inbox\/?/);
  });

  it('shows the platform admin the sandbox mailbox, the same files', async () => {
    const { page } = await newPage(world);
    await signIn(page, base, world.t.sb.admin.email, world.t.sb.admin.password);
    await page.goto(`${base}/app/admin/mail/`);
    await page.getByRole('heading', { name: 'Sandbox mail' }).waitFor();
    const messages = page.getByRole('list', { name: 'Messages' });
    await messages.getByText('Reset your Switchboard password').first().click();
    const message = page.getByRole('article', { name: 'Message' });
    await message.getByRole('link', { name: /\/reset-password\/\?token=pr_/ }).waitFor();
    await expect(message.textContent()).resolves.toContain(owner.email);
    await screenshot(page, 'mail-04-sandbox-mailbox');
  });

  it('ran without script errors or CSP violations', () => {
    expect(world.pageErrors.filter((e) => !/status of 401/.test(e))).toEqual([]);
  });
});

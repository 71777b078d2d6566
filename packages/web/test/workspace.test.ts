import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, password as memberPassword } from '../../server/test/auth/helpers';
import { envelope, waTextEntry } from '../../server/test/factories/meta';
import { blockingViolations, describeViolations } from './helpers/axe';
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

// The agent workspace in Debian's Chromium against a real sandbox: a private note with an
// @mention (distinct in the thread, never sent), a label made in settings, put on a conversation
// and used to filter the inbox, and a canned reply made in settings, inserted with `/` and the
// contact's first name filled in, then sent.

let world: WebWorld;
let tenant: OwnerTenant;
let page: Page;
let base: string;
let teammateId: string;

const maria = { from: '5511987651111', name: 'Maria Silva' };
const joao = { from: '5511987652222', name: 'João Pereira' };
const teammateEmail = `ana.costa@w${metaId()}.example.com`;

async function customerWrites(who: { from: string; name: string }, text: string) {
  const res = await postWebhook(
    world.t.api,
    world.t.sb.meta.appSecret,
    envelope('whatsapp_business_account', [
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from: who.from,
        name: who.name,
        text,
        timestamp: Math.floor(Date.now() / 1000),
      }),
    ]),
  );
  expect(res.status).toBe(200);
}

async function api<T = any>(method: string, path: string): Promise<T> {
  const res = await world.t.api.request(method, path, { token: tenant.token });
  expect(res.status, res.text).toBeLessThan(300);
  return res.json as T;
}

async function conversationOf(customerName: string): Promise<any> {
  const page = await api('GET', '/conversations?limit=100');
  return page.items.find((c: any) => c.customer.name === customerName);
}

async function openConversation(customerName: string) {
  await page.goto(`${base}/app/inbox/`);
  const row = page.getByTestId('conversation-row').filter({ hasText: customerName });
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  await page.getByRole('heading', { name: customerName }).waitFor();
}

async function openSettings(tab: string) {
  await page.goto(`${base}/app/settings/`);
  await page.getByRole('tab', { name: tab }).click();
}

beforeAll(async () => {
  world = await startWebWorld();
  tenant = await ownerTenant(world, 'Loja Workspace');
  teammateId = (await addMember(world.t, tenant.token, 'agent', teammateEmail)).id;
  await customerWrites(maria, 'Oi! Meu pedido 4411 ainda não chegou.');
  await customerWrites(joao, 'Vocês abrem no sábado?');
  base = world.t.sb.url;
  ({ page } = await newPage(world));
  await signIn(page, base, tenant.email, tenant.password);
});

afterAll(async () => {
  await world?.stop();
});

describe('private notes', () => {
  it('writes a note with an @mention: distinct in the thread, never sent to the customer', async () => {
    // The mentioned teammate has the same conversation open on another screen.
    const { context: teammateContext, page: teammate } = await newPage(world);
    await signIn(teammate, base, teammateEmail, memberPassword);
    const conversationId = (await conversationOf(maria.name)).id;
    await teammate.goto(`${base}/app/inbox/?c=${conversationId}`);
    await teammate.getByRole('heading', { name: maria.name }).waitFor();

    await openConversation(maria.name);
    await page.getByRole('button', { name: 'Private note' }).click();
    const box = page.getByRole('textbox', { name: 'Private note' });
    await box.pressSequentially('Cliente VIP, @ana');
    const picker = page.getByRole('listbox', { name: 'Mention a teammate' });
    await picker.getByRole('option', { name: /Ana Costa/ }).waitFor();
    // The text box points at the active option for assistive technology.
    const active = await box.getAttribute('aria-activedescendant');
    expect(active).toBeTruthy();
    await expect(page.locator(`[id="${active}"]`).getAttribute('aria-selected')).resolves.toBe(
      'true',
    );
    await box.press('Enter');
    await expect(box.inputValue()).resolves.toBe('Cliente VIP, @ana.costa ');
    await box.pressSequentially('pode ligar para ela hoje?');
    await box.press('Enter');

    const note = page.getByTestId('private-note').filter({ hasText: 'pode ligar para ela hoje?' });
    await note.waitFor();
    await note.getByText('Private note', { exact: true }).waitFor();
    await note.getByText('Saving…').waitFor({ state: 'detached' });
    // Set apart from messages: its own tinted card (messages are white or the brand colour).
    const background = await note
      .getByRole('article')
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).not.toMatch(/^rgba?\(0, 0, 0, 0\)$|^rgb\(255, 255, 255\)$/);
    await expect(note.getByRole('article').getAttribute('class')).resolves.toContain('bg-amber');
    await screenshot(page, 'workspace-private-note');

    // Without a reload, the teammate sees it, marked as mentioning them.
    const theirs = teammate.getByTestId('private-note').filter({ hasText: 'pode ligar' });
    await theirs.getByText('Mentions you').waitFor({ timeout: 15_000 });
    await theirs.getByRole('article', { name: /Private note by/ }).waitFor();
    await teammateContext.close();

    const conversation = await conversationOf(maria.name);
    const notes = await api('GET', `/conversations/${conversation.id}/notes`);
    expect(notes.items[0]).toMatchObject({
      text: 'Cliente VIP, @ana.costa pode ligar para ela hoje?',
      mentions: [teammateId],
    });
    const messages = await api('GET', `/conversations/${conversation.id}/messages`);
    expect(JSON.stringify(messages.items)).not.toContain('pode ligar');
    expect(JSON.stringify(world.t.sb.metaStandIn!.sent)).not.toContain('pode ligar');

    const violations = await blockingViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
  });
});

describe('labels', () => {
  it('creates a label in settings, puts it on a conversation, and filters the inbox by it', async () => {
    await openSettings('Labels');
    await page.getByRole('button', { name: 'New label' }).click();
    const dialog = page.getByRole('dialog', { name: 'New label' });
    await dialog.getByLabel('Name').fill('VIP');
    await dialog.getByRole('radio', { name: 'Amber' }).click();
    await dialog.getByRole('button', { name: 'Create label' }).click();
    await page.getByRole('list', { name: 'Labels' }).getByText('VIP').waitFor();
    await screenshot(page, 'workspace-labels-settings');

    await openConversation(maria.name);
    await page.getByRole('button', { name: 'Add label' }).click();
    await page.getByRole('textbox', { name: 'Find a label' }).fill('vi');
    await page
      .getByRole('listbox', { name: 'Labels' })
      .getByRole('option', { name: 'VIP' })
      .waitFor();
    await page.keyboard.press('Enter');
    const chips = page.getByRole('group', { name: 'Labels' }).getByTestId('label-chip');
    await chips.filter({ hasText: 'VIP' }).waitFor();
    await page.keyboard.press('Escape');
    const labelled = await conversationOf(maria.name);
    expect(labelled.labelIds).toHaveLength(1);

    await page.getByRole('combobox', { name: 'Label' }).selectOption({ label: 'VIP' });
    await page.waitForURL(/label=/);
    const rows = page.getByTestId('conversation-row');
    await rows.filter({ hasText: joao.name }).waitFor({ state: 'detached', timeout: 15_000 });
    await rows.filter({ hasText: maria.name }).waitFor();
    await expect(rows.count()).resolves.toBe(1);
    await screenshot(page, 'workspace-inbox-label-filter');

    // Removing it from the header takes it off the conversation.
    await page.getByRole('button', { name: 'Remove label VIP' }).click();
    await chips.filter({ hasText: 'VIP' }).waitFor({ state: 'detached' });
    expect((await conversationOf(maria.name)).labelIds).toBeUndefined();
  });
});

describe('canned replies', () => {
  it('creates one in settings, inserts it with / and the first name rendered, and sends it', async () => {
    await openSettings('Canned replies');
    await page.getByRole('button', { name: 'New canned reply' }).click();
    const dialog = page.getByRole('dialog', { name: 'New canned reply' });
    await dialog.getByLabel('Short code').fill('obrigado');
    await dialog
      .getByLabel('Content')
      .fill('Obrigado, {{contact.first_name | cliente}}! Já verificamos seu pedido.');
    await dialog.getByText('Obrigado, Maria! Já verificamos seu pedido.').waitFor();
    await dialog.getByRole('button', { name: 'Create reply' }).click();
    await page.getByRole('list', { name: 'Canned replies' }).getByText('/obrigado').waitFor();

    // A variable that does not exist is refused before it is saved.
    await page.getByRole('button', { name: 'New canned reply' }).click();
    await dialog.getByLabel('Content').fill('Oi {{contact.apelido}}');
    await dialog.getByText(/Unknown variable \{\{contact\.apelido\}\}/).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await openConversation(maria.name);
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.pressSequentially('/obr');
    const picker = page.getByRole('listbox', { name: 'Canned replies' });
    await picker.getByRole('option', { name: /\/obrigado/ }).waitFor();
    await box.press('Tab');
    await expect(box.inputValue()).resolves.toBe('Obrigado, Maria! Já verificamos seu pedido.');
    await expect(picker.count()).resolves.toBe(0);
    await box.press('Enter');

    const bubble = page.getByTestId('message').filter({ hasText: 'Obrigado, Maria!' });
    await bubble.waitFor();
    await bubble
      .locator('[data-status="sent"], [data-status="delivered"], [data-status="read"]')
      .first()
      .waitFor({ timeout: 20_000 });
    expect(
      world.t.sb.metaStandIn!.sent.some((s) =>
        JSON.stringify(s.body).includes('Obrigado, Maria! Já verificamos seu pedido.'),
      ),
    ).toBe(true);
    await screenshot(page, 'workspace-canned-reply-sent');
    expect(world.pageErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});

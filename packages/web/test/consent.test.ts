import type { FormField } from '@switchboard/contracts';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember } from '../../server/test/auth/helpers';
import { envelope, waTextEntry } from '../../server/test/factories/meta';
import { waitFor, waitForDrain } from '../../server/test/helpers/harness';
import { mustFill } from '../src/components/forms/field-rules';
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

// WhatsApp consent in Debian's Chromium against a real sandbox: a customer's STOP (a signed Meta
// webhook) shows on the contact page and beside the thread with its history; an agent changes it
// by hand with a note (the server's field error on the note first); a viewer sees no button; an
// admin edits the keywords (a word in both lists refused on the field), and a new language's word
// works from WhatsApp; a form's WhatsApp opt-in box is set in the editor and may be left unticked.

let world: WebWorld;
let tenant: OwnerTenant;
let viewer: { email: string; password: string };
let page: Page;
let base: string;

const from = `5511${String(Date.now()).slice(-9)}`;
const customerId = `wa-${from}`;
const api = (method: string, path: string, body?: unknown) =>
  world.t.api.request(method, path, { token: tenant.token, body });

async function customerWrites(text: string, secondsAgo = 0) {
  const res = await postWebhook(
    world.t.api,
    world.t.sb.meta.appSecret,
    envelope('whatsapp_business_account', [
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from,
        name: 'Rafa Stop',
        text,
        timestamp: Math.floor(Date.now() / 1000) - secondsAgo,
      }),
    ]),
  );
  expect(res.status).toBe(200);
  await waitForDrain(world.t.sb);
}

/** The status badge of the (first) number in a consent block, once it reads `label`. */
const statusIn = (consent: Locator, label: string) =>
  consent.getByTestId('consent-status').filter({ hasText: label }).first();

async function statusOf(id: string): Promise<string | undefined> {
  const res = await api('GET', `/customers/${id}/consent`);
  expect(res.status).toBe(200);
  return res.json.items[0]?.status;
}

beforeAll(async () => {
  world = await startWebWorld();
  tenant = await ownerTenant(world, 'Consent Co');
  viewer = await addMember(world.t, tenant.token, 'viewer');
  await customerWrites('Oi, quero saber das promoções', 30);
  await customerWrites('STOP');
  await waitFor(async () => (await statusOf(customerId)) === 'opted_out', {
    what: 'the STOP to opt the number out',
  });
  base = world.t.sb.url;
  ({ page } = await newPage(world, { width: 1440, height: 900 }));
  await signIn(page, base, tenant.email, tenant.password);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('consent on the contact', () => {
  it('shows the STOP with its keyword, and an agent records a manual opt-in with a note', async () => {
    await page.goto(`${base}/app/contacts/?id=${encodeURIComponent(customerId)}`);
    const consent = page.getByRole('region', { name: 'Contact' }).getByRole('region', {
      name: 'WhatsApp consent',
    });
    await statusIn(consent, 'Opted out').waitFor();
    await consent.getByText('Keyword “STOP”').first().waitFor();

    await consent.getByRole('button', { name: 'Change consent' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change consent' });
    await dialog.getByLabel('Opted in').check();
    // No note: the server's 400 shows on the field, and nothing changes.
    await dialog.getByRole('button', { name: 'Save consent' }).click();
    const note = dialog.getByLabel(/^Note/);
    await dialog.getByText('Say where this consent comes from.').waitFor();
    await expect(note.getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await statusOf(customerId)).toBe('opted_out');

    await note.fill('Agreed on the phone on 2 Dec');
    await dialog.getByRole('button', { name: 'Save consent' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await statusIn(consent, 'Opted in').waitFor();
    await consent
      .getByText(/Manual, by Owner .*: Agreed on the phone on 2 Dec/)
      .first()
      .waitFor();

    // The history, newest first, behind its disclosure.
    await consent.getByText(/^History/).click();
    const history = consent.getByRole('list', { name: /^Consent history of/ });
    await expect(history.getByRole('listitem').allInnerTexts()).resolves.toEqual([
      expect.stringMatching(/^Opted in · .*Manual, by Owner .*: Agreed on the phone on 2 Dec$/),
      expect.stringMatching(/^Opted out · .*Keyword “STOP”$/),
    ]);
    await screenshot(page, 'contact-consent');
    expect(await statusOf(customerId)).toBe('opted_in');
  });

  it('shows the consent beside the thread too', async () => {
    const list = await api('GET', '/conversations?limit=100');
    const conversation = list.json.items.find((c: any) => c.customer.id === customerId);
    expect(conversation).toBeDefined();
    await page.goto(`${base}/app/inbox/?c=${encodeURIComponent(conversation.id)}`);
    const panel = page.getByRole('complementary', { name: 'Contact details' });
    const consent = panel.getByRole('region', { name: 'WhatsApp consent' });
    await statusIn(consent, 'Opted in').waitFor();
    await consent.getByRole('button', { name: 'Change consent' }).waitFor();
  });

  it('a viewer sees the consent but cannot change it', async () => {
    const { context, page: viewerPage } = await newPage(world);
    await signIn(viewerPage, base, viewer.email, viewer.password);
    await viewerPage.goto(`${base}/app/contacts/?id=${encodeURIComponent(customerId)}`);
    const consent = viewerPage.getByRole('region', { name: 'WhatsApp consent' });
    await statusIn(consent, 'Opted in').waitFor();
    await consent.getByText(/^History/).waitFor();
    expect(await consent.getByRole('button', { name: 'Change consent' }).count()).toBe(0);
    await context.close();
  });
});

describe('consent keywords settings', () => {
  it('refuses a word in both lists on the field, then saves a new language that works from WhatsApp', async () => {
    await page.goto(`${base}/app/settings/?tab=consent`);
    const english = page.getByRole('group', { name: 'English (en)' });
    const optIn = english.getByLabel('Opt-in keywords');
    await expect(optIn.inputValue()).resolves.toBe('START, UNSTOP, SUBSCRIBE');
    await optIn.fill('START, UNSTOP, SUBSCRIBE, STOP');
    await page.getByRole('button', { name: 'Save keywords' }).click();
    await english.getByText('STOP is both an opt-out and an opt-in keyword.').waitFor();
    await expect(optIn.getAttribute('aria-invalid')).resolves.toBe('true');
    await optIn.fill('START, UNSTOP, SUBSCRIBE');

    // German goes; Italian comes.
    await page.getByRole('button', { name: 'Remove German (de)' }).click();
    await page.getByRole('button', { name: 'Add language' }).click();
    const added = page.getByRole('group', { name: 'New language' });
    await added.getByLabel(/^Language code/).fill('it');
    const italian = page.getByRole('group', { name: 'Italian (it)' });
    await italian.getByLabel('Opt-out keywords').fill('basta, disiscrivi');
    await italian.getByLabel('Opt-in keywords').fill('avanti');
    await italian.getByLabel(/^Opt-out reply/).fill('Non riceverai più i nostri messaggi.');
    await italian.getByLabel(/^Opt-in reply/).fill('Sei di nuovo iscritto.');
    await page.getByRole('button', { name: 'Save keywords' }).click();
    await page.getByRole('status').getByText('Keywords saved.').waitFor();
    await screenshot(page, 'settings-consent');

    const stored = await api('GET', '/settings/consent-keywords');
    expect(stored.json.languages.map((l: any) => l.language)).toEqual([
      'en',
      'es',
      'pt',
      'fr',
      'it',
    ]);
    expect(stored.json.languages[4]).toMatchObject({
      optOut: ['BASTA', 'DISISCRIVI'],
      optIn: ['AVANTI'],
    });

    // The new word opts the number out from WhatsApp, shown as such on the contact.
    await customerWrites('Basta!');
    await waitFor(async () => (await statusOf(customerId)) === 'opted_out', {
      what: 'BASTA to opt the number out',
    });
    await page.goto(`${base}/app/contacts/?id=${encodeURIComponent(customerId)}`);
    const consent = page.getByRole('region', { name: 'WhatsApp consent' });
    await statusIn(consent, 'Opted out').waitFor();
    await consent.getByText('Keyword “BASTA”').first().waitFor();
  });
});

describe('a form’s WhatsApp opt-in box', () => {
  it('is set in the editor, may be left unticked on the form, and opts the number in when ticked', async () => {
    const created = await api('POST', '/forms', {
      name: 'Ofertas',
      allowedOrigins: [],
      defaultCountryCode: '55',
      successMessage: 'Recebemos, obrigado!',
      fields: [
        { key: 'name', type: 'text', label: 'Your name', required: true },
        { key: 'phone', type: 'phone', label: 'WhatsApp number', required: true },
        {
          key: 'offers',
          type: 'checkbox',
          label: 'Send me offers on WhatsApp',
          required: false,
          consent: true,
        },
      ],
    });
    expect(created.status).toBe(201);
    const formId = created.json.id;

    await page.goto(`${base}/app/forms/?id=${formId}`);
    await page
      .getByRole('button', { name: /^Send me offers on WhatsApp/ })
      .first()
      .click();
    const optIn = page.getByLabel('WhatsApp marketing opt-in');
    // Only on a consent box: unticking consent hides it.
    await page.getByLabel('Consent (terms, marketing)').uncheck();
    await optIn.waitFor({ state: 'detached' });
    await page.getByLabel('Consent (terms, marketing)').check();
    const followUp = page.getByRole('region', { name: 'WhatsApp follow-up' });
    await expect(followUp.count()).resolves.toBe(0);
    await optIn.check();
    // With the opt-in box, the follow-up: a number, an approved template, its variables mapped.
    await followUp.getByLabel('Send from').selectOption({ index: 1 });
    await followUp.getByLabel('Template').selectOption('appointment_reminder|en_US');
    await followUp.getByLabel('{{first_name}} if left empty').fill('there');
    await followUp.getByLabel('{{date}}', { exact: true }).selectOption('text');
    await followUp.getByLabel('{{date}} text').fill('Friday');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page
      .getByText('Published. The hosted link and the embed now serve this version.')
      .waitFor();
    const stored = await api('GET', `/forms/${formId}`);
    expect(stored.json.fields.find((f: any) => f.key === 'offers')).toMatchObject({
      consent: true,
      consentChannel: 'whatsapp',
    });
    expect(stored.json.whatsappHandoff).toEqual({
      channelId: tenant.channelId,
      template: {
        name: 'appointment_reminder',
        language: 'en_US',
        parameters: {
          first_name: { field: 'contact.first_name', fallback: 'there' },
          date: { text: 'Friday' },
        },
      },
    });

    // The hosted form: the box is a choice, not a gate.
    const { context, page: visitor } = await newPage(world);
    const first = '11987650001';
    await visitor.goto(`${base}/f/?id=${formId}`);
    const box = visitor.getByLabel(/Send me offers on WhatsApp/);
    await expect(box.getAttribute('aria-required')).resolves.toBeNull();
    await visitor.getByLabel(/^Your name/).fill('Caio Sem Ofertas');
    await visitor.getByLabel(/^WhatsApp number/).fill(first);
    await visitor.getByRole('button', { name: 'Send' }).click();
    await visitor.getByText('Recebemos, obrigado!').waitFor({ timeout: 15_000 });

    await visitor.goto(`${base}/f/?id=${formId}`);
    await visitor.getByLabel(/^Your name/).fill('Lia Com Ofertas');
    await visitor.getByLabel(/^WhatsApp number/).fill('11987650002');
    await visitor.getByLabel(/Send me offers on WhatsApp/).check();
    await visitor.getByRole('button', { name: 'Send' }).click();
    await visitor.getByText('Recebemos, obrigado!').waitFor({ timeout: 15_000 });
    await context.close();

    await waitForDrain(world.t.sb);
    const optedIn = await waitFor(
      async () => {
        const res = await api('GET', '/customers/wa-5511987650002/consent');
        return res.status === 200 && res.json.items[0]?.status === 'opted_in' && res.json.items[0];
      },
      { what: 'the ticked box to opt the number in' },
    );
    expect(optedIn.latest.evidence).toMatchObject({
      source: 'form',
      formId,
      label: 'Send me offers on WhatsApp',
    });
    // The ticked box also set off the follow-up, with the first name mapped.
    const followedUp = await waitFor(
      async () => world.t.sb.metaStandIn!.sent.find((m) => m.recipientId === '5511987650002'),
      { what: 'the follow-up template' },
    );
    expect(followedUp.body).toMatchObject({
      type: 'template',
      template: {
        name: 'appointment_reminder',
        components: [
          {
            parameters: [
              { parameter_name: 'first_name', text: 'Lia' },
              { parameter_name: 'date', text: 'Friday' },
            ],
          },
        ],
      },
    });
    // The unticked box recorded nothing (that submission may still be on its way).
    await waitFor(
      async () => {
        const res = await api('GET', `/customers/wa-55${first}/consent`);
        return res.status === 200 && res.json.items[0]?.status === 'unknown';
      },
      { what: 'the contact of the unticked submission' },
    );

    await page.goto(`${base}/app/contacts/?id=wa-5511987650002`);
    const consent = page.getByRole('region', { name: 'WhatsApp consent' });
    await statusIn(consent, 'Opted in').waitFor();
    await consent.getByText('Form “Send me offers on WhatsApp”').first().waitFor();
    expect(world.pageErrors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});

describe('which consent boxes the form renderer insists on', () => {
  const box = (extra: Partial<FormField>): FormField => ({
    key: 'box',
    type: 'checkbox',
    label: 'Box',
    required: false,
    ...extra,
  });

  it('a terms box must be ticked; a WhatsApp opt-in box only when it is required', () => {
    expect(mustFill(box({ consent: true }))).toBe(true);
    expect(mustFill(box({ consent: true, consentChannel: 'whatsapp' }))).toBe(false);
    expect(mustFill(box({ consent: true, consentChannel: 'whatsapp', required: true }))).toBe(true);
    expect(mustFill(box({}))).toBe(false);
  });
});

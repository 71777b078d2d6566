import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, waTextEntry } from '../factories/meta';
import {
  createTenant,
  postWebhook,
  startTestSandbox,
  waitForDrain,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import { contactFormBody, publishedForm, unique, waitForLead } from '../leads/lead-fixtures';

// One phone number, one person: with the workspace's default country (US), "(650) 555-1234" from
// a landing page or a CSV row is +16505551234, the WhatsApp sender 16505551234 (customer
// wa-16505551234); an impossible number is a field error, never a silent non-match.

let t: TestSandbox;
let tenant: TestTenant & { wabaId: string; phoneNumberId: string };
let formId: string;
let idSeq = 0;
const newMetaId = () =>
  `2097${String(process.pid % 1000).padStart(3, '0')}${String(++idSeq).padStart(8, '0')}`;
const origin = 'https://landing.example.com';

beforeAll(async () => {
  t = await startTestSandbox({ retryDelaySeconds: 0 });
  const wabaId = newMetaId();
  const phoneNumberId = newMetaId();
  tenant = {
    ...(await createTenant(t.api, t.adminToken, [{ type: 'whatsapp', wabaId, phoneNumberId }])),
    wabaId,
    phoneNumberId,
  };
  const { defaultCountryCode: _code, ...usForm } = contactFormBody();
  formId = await publishedForm(t.api, tenant.token, usForm);
});

afterAll(async () => {
  await t?.stop();
});

async function whatsappFrom(from: string, name: string) {
  const res = await postWebhook(
    t.api,
    t.sb.meta.appSecret,
    envelope('whatsapp_business_account', [
      waTextEntry({
        wabaId: tenant.wabaId,
        phoneNumberId: tenant.phoneNumberId,
        from,
        name,
        text: 'Hi!',
      }),
    ]),
  );
  expect(res.status).toBe(200);
  await waitForDrain(t.sb);
}

function submit(fields: Record<string, unknown>) {
  return t.api.request('POST', `/public/forms/${formId}/submissions`, {
    body: { fields },
    headers: { origin },
  });
}

function importCsv(csv: string) {
  return t.api.request('POST', '/leads/import', {
    token: tenant.token,
    raw: csv,
    headers: { 'content-type': 'text/csv' },
  });
}

describe('the workspace default country', () => {
  it('is set with the branding, refused when unknown, and kept by a branding edit', async () => {
    const unknown = await t.api.request('PUT', '/branding', {
      token: tenant.token,
      body: { colors: {}, defaultCountry: 'ZZ' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatchObject({
      code: 'validation_failed',
      fields: { defaultCountry: expect.any(String) },
    });

    const set = await t.api.request('PUT', '/branding', {
      token: tenant.token,
      body: { colors: {}, defaultCountry: 'US' },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.json.defaultCountry).toBe('US');

    const renamed = await t.api.request('PUT', '/branding', {
      token: tenant.token,
      body: { displayName: 'Acme', colors: {} },
    });
    expect(renamed.json).toMatchObject({ displayName: 'Acme', defaultCountry: 'US' });

    // The public form carries it, so the page can pre-check numbers the same way.
    const config = await t.api.request('GET', `/public/forms/${formId}`);
    expect(config.json.branding.defaultCountry).toBe('US');
  });
});

describe('a national number', () => {
  it('from a landing page finds the WhatsApp contact who wrote first', async () => {
    await whatsappFrom('16505551234', 'Jane (WhatsApp)');
    const res = await submit({ name: 'Jane Doe', phone: '(650) 555-1234', terms: true });
    expect(res.status, res.text).toBe(202);
    const lead = await waitForLead(t.api, tenant.token, res.json.submissionId);
    expect(lead.customerId).toBe('wa-16505551234');
    expect(lead.phone).toBe('+16505551234');
    expect(lead.contact).toMatchObject({ id: 'wa-16505551234', name: 'Jane (WhatsApp)' });
  });

  it('that cannot exist is a field error on the form, and nothing is kept', async () => {
    const before = t.sb.leads.queues.LeadMergeQueue.queue.stats();
    const res = await submit({ name: 'Nobody', phone: '(123) 456-7890', terms: true });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('invalid_submission');
    expect(Object.keys(res.json.error.fields)).toEqual(['phone']);
    const after = t.sb.leads.queues.LeadMergeQueue.queue.stats();
    expect(after.visible + after.inFlight).toBe(before.visible + before.inFlight);
  });

  it('in a CSV row meets the same contact; an impossible one rejects its row', async () => {
    await whatsappFrom('14155550123', 'Sam (WhatsApp)');
    const email = `${unique('csv-phone')}@example.com`;
    const imported = await importCsv(
      ['name,email,phone', `Sam,${email},415-555-0123`, 'Bad,,555-0100'].join('\r\n'),
    );
    expect(imported.status, imported.text).toBe(202);
    expect(imported.json.accepted).toBe(1);
    expect(imported.json.rejected).toEqual([{ row: 3, fields: { phone: expect.any(String) } }]);
    const lead = await waitForLead(t.api, tenant.token, imported.json.submissionIds[0]);
    expect(lead).toMatchObject({ customerId: 'wa-14155550123', phone: '+14155550123' });
  });

  it('from the API with a lead key is read in the same country', async () => {
    const res = await t.api.request('POST', '/leads', {
      token: tenant.token,
      body: { fields: { name: 'Jane again', phone: '650 555 1234' } },
    });
    expect(res.status, res.text).toBe(202);
    const lead = await waitForLead(t.api, tenant.token, res.json.submissionId);
    expect(lead.customerId).toBe('wa-16505551234');
  });
});

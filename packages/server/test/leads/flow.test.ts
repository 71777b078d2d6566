import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../src/engine/local/file-blobs';
import { envelope, waTextEntry } from '../factories/meta';
import {
  createTenant,
  postWebhook,
  startTestSandbox,
  waitFor,
  waitForDrain,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import {
  leadsOf,
  publishedForm,
  startWebhookReceiver,
  unique,
  waitForLead,
  type WebhookReceiver,
} from './lead-fixtures';

// The whole leads flow in the sandbox, over real HTTP: a landing page submits, the bus carries
// LeadSubmitted to the raw store and the merge, the merge finds the WhatsApp customer with the
// same phone, and the CRM sync delivers a Standard Webhooks message the receiver verifies.

let t: TestSandbox;
let receiver: WebhookReceiver;
let tenant: TestTenant & { wabaId: string; phoneNumberId: string };
let formId: string;
let idSeq = 0;
const newMetaId = () =>
  `2098${String(process.pid % 1000).padStart(3, '0')}${String(++idSeq).padStart(8, '0')}`;
const origin = 'https://landing.example.com';

beforeAll(async () => {
  [t, receiver] = await Promise.all([
    startTestSandbox({ retryDelaySeconds: 0 }),
    startWebhookReceiver(),
  ]);
  const wabaId = newMetaId();
  const phoneNumberId = newMetaId();
  tenant = {
    ...(await createTenant(t.api, t.adminToken, [{ type: 'whatsapp', wabaId, phoneNumberId }])),
    wabaId,
    phoneNumberId,
  };
  const destination = await t.api.request('POST', '/crm-destinations', {
    token: tenant.token,
    body: { type: 'webhook', url: receiver.url },
  });
  expect(destination.status).toBe(201);
  expect(destination.json.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  receiver.setSecret(destination.json.secret);
  formId = await publishedForm(t.api, tenant.token);
});

afterAll(async () => {
  await Promise.all([t?.stop(), receiver?.close()]);
});

async function submit(fields: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.api.request('POST', `/public/forms/${formId}/submissions`, {
    body: { fields },
    headers: { origin, ...headers },
  });
}

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
        text: 'Oi!',
      }),
    ]),
  );
  expect(res.status).toBe(200);
  await waitForDrain(t.sb);
}

describe('a landing-page submission', () => {
  it('becomes a raw submission, a lead on the WhatsApp customer, and one verified webhook', async () => {
    // Prepare: the person wrote on WhatsApp first (a signed Meta webhook).
    await whatsappFrom('5511999990001', 'Maria (WhatsApp)');
    const raw = {
      name: 'Maria Silva',
      email: ' Maria.Silva@Example.COM ',
      phone: '+55 (11) 99999-0001',
      interest: 'demo',
      message: '<script>alert("x")</script> Olá! 👋',
      terms: true,
      utm_source: 'google',
      unexpected: 'dropped',
    };

    // Act
    const res = await submit(raw);

    // Assess: accepted once durable on the bus; CORS answer for the allowed origin.
    expect(res.status, res.text).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    const { submissionId } = res.json;
    const lead = await waitForLead(
      t.api,
      tenant.token,
      submissionId,
      (l) => l.sync.status === 'synced',
    );
    expect(lead.customerId).toBe('wa-5511999990001');
    expect(lead).toMatchObject({
      name: 'Maria Silva',
      email: 'maria.silva@example.com',
      phone: '+5511999990001',
      stage: 'new',
      source: 'form',
      formId,
      utm: { utm_source: 'google' },
      custom: { interest: 'demo', message: '<script>alert("x")</script> Olá! 👋' },
      sync: { status: 'synced', attempts: 1, lastError: null },
    });
    expect(lead.consents).toEqual([
      expect.objectContaining({ key: 'terms', label: 'I accept the terms' }),
    ]);
    // The raw store keeps the submission as accepted: the declared fields' validated values,
    // never the client's object (the undeclared key is not kept).
    expect(lead.submissions).toHaveLength(1);
    expect(lead.submissions[0]).toMatchObject({ id: submissionId, formId });
    expect(lead.submissions[0].fields).toEqual({
      name: 'Maria Silva',
      email: 'maria.silva@example.com',
      phone: '+5511999990001',
      interest: 'demo',
      message: '<script>alert("x")</script> Olá! 👋',
      terms: true,
      utm_source: 'google',
    });
    // One contact across the chat and the lead.
    expect(lead.contact).toMatchObject({ id: 'wa-5511999990001', phone: '+5511999990001' });
    const ofCustomer = await leadsOf(t.api, tenant.token, '?customerId=wa-5511999990001');
    expect(ofCustomer.map((l) => l.id)).toEqual([lead.id]);
    // The customer record shows the chat identity, the form's e-mail and the lead.
    const customer = await t.api.request('GET', '/customers/wa-5511999990001', {
      token: tenant.token,
    });
    expect(customer.json).toMatchObject({
      identities: { whatsapp: '5511999990001' },
      email: 'maria.silva@example.com',
      leadIds: [lead.id],
    });

    // The CRM got one delivery, verified with the destination's secret.
    const deliveries = receiver.deliveries.filter((d) => d.body?.data?.lead?.id === lead.id);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 200, verified: true });
    expect(deliveries[0]!.id).toMatch(/^msg_/);
    expect(deliveries[0]!.body).toMatchObject({
      type: 'lead.upserted',
      data: { lead: { id: lead.id, email: 'maria.silva@example.com', phone: '+5511999990001' } },
    });
  });

  it('joins the open lead of the same person instead of opening a second one', async () => {
    const first = await submit({ name: 'João', phone: '11 98888-0002', terms: 'on' });
    expect(first.status, first.text).toBe(202);
    const lead = await waitForLead(t.api, tenant.token, first.json.submissionId);
    // The same number typed another way, now with an e-mail.
    const second = await submit({
      name: 'João Souza',
      phone: '+5511988880002',
      email: 'joao@example.com',
      terms: true,
    });
    expect(second.status).toBe(202);
    const merged = await waitForLead(
      t.api,
      tenant.token,
      second.json.submissionId,
      (l) => l.submissionCount === 2,
    );
    expect(merged.id).toBe(lead.id);
    expect(merged).toMatchObject({
      name: 'João Souza',
      email: 'joao@example.com',
      phone: '+5511988880002',
    });
    expect(merged.submissions.map((s: any) => s.id).sort()).toEqual(
      [first.json.submissionId, second.json.submissionId].sort(),
    );
  });

  it('folds an e-mail-only contact into the phone contact it turns out to be', async () => {
    const email = `${unique('ana')}@example.com`;
    const byEmail = await submit({ name: 'Ana', email, terms: true });
    const emailLead = await waitForLead(t.api, tenant.token, byEmail.json.submissionId);
    expect(emailLead.customerId).toMatch(/^em-/);
    const withPhone = await submit({
      name: 'Ana Lima',
      email: email.toUpperCase(),
      phone: '+5521977770003',
      terms: true,
    });
    const lead = await waitForLead(
      t.api,
      tenant.token,
      withPhone.json.submissionId,
      (l) => l.submissionCount === 2,
    );
    expect(lead.id).toBe(emailLead.id);
    expect(lead.customerId).toBe('wa-5521977770003');
  });

  it('gives a lead that writes on WhatsApp later one contact and one timeline', async () => {
    const res = await submit({
      name: 'Pedro',
      phone: '+5531966660004',
      email: 'pedro@example.com',
      terms: true,
    });
    const lead = await waitForLead(t.api, tenant.token, res.json.submissionId);
    await whatsappFrom('5531966660004', 'Pedro WA');
    const conversations = await t.api.request('GET', '/conversations', { token: tenant.token });
    const conversation = conversations.json.items.find(
      (c: any) => c.customer.id === 'wa-5531966660004',
    );
    expect(conversation).toBeDefined();
    expect(lead.customerId).toBe(conversation.customer.id);
    const again = await t.api.request('GET', `/leads/${lead.id}`, { token: tenant.token });
    expect(again.json.contact).toMatchObject({ id: 'wa-5531966660004', name: 'Pedro WA' });
  });

  it('answers 422 with a message per invalid field and publishes nothing', async () => {
    const before = t.sb.leads.queues.LeadMergeQueue.queue.stats();
    const res = await submit({
      name: ['not', 'text'],
      email: 'not-an-email',
      phone: '12',
      interest: 'other',
      terms: false,
    });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('invalid_submission');
    expect(Object.keys(res.json.error.fields).sort()).toEqual([
      'email',
      'interest',
      'name',
      'phone',
      'terms',
    ]);
    expect(res.json.error.fields.terms).toBe('Consent is required.');
    const after = t.sb.leads.queues.LeadMergeQueue.queue.stats();
    expect(after.visible + after.inFlight).toBe(before.visible + before.inFlight);
  });

  it('dedupes a retried submission by Idempotency-Key', async () => {
    const key = unique('idem');
    const fields = { name: 'Retry', email: `${unique('retry')}@example.com`, terms: true };
    const first = await submit(fields, { 'idempotency-key': key });
    const second = await submit(fields, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.json.submissionId).toBe(first.json.submissionId);
    // The embed sends the key in the body (no custom headers: no CORS preflight).
    const bodyKey = unique('body-key');
    const a = await t.api.request('POST', `/public/forms/${formId}/submissions`, {
      raw: JSON.stringify({ fields, idempotencyKey: bodyKey }),
      headers: { origin, 'content-type': 'text/plain;charset=UTF-8' },
    });
    const b = await t.api.request('POST', `/public/forms/${formId}/submissions`, {
      raw: JSON.stringify({ fields, idempotencyKey: bodyKey }),
      headers: { origin, 'content-type': 'text/plain;charset=UTF-8' },
    });
    expect(a.status).toBe(202);
    expect(b.json.submissionId).toBe(a.json.submissionId);
  });
});

describe('POST /leads with an API key', () => {
  it('accepts a lead from a backend with leads:write, and refuses a read-only key', async () => {
    const writer = await t.api.request('POST', '/api-keys', {
      token: tenant.token,
      body: { name: 'site backend', scopes: ['leads:write'] },
    });
    const reader = await t.api.request('POST', '/api-keys', {
      token: tenant.token,
      body: { name: 'reporting', scopes: ['read'] },
    });
    expect(writer.status, writer.text).toBe(201);
    const body = {
      fields: { name: 'Via API', email: `${unique('api')}@example.com`, plan: 'pro', seats: 12 },
    };
    const refused = await t.api.request('POST', '/leads', {
      headers: { 'x-api-key': reader.json.key },
      body,
    });
    expect(refused.status).toBe(403);
    const res = await t.api.request('POST', '/leads', {
      headers: { authorization: `Bearer ${writer.json.key}`, 'idempotency-key': unique('api-key') },
      body,
    });
    expect(res.status, res.text).toBe(202);
    const lead = await waitForLead(t.api, tenant.token, res.json.submissionId);
    expect(lead).toMatchObject({
      source: 'api',
      name: 'Via API',
      custom: { plan: 'pro', seats: 12 },
    });
    const invalid = await t.api.request('POST', '/leads', {
      headers: { 'x-api-key': writer.json.key },
      body: { fields: { name: 'No way to reach' } },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error.fields).toBeDefined();
    // A form of the tenant validates the fields.
    const viaForm = await t.api.request('POST', '/leads', {
      headers: { 'x-api-key': writer.json.key },
      body: { formId, fields: { name: 'Form via API', email: 'x@example.com' } },
    });
    expect(viaForm.status).toBe(422);
    expect(viaForm.json.error.fields.terms).toBe('Consent is required.');
  });
});

describe('the public form and embed script', () => {
  it('serves the published config with branding and a one-line embed', async () => {
    const form = await t.api.request('GET', `/forms/${formId}`, { token: tenant.token });
    expect(form.json.embedSnippet).toBe(
      `<script src="${t.sb.url}/public/forms/${formId}/embed.js" async></script>`,
    );
    await t.api.request('PUT', '/branding', {
      token: tenant.token,
      body: { displayName: 'Acme', colors: { primary: '#FF6600' } },
    });
    const config = await t.api.request('GET', `/public/forms/${formId}`);
    expect(config.status).toBe(200);
    expect(config.headers.get('access-control-allow-origin')).toBe('*');
    expect(config.json).toMatchObject({
      id: formId,
      version: 1,
      name: 'Contact us',
      branding: { displayName: 'Acme', colors: { primary: '#ff6600' }, logoUrl: null },
      submitUrl: `${t.sb.url}/public/forms/${formId}/submissions`,
    });
    expect(config.json.allowedOrigins).toBeUndefined();
    const script = await t.api.request('GET', `/public/forms/${formId}/embed.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(script.text).toContain('document.currentScript');
    expect(script.text).not.toContain('innerHTML');
    expect(() => new Function(script.text)).not.toThrow();
  });

  it('writes each published version to the CDN path of the blob store (form-config.test.ts)', async () => {
    const store = new FileBlobStore(`${t.sb.dataDir}/blobs`);
    const pointer = await store.get(`public/forms/${formId}/current.json`);
    const { configPath } = JSON.parse(Buffer.from(pointer!.body).toString('utf8'));
    const stored = await store.get(configPath);
    expect(stored?.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(Buffer.from(stored!.body).toString('utf8'))).toMatchObject({
      id: formId,
      version: 1,
    });
  });
});

describe('lead management', () => {
  it('lists with filters, edits, notes, deletes and restores', async () => {
    const email = `${unique('mgmt')}@example.com`;
    const res = await submit({ name: 'Zé Ninguém', email, terms: true });
    const lead = await waitForLead(t.api, tenant.token, res.json.submissionId);

    const found = await leadsOf(t.api, tenant.token, `?q=${encodeURIComponent('ze ningu')}`);
    expect(found.map((l) => l.id)).toEqual([lead.id]);
    expect(
      (await leadsOf(t.api, tenant.token, `?formId=${formId}&limit=100`)).map((l) => l.id),
    ).toContain(lead.id);
    const from = new Date(Date.now() + 60_000).toISOString();
    expect(await leadsOf(t.api, tenant.token, `?from=${encodeURIComponent(from)}`)).toEqual([]);

    const patched = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: {
        stage: 'qualified',
        tags: ['vip', 'vip', 'q3'],
        custom: { budget: 5000, message: null },
      },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json).toMatchObject({
      stage: 'qualified',
      tags: ['vip', 'q3'],
      custom: { budget: 5000 },
    });
    const inStage = await leadsOf(t.api, tenant.token, '?stage=qualified');
    expect(inStage.map((l) => l.id)).toEqual([lead.id]);
    const me = (await t.api.request('GET', '/auth/me', { token: tenant.token })).json.user.id;
    const owned = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { ownerId: me },
    });
    expect(owned.json.ownerId).toBe(me);
    expect((await leadsOf(t.api, tenant.token, `?ownerId=${me}`)).map((l) => l.id)).toEqual([
      lead.id,
    ]);
    const stranger = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { ownerId: 'us_00000000000000000000' },
    });
    expect(stranger.status).toBe(400);
    const badStage = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { stage: 'nope' },
    });
    expect(badStage.status).toBe(400);

    const note = await t.api.request('POST', `/leads/${lead.id}/notes`, {
      token: tenant.token,
      body: { body: 'Called, wants a demo.' },
    });
    expect(note.status).toBe(201);
    const notes = await t.api.request('GET', `/leads/${lead.id}/notes`, { token: tenant.token });
    expect(notes.json.items.map((n: any) => n.body)).toEqual(['Called, wants a demo.']);

    expect(
      (await t.api.request('DELETE', `/leads/${lead.id}`, { token: tenant.token })).status,
    ).toBe(204);
    expect((await leadsOf(t.api, tenant.token, '?stage=qualified')).map((l) => l.id)).toEqual([]);
    expect((await leadsOf(t.api, tenant.token, '?deleted=true')).map((l) => l.id)).toContain(
      lead.id,
    );
    const restored = await t.api.request('POST', `/leads/${lead.id}/restore`, {
      token: tenant.token,
    });
    expect(restored.json.deletedAt).toBeUndefined();
    expect((await leadsOf(t.api, tenant.token, '?stage=qualified')).map((l) => l.id)).toEqual([
      lead.id,
    ]);

    // A stage with leads cannot be removed.
    const pipeline = await t.api.request('PUT', '/pipeline', {
      token: tenant.token,
      body: {
        stages: [
          { id: 'new', name: 'New', kind: 'open' },
          { id: 'won', name: 'Won', kind: 'won' },
        ],
      },
    });
    expect(pipeline.status).toBe(409);
    expect(pipeline.json.error.code).toBe('stage_in_use');
  });

  it('pages through leads with a cursor, newest first', async () => {
    const all = await leadsOf(t.api, tenant.token, '?limit=100');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await t.api.request(
        'GET',
        `/leads?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: tenant.token },
      );
      seen.push(...page.json.items.map((l: any) => l.id));
      cursor = page.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((l) => l.id));
    expect([...seen].sort().reverse()).toEqual(seen);
  });

  it('exports CSV with formula cells neutralised, and imports CSV through the same pipeline', async () => {
    const email = `${unique('csv')}@example.com`;
    const csv = [
      'name,email,phone,company,stage,tags,source_campaign',
      `"=HYPERLINK(""http://evil"")",${email},,"Acme, Inc.",contacted,a;b,@spring`,
      'Nobody,,,,,,',
      'Bad Stage,bad@example.com,,,nope,,',
    ].join('\r\n');
    const imported = await t.api.request('POST', '/leads/import', {
      token: tenant.token,
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status, imported.text).toBe(202);
    expect(imported.json.accepted).toBe(1);
    expect(imported.json.rejected.map((r: any) => r.row)).toEqual([3, 4]);
    const lead = await waitForLead(t.api, tenant.token, imported.json.submissionIds[0]);
    expect(lead).toMatchObject({
      source: 'import',
      stage: 'contacted',
      tags: ['a', 'b'],
      company: 'Acme, Inc.',
    });
    // The same file again: the same submission ids, nothing new.
    const again = await t.api.request('POST', '/leads/import', {
      token: tenant.token,
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(again.json.submissionIds).toEqual(imported.json.submissionIds);

    const exported = await t.api.request(
      'GET',
      `/leads/export.csv?q=${encodeURIComponent(email)}`,
      { token: tenant.token },
    );
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const lines = exported.text.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"source_campaign"');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(lines[1]).toContain(`"'@spring"`);
    expect(lines[1]).toContain('"Acme, Inc."');
  });
});

describe('manual re-sync', () => {
  it('sends a new delivery and shows the status on the lead', async () => {
    const res = await submit({
      name: 'Resync',
      email: `${unique('resync')}@example.com`,
      terms: true,
    });
    const lead = await waitForLead(
      t.api,
      tenant.token,
      res.json.submissionId,
      (l) => l.sync.status === 'synced',
    );
    const before = receiver.accepted.size;
    const sync = await t.api.request('POST', `/leads/${lead.id}/sync`, { token: tenant.token });
    expect(sync.status).toBe(202);
    await waitFor(async () => receiver.accepted.size === before + 1, {
      what: 'the re-sync delivery',
    });
    const last = [...receiver.accepted.values()].at(-1);
    expect(last.type).toBe('lead.resynced');
    const test = await t.api.request(
      'POST',
      `/crm-destinations/${(await t.api.request('GET', '/crm-destinations', { token: tenant.token })).json.items[0].id}/test`,
      { token: tenant.token },
    );
    expect(test.json).toEqual({ delivered: true, status: 200 });
  });
});

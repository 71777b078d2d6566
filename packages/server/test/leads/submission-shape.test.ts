import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTenant,
  startTestSandbox,
  waitFor,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import { contactFormBody, leadsOf, publishedForm, unique, waitForLead } from './lead-fixtures';

// What a public form (or an API key) may send, over real HTTP: tenant patterns run in RE2, so a
// regex bomb answers like any other value; a submission is kept as the form declares it, and a
// reserved key or a nested value is refused on every lead write path with a 400 naming the field.

const origin = 'https://landing.example.com';
let t: TestSandbox;
let tenant: TestTenant;
let apiKey: string;

beforeAll(async () => {
  t = await startTestSandbox({ retryDelaySeconds: 0 });
  tenant = await createTenant(t.api, t.adminToken, []);
  const key = await t.api.request('POST', '/api-keys', {
    token: tenant.token,
    body: { name: 'backend', scopes: ['leads:write'] },
  });
  expect(key.status, key.text).toBe(201);
  apiKey = key.json.key;
});

afterAll(async () => {
  await t?.stop();
});

function submit(formId: string, fields: unknown) {
  return t.api.request('POST', `/public/forms/${formId}/submissions`, {
    body: { fields },
    headers: { origin },
  });
}

function submitRaw(formId: string, json: string) {
  return t.api.request('POST', `/public/forms/${formId}/submissions`, {
    raw: json,
    headers: { origin, 'content-type': 'application/json' },
  });
}

/** `{"next":{"next":...}}`, `levels` deep, as text (no recursion to build or send it). */
const nestedJson = (levels: number) => `${'{"next":'.repeat(levels)}"bottom"${'}'.repeat(levels)}`;

/** Form definition with one text field holding `pattern`, plus the contact form's fields. */
function formWithPattern(pattern: string) {
  const base = contactFormBody();
  return {
    ...base,
    fields: [
      ...base.fields,
      { key: 'code', type: 'text', label: 'Code', required: false, validation: { pattern } },
    ],
  };
}

describe('tenant patterns', () => {
  it('run in RE2: the regex bomb answers 422 or 202 like any pattern, and the sandbox stays up', async () => {
    // Prepare: the pattern and input that held the sandbox for 13 s with a backtracking engine.
    const formId = await publishedForm(t.api, tenant.token, formWithPattern('^a*a*a*a*a*a*$'));
    const person = { name: 'Bomb', email: `${unique('bomb')}@example.com`, terms: true };

    // Act
    const bomb = await submit(formId, { ...person, code: `${'a'.repeat(100)}!` });
    const fine = await submit(formId, { ...person, code: 'a'.repeat(100) });
    const health = await t.api.request('GET', `/public/forms/${formId}`);

    // Assess
    expect(bomb.status, bomb.text).toBe(422);
    expect(bomb.json.error).toMatchObject({
      code: 'invalid_submission',
      fields: { code: 'Has an invalid format.' },
    });
    expect(fine.status, fine.text).toBe(202);
    expect(health.status).toBe(200);
  });

  it('are refused when a form is saved if RE2 cannot run them or they are too large', async () => {
    const cases: [string, RegExp][] = [
      ['(a)\\1', /Back-references/],
      ['(?=a)a', /Lookahead/],
      ['\\p{Script_Extensions=Latin}+', /not supported/],
      ['.{1000}', /too large to check quickly/],
      ['^[\\p{L} ]{1,20}$', /too large to check quickly/],
    ];
    for (const [pattern, reason] of cases) {
      const res = await t.api.request('POST', '/forms', {
        token: tenant.token,
        body: formWithPattern(pattern),
      });
      expect(res.status, pattern).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      const index = contactFormBody().fields.length;
      expect(res.json.error.fields[`fields.${index}.validation.pattern`], pattern).toMatch(reason);
    }
    // An update is vetted the same way.
    const created = await t.api.request('POST', '/forms', {
      token: tenant.token,
      body: formWithPattern('^\\d+$'),
    });
    expect(created.status).toBe(201);
    const updated = await t.api.request('PUT', `/forms/${created.json.id}`, {
      token: tenant.token,
      body: formWithPattern('(a)\\1'),
    });
    expect(updated.status).toBe(400);
  });
});

describe('what a submission may hold', () => {
  let formId: string;
  let hostile: TestTenant;
  let hostileForm: string;

  beforeAll(async () => {
    formId = await publishedForm(t.api, tenant.token);
    // Every refused request below goes to this tenant's form: it must end with nothing stored.
    hostile = await createTenant(t.api, t.adminToken, []);
    hostileForm = await publishedForm(t.api, hostile.token);
  });

  const valid = () => ({ name: 'Ana', email: `${unique('ana')}@example.com`, terms: true });

  it('keeps the declared fields’ validated values, and drops undeclared plain values', async () => {
    const res = await submit(formId, {
      ...valid(),
      name: '  Ana Lima ',
      gclid: 'abc123',
      tracking_ids: ['a', 'b'],
    });
    expect(res.status, res.text).toBe(202);
    const lead = await waitForLead(t.api, tenant.token, res.json.submissionId);
    const stored = lead.submissions.find((s: any) => s.id === res.json.submissionId);
    expect(stored.fields).toEqual({ name: 'Ana Lima', email: expect.any(String), terms: true });
  });

  it('refuses 2,000 levels of nesting under an undeclared key and under a declared one', async () => {
    const email = `${unique('deep')}@example.com`;
    for (const key of ['undeclared_key', 'message']) {
      const body = `{"fields":{"name":"Deep","email":"${email}","terms":true,"${key}":${nestedJson(2000)}}}`;
      const res = await submitRaw(hostileForm, body);
      expect(res.status, key).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(Object.keys(res.json.error.fields)[0]).toMatch(new RegExp(`^fields\\.${key}`));
    }
  });

  it('refuses any nested object or list of lists, even one the JSON guard lets through', async () => {
    for (const extra of [{ utm: { source: 'x' } }, { message: { text: 'x' } }, { list: [['x']] }]) {
      const res = await submit(hostileForm, { ...valid(), ...extra });
      const key = Object.keys(extra)[0]!;
      expect(res.status, key).toBe(400);
      expect(res.json.error).toMatchObject({
        code: 'validation_failed',
        fields: { [`fields.${key}`]: expect.stringMatching(/nested objects and lists/) },
      });
    }
  });

  it('refuses constructor, prototype and __proto__ keys on the public form', async () => {
    for (const key of ['constructor', 'prototype', '__proto__']) {
      const body = `{"fields":{"name":"Proto","email":"proto@example.com","terms":true,"${key}":"x"}}`;
      const res = await submitRaw(hostileForm, body);
      expect(res.status, key).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(res.json.error.fields[`fields.${key}`], key).toBeDefined();
    }
  });

  it('refuses them on POST /leads, in a CSV import and in a PATCH', async () => {
    // POST /leads with an API key (built-in fields: other keys would become custom fields).
    for (const fields of [
      '{"email":"k@example.com","constructor":"x"}',
      '{"email":"k@example.com","__proto__":{"admin":true}}',
      '{"email":"k@example.com","meta":{"a":1}}',
    ]) {
      const res = await t.api.request('POST', '/leads', {
        raw: `{"fields":${fields}}`,
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      });
      expect(res.status, fields).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
    }
    // CSV: a reserved column refuses the whole file.
    for (const column of ['constructor', '__proto__', 'Prototype']) {
      const res = await t.api.request('POST', '/leads/import', {
        token: hostile.token,
        raw: `name,email,${column}\r\nCsv,csv@example.com,x\r\n`,
        headers: { 'content-type': 'text/csv' },
      });
      expect(res.status, column).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
      expect(res.json.error.fields[column.toLowerCase()]).toMatch(/not accepted/);
    }
    // PATCH: custom field keys.
    const created = await t.api.request('POST', '/leads', {
      headers: { 'x-api-key': apiKey },
      body: { fields: { name: 'Patch me', email: `${unique('patch')}@example.com` } },
    });
    const lead = await waitForLead(t.api, tenant.token, created.json.submissionId);
    for (const key of ['constructor', 'prototype', '__proto__']) {
      const res = await t.api.request('PATCH', `/leads/${lead.id}`, {
        token: tenant.token,
        raw: `{"custom":{"${key}":"x"}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, key).toBe(400);
      expect(res.json.error.code).toBe('validation_failed');
    }
    // A form cannot declare them either.
    const form = contactFormBody();
    const declared = await t.api.request('POST', '/forms', {
      token: tenant.token,
      body: { ...form, fields: [...form.fields, { key: 'constructor', type: 'text', label: 'C' }] },
    });
    expect(declared.status).toBe(400);
  });

  it('leaves nothing behind for any refused submission', async () => {
    // Everything the hostile tenant sent was refused: once the pipeline is idle, it has no lead
    // and nothing sits in a dead-letter queue.
    await waitFor(
      async () =>
        Object.values(t.sb.leads.queues).every(({ queue }) => {
          const stats = queue.stats();
          return stats.visible === 0 && stats.inFlight === 0;
        }),
      { what: 'the lead queues to drain' },
    );
    expect(await leadsOf(t.api, hostile.token, '?limit=100')).toEqual([]);
    for (const { dlq } of Object.values(t.sb.leads.queues)) expect(dlq.stats().visible).toBe(0);
  });
});

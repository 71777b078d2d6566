import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTenant,
  startTestSandbox,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import { contactFormBody, leadsOf, publishedForm, unique, waitForLead } from './lead-fixtures';

// What a landing page and another tenant cannot do: post from a foreign origin, flood a form, get
// past the honeypot, or read another tenant's forms, leads and assets (404, like missing ones).

let t: TestSandbox;
let a: TestTenant;
let b: TestTenant;
let clockOffsetMs = 0;
const now = () => new Date(Date.now() + clockOffsetMs);
const origin = 'https://landing.example.com';

beforeAll(async () => {
  t = await startTestSandbox({
    retryDelaySeconds: 0,
    now,
    leadLimits: {
      perIp: { limit: 4, windowSeconds: 60 },
      perForm: { limit: 2, windowSeconds: 60 },
    },
  });
  [a, b] = await Promise.all([
    createTenant(t.api, t.adminToken, []),
    createTenant(t.api, t.adminToken, []),
  ]);
});

afterAll(async () => {
  await t?.stop();
});

/** A fresh rate-limit window: the sandbox's clock jumps past the current one. */
const nextWindow = () => (clockOffsetMs += 61_000);

function submit(
  formId: string,
  fields: Record<string, unknown>,
  headers: Record<string, string> = { origin },
) {
  return t.api.request('POST', `/public/forms/${formId}/submissions`, {
    body: { fields },
    headers,
  });
}

const validFields = () => ({ name: 'Visitor', email: `${unique('v')}@example.com`, terms: true });

/** A tiny valid PNG (1x1). */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(5))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('public submissions', () => {
  it('accept only the form’s allowed origins (and the API’s own), never a missing Origin', async () => {
    nextWindow();
    const formId = await publishedForm(t.api, a.token);
    const foreign = await submit(formId, validFields(), { origin: 'https://evil.example.net' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error.code).toBe('origin_not_allowed');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const none = await submit(formId, validFields(), {});
    expect(none.status).toBe(403);
    nextWindow();
    const self = await submit(formId, validFields(), { origin: t.sb.url });
    expect(self.status, self.text).toBe(202);
  });

  it('limit each form and each client IP, answering 429 with Retry-After', async () => {
    nextWindow();
    const formId = await publishedForm(t.api, a.token);
    expect((await submit(formId, validFields())).status).toBe(202);
    expect((await submit(formId, validFields())).status).toBe(202);
    const perForm = await submit(formId, validFields());
    expect(perForm.status).toBe(429);
    expect(perForm.json.error.code).toBe('rate_limited');
    const retryAfter = Number(perForm.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);

    nextWindow();
    const others = [await publishedForm(t.api, a.token), await publishedForm(t.api, b.token)];
    // The IP's budget (4) is shared by every form.
    expect((await submit(formId, validFields())).status).toBe(202);
    expect((await submit(others[0]!, validFields())).status).toBe(202);
    expect((await submit(others[0]!, validFields())).status).toBe(202);
    expect((await submit(others[1]!, validFields())).status).toBe(202);
    const perIp = await submit(others[1]!, validFields());
    expect(perIp.status).toBe(429);
    expect(perIp.headers.get('retry-after')).not.toBeNull();
  });

  it('pretend to accept what fills the honeypot, and keep nothing', async () => {
    nextWindow();
    const formId = await publishedForm(t.api, a.token);
    const email = `${unique('bot')}@example.com`;
    const bot = await t.api.request('POST', `/public/forms/${formId}/submissions`, {
      body: { fields: { name: 'Bot', email, terms: true }, website: 'http://spam.example' },
      headers: { origin },
    });
    expect(bot.status).toBe(202);
    expect(bot.json.submissionId).toMatch(/^sub_/);
    const person = await submit(formId, {
      name: 'Person',
      email: `${unique('p')}@example.com`,
      terms: true,
    });
    await waitForLead(t.api, a.token, person.json.submissionId);
    expect(await leadsOf(t.api, a.token, `?q=${encodeURIComponent(email)}`)).toEqual([]);
  });

  it('refuse bodies over 64 KiB, unknown and archived forms', async () => {
    nextWindow();
    const formId = await publishedForm(t.api, a.token);
    const big = await submit(formId, { ...validFields(), message: 'x'.repeat(70 * 1024) });
    expect(big.status).toBe(413);
    expect((await submit('fm_00000000000000000000', validFields())).status).toBe(404);
    expect((await t.api.request('GET', '/public/forms/not-a-form-id')).status).toBe(404);
    const draft = await t.api.request('POST', '/forms', {
      token: a.token,
      body: contactFormBody(),
    });
    expect((await t.api.request('GET', `/public/forms/${draft.json.id}`)).status).toBe(404);
    expect((await t.api.request('DELETE', `/forms/${formId}`, { token: a.token })).status).toBe(
      204,
    );
    expect((await t.api.request('GET', `/public/forms/${formId}`)).status).toBe(404);
    expect((await submit(formId, validFields())).status).toBe(404);
  });
});

describe('another tenant', () => {
  it('gets 404 for the forms and leads of a tenant, exactly like missing ones', async () => {
    nextWindow();
    const formId = await publishedForm(t.api, a.token);
    const accepted = await submit(formId, validFields());
    const lead = await waitForLead(t.api, a.token, accepted.json.submissionId);
    const missingLead = 'ld_0000000000000000000000';
    for (const [method, path, body] of [
      ['GET', `/forms/${formId}`],
      ['PUT', `/forms/${formId}`, contactFormBody({ name: 'Mine now' })],
      ['POST', `/forms/${formId}/publish`],
      ['GET', `/leads/${lead.id}`],
      ['PATCH', `/leads/${lead.id}`, { stage: 'won' }],
      ['GET', `/leads/${lead.id}/notes`],
      ['POST', `/leads/${lead.id}/sync`],
      ['DELETE', `/leads/${lead.id}`],
    ] as const) {
      const theirs = await t.api.request(method, path, { token: b.token, body });
      const missing = await t.api.request(
        method,
        path.replace(lead.id, missingLead).replace(formId, 'fm_00000000000000000000'),
        {
          token: b.token,
          body,
        },
      );
      expect(theirs.status, `${method} ${path}`).toBe(404);
      expect(theirs.json, `${method} ${path}`).toEqual(missing.json);
    }
    // B's lists and exports never show A's lead; A's lead is untouched.
    expect((await leadsOf(t.api, b.token)).map((l) => l.id)).not.toContain(lead.id);
    expect(
      (await t.api.request('GET', '/leads/export.csv', { token: b.token })).text,
    ).not.toContain(lead.id);
    const still = await t.api.request('GET', `/leads/${lead.id}`, { token: a.token });
    expect(still.json.stage).toBe('new');
    expect(still.json.deletedAt).toBeUndefined();
    // B cannot post leads to A's form through its API either.
    const viaApi = await t.api.request('POST', '/leads', {
      token: b.token,
      body: { formId, fields: validFields() },
    });
    expect(viaApi.status).toBe(404);
  });

  it('cannot bend a signed asset URL into another tenant’s asset', async () => {
    const logo = png();
    for (const tenant of [a, b]) {
      const res = await t.api.request('POST', '/branding/logo', {
        token: tenant.token,
        raw: logo,
        headers: { 'content-type': 'image/gif' }, // the bytes decide, not the header
      });
      expect(res.status, res.text).toBe(201);
      expect(res.json.logoContentType).toBe('image/png');
    }
    const aUrl = new URL(
      (await t.api.request('GET', '/branding', { token: a.token })).json.logoUrl,
    );
    const own = await fetch(aUrl);
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await own.arrayBuffer())).toEqual(logo);

    // Same signature, B's tenant id in the path (B has the very same file): refused.
    const swapped = new URL(aUrl);
    swapped.pathname = aUrl.pathname.replace(encodeURIComponent(a.id), encodeURIComponent(b.id));
    expect(swapped.pathname).not.toBe(aUrl.pathname);
    expect((await fetch(swapped)).status).toBe(404);
    // A later expiry with the old signature: refused.
    const extended = new URL(aUrl);
    extended.searchParams.set('exp', String(Number(aUrl.searchParams.get('exp')) + 3600));
    expect((await fetch(extended)).status).toBe(404);
    // Path tricks and unsigned requests: refused.
    expect(
      (
        await fetch(
          `${t.sb.url}/assets/${encodeURIComponent(`tenants/${a.id}/../${b.id}/branding/x.png`)}?exp=1&sig=x`,
        )
      ).status,
    ).toBe(404);
    expect((await fetch(`${t.sb.url}${aUrl.pathname}`)).status).toBe(404);
    // Past its expiry the genuine URL stops working.
    clockOffsetMs += 2 * 3600_000;
    const expired = await fetch(aUrl);
    expect(expired.status).toBe(403);
    clockOffsetMs -= 2 * 3600_000;
  });

  it('never gets a logo that is not an image, or an SVG with active content', async () => {
    const svg = await t.api.request('POST', '/branding/logo', {
      token: a.token,
      raw: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#f60"/></svg>',
      headers: { 'content-type': 'image/svg+xml' },
    });
    expect(svg.status, svg.text).toBe(201);
    const served = await fetch(svg.json.logoUrl);
    expect(served.headers.get('content-type')).toBe('image/svg+xml');
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    for (const raw of [
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
      '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
      '<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
      'GIF89a not an accepted image',
    ]) {
      const res = await t.api.request('POST', '/branding/logo', {
        token: a.token,
        raw,
        headers: { 'content-type': 'image/svg+xml' },
      });
      expect(res.status, raw).toBe(415);
      expect(res.json.error.code).toBe('invalid_image');
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  customSize,
  LEAD_CUSTOM_MAX_BYTES,
  LEAD_CUSTOM_MAX_KEYS,
} from '../../src/modules/leads/lead-limits';
import {
  createTenant,
  startTestSandbox,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import { unique, waitForLead } from './lead-fixtures';

// A lead is one DynamoDB item (400 KB at most): its custom fields are capped on the item as
// stored, on every path that writes them, and refused with 422 `lead_too_large` before the store
// would refuse them. A list's created-at range is checked by the route's query contract.

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
  apiKey = key.json.key;
});

afterAll(async () => {
  await t?.stop();
});

/** `keys` custom values of `chars` characters, named `<prefix>_<i>`. */
const custom = (prefix: string, keys: number, chars: number, char = 'x') =>
  Object.fromEntries(
    Array.from({ length: keys }, (_, i) => [`${prefix}_${i}`, char.repeat(chars)]),
  );

async function apiLead(fields: Record<string, unknown>) {
  return t.api.request('POST', '/leads', { headers: { 'x-api-key': apiKey }, body: { fields } });
}

async function newLead(): Promise<any> {
  const res = await apiLead({ name: 'Bounded', email: `${unique('bounded')}@example.com` });
  expect(res.status, res.text).toBe(202);
  return waitForLead(t.api, tenant.token, res.json.submissionId);
}

const leadDlqEmpty = async () => {
  for (const queue of ['LeadStoreQueue', 'LeadMergeQueue'] as const) {
    expect(t.sb.leads.queues[queue].dlq.stats().visible, queue).toBe(0);
  }
};

describe('custom fields on a lead', () => {
  it('54 KB PATCHes: the second is a 422 lead_too_large, and the lead stays readable', async () => {
    // Prepare
    const lead = await newLead();
    const statuses: number[] = [];
    let refused: any;

    // Act: eight PATCHes of 54 KB of custom fields each, under new keys every time.
    for (let i = 0; i < 8; i++) {
      const res = await t.api.request('PATCH', `/leads/${lead.id}`, {
        token: tenant.token,
        body: { custom: custom(`p${i}`, 6, 9000) },
      });
      statuses.push(res.status);
      if (res.status !== 200) refused = res.json;
    }

    // Assess
    expect(statuses).toEqual([200, 422, 422, 422, 422, 422, 422, 422]);
    expect(refused.error).toMatchObject({
      code: 'lead_too_large',
      fields: { custom: expect.stringMatching(/at most 65536 bytes/) },
    });
    const read = await t.api.request('GET', `/leads/${lead.id}`, { token: tenant.token });
    expect(read.status).toBe(200);
    expect(Object.keys(read.json.custom).sort()).toEqual(Object.keys(custom('p0', 6, 9000)).sort());
    // Removing values is always allowed; what fits again is accepted.
    const shrink = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { custom: { p0_0: null, p0_1: null, p0_2: null } },
    });
    expect(shrink.status, shrink.text).toBe(200);
    const grow = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { custom: custom('q', 3, 9000) },
    });
    expect(grow.status, grow.text).toBe(200);
    expect(customSize(grow.json.custom).bytes).toBeLessThanOrEqual(LEAD_CUSTOM_MAX_BYTES);
  });

  it('holds the cap against concurrent PATCHes (each write is conditional on what it read)', async () => {
    const lead = await newLead();
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        t.api.request('PATCH', `/leads/${lead.id}`, {
          token: tenant.token,
          body: { custom: custom(`c${i}`, 4, 10_000) },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 422, 422, 422]);
    const read = await t.api.request('GET', `/leads/${lead.id}`, { token: tenant.token });
    expect(customSize(read.json.custom).bytes).toBeLessThanOrEqual(LEAD_CUSTOM_MAX_BYTES);
  });

  it('caps the number of custom fields on a PATCH', async () => {
    const lead = await newLead();
    const res = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { custom: custom('k', LEAD_CUSTOM_MAX_KEYS + 1, 1) },
    });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('lead_too_large');
  });

  it('refuses an API lead whose custom fields pass the cap once normalised', async () => {
    // U+FB2C is 3 bytes and becomes 6 in NFC: under the body limit as sent, over the cap as kept.
    const res = await apiLead({
      email: `${unique('nfc')}@example.com`,
      ...custom('c', 40, 400, '\ufb2c'),
    });
    expect(res.status, res.text).toBe(422);
    expect(res.json.error.code).toBe('lead_too_large');
  });

  it('rejects an imported row whose custom fields pass the cap, and keeps the others', async () => {
    const columns = Array.from({ length: 50 }, (_, i) => `col_${i}`);
    const big = Array.from({ length: 50 }, () => 'y'.repeat(2000));
    const csv = [
      ['name', 'email', ...columns].join(','),
      ['Too Big', `${unique('big')}@example.com`, ...big].join(','),
      ['Small', `${unique('small')}@example.com`, ...columns.map(() => 's')].join(','),
    ].join('\r\n');
    const res = await t.api.request('POST', '/leads/import', {
      token: tenant.token,
      raw: csv,
      headers: { 'content-type': 'text/csv' },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.json.accepted).toBe(1);
    expect(res.json.rejected).toEqual([
      { row: 2, fields: { custom: expect.stringMatching(/at most 65536 bytes/) } },
    ]);
  });

  it('holds the cap on the merged lead when submissions of one person accumulate', async () => {
    // Prepare: the same person posts twice, each time ~56 KB of custom fields under new keys.
    const email = `${unique('merge')}@example.com`;
    const first = await apiLead({ email, ...custom('first', 40, 1400) });
    expect(first.status, first.text).toBe(202);
    await waitForLead(t.api, tenant.token, first.json.submissionId);

    // Act
    const second = await apiLead({ email, ...custom('second', 40, 1400) });
    expect(second.status, second.text).toBe(202);

    // Assess: one lead, both submissions stored in full, the lead within its caps, no DLQ.
    const lead = await waitForLead(
      t.api,
      tenant.token,
      second.json.submissionId,
      (l) => l.submissionCount === 2,
    );
    const size = customSize(lead.custom);
    expect(size.bytes).toBeLessThanOrEqual(LEAD_CUSTOM_MAX_BYTES);
    expect(size.keys).toBeLessThanOrEqual(LEAD_CUSTOM_MAX_KEYS);
    expect(Object.keys(lead.custom).filter((k) => k.startsWith('second_')).length).toBeGreaterThan(
      0,
    );
    const stored = lead.submissions.find((s: any) => s.id === second.json.submissionId);
    expect(Object.keys(stored.fields).filter((k) => k.startsWith('second_'))).toHaveLength(40);
    await leadDlqEmpty();
    // The lead still takes edits.
    const edit = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { stage: 'qualified' },
    });
    expect(edit.status, edit.text).toBe(200);
  });
});

describe('created-at ranges', () => {
  const later = '2026-03-01T00:00:00Z';
  const earlier = '2026-02-01T00:00:00Z';

  it('answer 400 naming from and to when inverted, on the list and the export', async () => {
    for (const path of ['/leads', '/leads/export.csv']) {
      const res = await t.api.request(
        'GET',
        `${path}?from=${encodeURIComponent(later)}&to=${encodeURIComponent(earlier)}`,
        { token: tenant.token },
      );
      expect(res.status, path).toBe(400);
      expect(res.json.error).toMatchObject({
        code: 'validation_failed',
        fields: { from: expect.any(String), to: expect.any(String) },
      });
    }
  });

  it('compare instants, so offsets count, and accept an empty or ordered range', async () => {
    const ordered = [
      [earlier, later],
      [later, later],
      // 10:00 at +05:00 is 05:00Z: before 06:00Z.
      ['2026-01-01T10:00:00+05:00', '2026-01-01T06:00:00Z'],
    ];
    for (const [from, to] of ordered) {
      for (const path of ['/leads', '/leads/export.csv']) {
        const res = await t.api.request(
          'GET',
          `${path}?from=${encodeURIComponent(from!)}&to=${encodeURIComponent(to!)}`,
          { token: tenant.token },
        );
        expect(res.status, `${path} ${from} ${to}`).toBe(200);
      }
    }
  });
});

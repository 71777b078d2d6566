import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/engine/data/keys';
import { startContactsWorld, type ContactsWorld } from './contacts-harness';

// POST /admin/tenants/{id}/customer-search/backfill: customers written before the search index
// existed become searchable, a page of 1,000 per call resumed from `next`; only a platform admin
// may run it, on a workspace that exists, and running it again changes nothing.

let w: ContactsWorld;

beforeAll(async () => {
  w = await startContactsWorld();
});
afterAll(async () => {
  await w?.t.stop();
});

const backfill = (tenantId: string, token: string, body: unknown = {}) =>
  w.t.api.request('POST', `/admin/tenants/${tenantId}/customer-search/backfill`, { token, body });
const search = (q: string) =>
  w.t.api.request('GET', `/customers?search=${encodeURIComponent(q)}`, { token: w.wa.token });
const indexItems = async () => {
  const items: unknown[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await w.t.sb.db.query({ pk: keys.customerSearchPk(w.wa.id), startKey });
    items.push(...page.items);
    startKey = page.lastKey;
  } while (startKey);
  return items.length;
};

describe('customer search backfill', () => {
  it('indexes old customers in resumable pages, once, for a platform admin only', async () => {
    // Prepare: 1,050 customers written straight to the table, as before the index existed.
    const tenantId = w.wa.id;
    const at = new Date().toISOString();
    const old = Array.from({ length: 1_050 }, (_, i) => {
      const id = `ct-old${String(i).padStart(5, '0')}`;
      return { ...keys.customer(tenantId, id), entity: 'Customer', id, name: `Old Person ${i}` };
    }).map((item) => ({ ...item, createdAt: at, updatedAt: at }));
    old[1_049]!.name = 'Wilhelmina Oakhurst';
    await w.t.sb.db.putMany(old);
    expect((await search('wilhelmina')).json.items).toEqual([]);

    // A workspace's own token, and a workspace that does not exist, are refused.
    const own = await backfill(tenantId, w.wa.token);
    expect(own.status).toBe(403);
    const unknown = await backfill('tn_doesnotexist', w.t.adminToken);
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
    const bad = await backfill(tenantId, w.t.adminToken, { after: '../x' });
    expect(bad.status).toBe(400);
    expect(await indexItems()).toBe(0);

    // Act: run it to the end, as its answers say.
    let after: string | undefined;
    let calls = 0;
    let indexed = 0;
    do {
      const res = await backfill(tenantId, w.t.adminToken, after ? { after } : {});
      expect(res.status, res.text).toBe(200);
      indexed += res.json.indexed;
      after = res.json.next ?? undefined;
      calls++;
    } while (after && calls < 5);

    // Assess: two pages, every customer, and search finds the last one.
    expect(calls).toBe(2);
    expect(indexed).toBeGreaterThanOrEqual(1_050);
    expect((await search('wilhelmina')).json.items.map((c: any) => c.id)).toEqual(['ct-old01049']);
    expect((await search('old person 7')).json.items.map((c: any) => c.id)).toContain(
      'ct-old00007',
    );
    const items = await indexItems();

    // Again: the same index, and search answers the same.
    const first = await backfill(tenantId, w.t.adminToken);
    expect(first.status).toBe(200);
    const second = await backfill(tenantId, w.t.adminToken, { after: first.json.next });
    expect(second.json.next).toBeNull();
    expect(await indexItems()).toBe(items);
    expect((await search('wilhelmina')).json.items).toHaveLength(1);
  });
});

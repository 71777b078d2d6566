import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/engine/data/keys';
import { CustomerRepo } from '../../src/modules/messaging/customer.repo';
import { waInbound } from '../outbound/outbound-harness';
import { startContactsWorld, setDefaultCountry, type ContactsWorld } from './contacts-harness';

// Customer search over every customer of a workspace, through the search index: by name words,
// e-mail, a phone in any format or its last digits; a customer far beyond the old 2,000-item scan
// is found, and a page costs the same few requests whatever the workspace's size.

let w: ContactsWorld;

beforeAll(async () => {
  w = await startContactsWorld();
  await setDefaultCountry(w.t, w.wa.token, 'US');
});
afterAll(async () => {
  await w?.t.stop();
});

const search = (q: string, token = w.wa.token) =>
  w.t.api.request('GET', `/customers?search=${encodeURIComponent(q)}`, { token });
const idsOf = (res: { json: any }) => res.json.items.map((c: any) => c.id);

describe('customer search', () => {
  it('finds a contact by name words, e-mail, and a phone typed in any format', async () => {
    const created = await w.t.api.request('POST', '/customers', {
      token: w.wa.token,
      body: { name: 'Léa Montclair', phone: '+1 650 253 0042', email: 'lea.m@example.net' },
    });
    const id = created.json.id;
    for (const q of [
      'lea',
      'MONT',
      'léa montclair',
      'montclair lea',
      'lea.m@exa',
      '(650) 253-0042',
      '650-253-00',
      '+16502530042',
      '0042',
    ]) {
      expect(idsOf(await search(q)), q).toEqual([id]);
    }
    expect(idsOf(await search('lea nobody'))).toEqual([]);
    expect(idsOf(await search('ontclair'))).toEqual([]);
  });

  it('follows a rename: the old name no longer finds the contact', async () => {
    const created = await w.t.api.request('POST', '/customers', {
      token: w.wa.token,
      body: { name: 'Quillon Brask', clientKey: 'rename-1' },
    });
    await w.t.api.request('PATCH', `/customers/${created.json.id}`, {
      token: w.wa.token,
      body: { name: 'Quillon Ferreira' },
    });
    expect(idsOf(await search('brask'))).toEqual([]);
    expect(idsOf(await search('ferreira'))).toEqual([created.json.id]);
    // The index holds the new words only (the stale one was deleted).
    const index = await w.t.sb.db.query({
      pk: keys.customerSearchPk(w.wa.id),
      sk: { beginsWith: 't:quillon' },
    });
    expect(index.items.map((i) => i.SK)).toEqual([`t:quillon#${created.json.id}`]);
    const stale = await w.t.sb.db.query({
      pk: keys.customerSearchPk(w.wa.id),
      sk: { beginsWith: 't:brask' },
    });
    expect(stale.items).toEqual([]);
  });

  it('finds a WhatsApp sender by name and number as soon as they wrote', async () => {
    const { from } = await waInbound(w.t, w.wa, { name: 'Zéfiro Quental' });
    expect(idsOf(await search('zefiro'))).toEqual([`wa-${from}`]);
    expect(idsOf(await search(from.slice(-6)))).toEqual([`wa-${from}`]);
  });

  it('pages through many matches without answering anyone twice', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await w.t.api.request('POST', '/customers', {
        token: w.wa.token,
        // Two words that both start with the query: still one answer per contact.
        body: { name: `Pagina Paginator ${i}`, clientKey: `page-${i}` },
      });
      made.push(res.json.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await w.t.api.request(
        'GET',
        `/customers?search=pagin&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: w.wa.token },
      );
      expect(res.status).toBe(200);
      seen.push(...idsOf(res));
      cursor = res.json.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen.sort()).toEqual([...made].sort());
  });

  it('finds a customer beyond the first 2,000 with a bounded number of requests', async () => {
    // 2,600 customers written straight to the table (as before the index existed), then the
    // backfill indexes them; the one searched for sorts last by id.
    const tenantId = w.wa.id;
    const at = new Date().toISOString();
    const filler = Array.from({ length: 2_600 }, (_, i) => ({
      ...keys.customer(tenantId, `ct-fill${String(i).padStart(5, '0')}`),
      entity: 'Customer',
      id: `ct-fill${String(i).padStart(5, '0')}`,
      name: `Filler Person ${i}`,
      createdAt: at,
      updatedAt: at,
    }));
    const needle = {
      ...keys.customer(tenantId, 'ct-zzzzneedle'),
      entity: 'Customer',
      id: 'ct-zzzzneedle',
      name: 'Ottoline Vasquez-Rae',
      phone: '+16502539911',
      createdAt: at,
      updatedAt: at,
    };
    await w.t.sb.db.putMany([...filler, needle]);
    const repo = new CustomerRepo(w.t.sb.db, tenantId);
    expect((await search('ottoline')).json.items).toEqual([]);
    const { customers } = await repo.backfillSearchIndex();
    expect(customers).toBeGreaterThan(2_600);
    // Again: nothing left to do, so it writes nothing.
    const writes = w.t.sb.db.counts.writes;
    await repo.backfillSearchIndex();
    expect(w.t.sb.db.counts.writes).toBe(writes);

    // The counts are the whole sandbox's: the campaigns' due sweep (a Query a second) is held.
    await w.t.sb.campaigns.sweep.stop();
    const before = { ...w.t.sb.db.counts };
    const found = await search('ottoline');
    const cost = {
      queries: w.t.sb.db.counts.queries - before.queries,
      reads: w.t.sb.db.counts.reads - before.reads,
    };
    w.t.sb.campaigns.sweep.start();
    expect(idsOf(found)).toEqual(['ct-zzzzneedle']);
    // One index query and one batch read, plus what signing in reads; a scan would be 14+ queries.
    expect(cost.queries).toBeLessThanOrEqual(2);
    expect(cost.reads).toBeLessThanOrEqual(6);
    expect(idsOf(await search('(650) 253-9911'))).toEqual(['ct-zzzzneedle']);
  });
});

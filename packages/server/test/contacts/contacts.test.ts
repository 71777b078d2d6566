import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waTenant, type WaTenant } from '../outbound/outbound-harness';
import { startContactsWorld, setDefaultCountry, type ContactsWorld } from './contacts-harness';

// Contacts an agent creates and edits: validation, the natural keys that make a create
// idempotent (phone → the WhatsApp contact of that number, e-mail → its owner, clientKey), the
// conflicts an edit cannot make, and the tenant wall on every new route.

let w: ContactsWorld;
let other: WaTenant;

beforeAll(async () => {
  w = await startContactsWorld();
  await setDefaultCountry(w.t, w.wa.token, 'US');
  other = await waTenant(w.t);
});
afterAll(async () => {
  await w?.t.stop();
});

const as = (token: string) => (method: string, path: string, body?: unknown) =>
  w.t.api.request(method, path, { token, body });

describe('creating a contact', () => {
  it('refuses what is not a contact, naming the field', async () => {
    const call = as(w.wa.token);
    const empty = await call('POST', '/customers', {});
    expect(empty.status).toBe(400);
    expect(empty.json.error.code).toBe('validation_failed');
    const badPhone = await call('POST', '/customers', { name: 'X', phone: '12345' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.json.error.fields).toHaveProperty('phone');
    const badEmail = await call('POST', '/customers', { email: 'not-an-address' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.json.error.fields).toHaveProperty('email');
    const badKey = await call('POST', '/customers', { name: 'X', attributes: { '1st': 'a' } });
    expect(badKey.status).toBe(400);
    const tooMany = await call('POST', '/customers', {
      name: 'X',
      attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])),
    });
    expect(tooMany.status).toBe(400);
    const nested = await call('POST', '/customers', { name: 'X', attributes: { a: { b: 1 } } });
    expect(nested.status).toBe(400);
    const unknown = await call('POST', '/customers', { name: 'X', role: 'admin' });
    expect(unknown.status).toBe(400);
  });

  it('stores the phone in E.164 with the default country, and a second create answers the same contact', async () => {
    const call = as(w.wa.token);
    const first = await call('POST', '/customers', {
      name: 'Dana Whitfield',
      phone: '(650) 253-0001',
      company: 'Acme',
      attributes: { plan: 'pro', seats: 12, vip: true },
      tags: ['trial', 'trial', 'west'],
    });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({
      id: 'wa-16502530001',
      name: 'Dana Whitfield',
      phone: '+16502530001',
      company: 'Acme',
      attributes: { plan: 'pro', seats: 12, vip: true },
      tags: ['trial', 'west'],
    });
    const again = await call('POST', '/customers', { name: 'Dana W.', phone: '+1 650-253-0001' });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: 'wa-16502530001', name: 'Dana Whitfield' });
  });

  it('is idempotent by e-mail and by client key, and a phone and e-mail of two contacts conflict', async () => {
    const call = as(w.wa.token);
    const byEmail = await call('POST', '/customers', { name: 'Eve', email: 'Eve@Example.com' });
    expect(byEmail.status).toBe(201);
    expect(byEmail.json.email).toBe('eve@example.com');
    const sameEmail = await call('POST', '/customers', { email: 'eve@example.com' });
    expect(sameEmail.status).toBe(200);
    expect(sameEmail.json.id).toBe(byEmail.json.id);

    const keyed = await call('POST', '/customers', { name: 'Walk-in', clientKey: 'desk-42' });
    const keyedAgain = await call('POST', '/customers', { name: 'Walk-in', clientKey: 'desk-42' });
    expect([keyed.status, keyedAgain.status]).toEqual([201, 200]);
    expect(keyedAgain.json.id).toBe(keyed.json.id);
    const unkeyed = await call('POST', '/customers', { name: 'Walk-in' });
    expect(unkeyed.json.id).not.toBe(keyed.json.id);

    // A phone contact that gives Eve's address: the address belongs to another contact.
    const clash = await call('POST', '/customers', {
      phone: '+16502530002',
      email: 'eve@example.com',
    });
    expect(clash.status).toBe(409);
    expect(clash.json.error.code).toBe('contact_conflict');
    const notStored = await call('GET', '/customers/wa-16502530002');
    expect(notStored.status).toBe(404);
  });
});

describe('editing a contact', () => {
  it('changes only the fields given, clears with null, and keeps the name over WhatsApp’s', async () => {
    const call = as(w.wa.token);
    const created = await call('POST', '/customers', { name: 'Fay', phone: '+16502530003' });
    const id = created.json.id;
    const edited = await call('PATCH', `/customers/${id}`, {
      name: 'Fay Okafor',
      email: 'fay@example.org',
      attributes: { source: 'fair' },
      tags: ['vip'],
    });
    expect(edited.status, edited.text).toBe(200);
    expect(edited.json).toMatchObject({
      name: 'Fay Okafor',
      email: 'fay@example.org',
      phone: '+16502530003',
      attributes: { source: 'fair' },
      tags: ['vip'],
    });
    const cleared = await call('PATCH', `/customers/${id}`, { email: null, tags: [] });
    expect(cleared.json.email).toBeUndefined();
    expect(cleared.json.tags).toEqual([]);
    expect((await call('PATCH', `/customers/${id}`, {})).status).toBe(400);
    expect((await call('PATCH', `/customers/${id}`, { phone: 'call me' })).status).toBe(400);
  });

  it('refuses a phone or e-mail another contact has', async () => {
    const call = as(w.wa.token);
    const a = await call('POST', '/customers', {
      name: 'Gil',
      phone: '+16502530004',
      email: 'gil@example.org',
    });
    const b = await call('POST', '/customers', { name: 'Hal', phone: '+16502530005' });
    const phone = await call('PATCH', `/customers/${b.json.id}`, { phone: '(650) 253-0004' });
    expect(phone.status).toBe(409);
    expect(phone.json.error.code).toBe('contact_conflict');
    const email = await call('PATCH', `/customers/${b.json.id}`, { email: 'GIL@example.org' });
    expect(email.status).toBe(409);
    const still = await call('GET', `/customers/${b.json.id}`);
    expect(still.json).toMatchObject({ phone: '+16502530005' });
    expect(still.json.email).toBeUndefined();
    expect(a.status).toBe(201);
  });

  it('emits contact.updated with the same id for the same change', async () => {
    const call = as(w.wa.token);
    const created = await call('POST', '/customers', { name: 'Ivo', clientKey: 'ivo-1' });
    await call('POST', '/customers', { name: 'Ivo', clientKey: 'ivo-1' });
    const ofIvo = w.events.filter(
      (e) => e.event.type === 'contact.updated' && e.event.data.contact.id === created.json.id,
    );
    expect(ofIvo.length).toBe(2);
    expect(ofIvo[0]!.tenantId).toBe(w.wa.id);
    expect(ofIvo[1]!.event.id).toBe(ofIvo[0]!.event.id);
  });
});

describe('the tenant wall', () => {
  it('answers 404 for another workspace’s contact on every contact route', async () => {
    const victim = await as(w.wa.token)('POST', '/customers', {
      name: 'Jo',
      phone: '+16502530006',
    });
    const mine = await as(other.token)('POST', '/customers', { name: 'Mine', clientKey: 'm' });
    const intruder = as(other.token);
    const attempts = [
      await intruder('PATCH', `/customers/${victim.json.id}`, { name: 'Taken' }),
      await intruder('POST', `/customers/${victim.json.id}/merge`, { sourceId: mine.json.id }),
      await intruder('POST', `/customers/${mine.json.id}/merge`, { sourceId: victim.json.id }),
      await intruder('GET', `/customers/${victim.json.id}`),
      await intruder('PATCH', '/customers/not-an-id', { name: 'x' }),
    ];
    for (const res of attempts) {
      expect(res.status, res.text).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    const search = await intruder('GET', '/customers?search=Jo');
    expect(search.json.items.map((c: any) => c.id)).not.toContain(victim.json.id);
    const still = await as(w.wa.token)('GET', `/customers/${victim.json.id}`);
    expect(still.json).toMatchObject({ name: 'Jo' });
    expect(still.json.mergedFrom).toBeUndefined();
  });
});

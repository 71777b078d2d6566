import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waTextEntry } from '../factories/meta';
import { deliver, igInbound, messagesOf, waInbound } from '../outbound/outbound-harness';
import { startContactsWorld, type ContactsWorld } from './contacts-harness';

// Merging one person's WhatsApp and Instagram into one contact: one timeline, audited,
// idempotent, and messages received afterwards on either identity stay on that one contact.

let w: ContactsWorld;

beforeAll(async () => {
  w = await startContactsWorld();
});
afterAll(async () => {
  await w?.t.stop();
});

const call = (method: string, path: string, body?: unknown) =>
  w.t.api.request(method, path, { token: w.wa.token, body });
const merge = (targetId: string, sourceId: string) =>
  call('POST', `/customers/${targetId}/merge`, { sourceId });

describe('merging contacts', () => {
  it('merges WhatsApp into Instagram: one timeline, before and after new messages on both', async () => {
    const { from } = await waInbound(w.t, w.wa, {
      name: 'Ana Zap',
      text: 'wa one',
      ageSeconds: 90,
    });
    const { senderId } = await igInbound(w.t, w.ig, { text: 'ig one' });
    const source = `wa-${from}`;
    const target = `ig-${senderId}`;

    const merged = await merge(target, source);
    expect(merged.status, merged.text).toBe(200);
    expect(merged.json).toMatchObject({
      sourceId: source,
      contact: {
        id: target,
        name: 'Ana Zap',
        identities: { whatsapp: from, instagram: senderId },
        mergedFrom: [source],
      },
    });
    // Again: the same answer, no second audit entry, the same event id.
    const again = await merge(target, source);
    expect(again.status).toBe(200);
    expect(again.json.mergedAt).toBe(merged.json.mergedAt);
    expect(again.json.contact.identities).toEqual(merged.json.contact.identities);
    const audit = await call('GET', '/audit-events?limit=100');
    const entries = audit.json.items.filter((e: any) => e.action === 'contact.merged');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      target: { type: 'customer', id: target },
      details: { sourceId: source },
    });
    const events = w.events.filter((e) => e.event.type === 'contact.merged');
    expect(events).toHaveLength(2);
    expect(events[1]!.event.id).toBe(events[0]!.event.id);

    // New messages on both identities.
    await deliver(w.t, [
      waTextEntry({
        wabaId: w.wa.wabaId,
        phoneNumberId: w.wa.phoneNumberId,
        from,
        text: 'wa two',
        timestamp: Math.floor(Date.now() / 1000) - 10,
      }),
    ]);
    await igInbound(w.t, w.ig, { senderId, text: 'ig two' });

    const page = await call('GET', `/customers/${target}`);
    expect(page.status).toBe(200);
    const texts = page.json.timeline.items.map((m: any) => m.text);
    expect([...texts].sort()).toEqual(['ig one', 'ig two', 'wa one', 'wa two']);
    const times = page.json.timeline.items.map((m: any) => m.timestamp);
    expect(times).toEqual([...times].sort().reverse());
    // The WhatsApp message after the merge continued the merged identity's conversation, which
    // is the contact's now: one WhatsApp conversation, listed on its page.
    const inboxNow = await call('GET', '/conversations?limit=100');
    const own = inboxNow.json.items.filter(
      (c: any) => c.customer.id === target && c.channel === 'whatsapp',
    );
    expect(own, 'one WhatsApp conversation of the target').toHaveLength(1);
    expect((await messagesOf(w.t, w.wa.token, own[0].id)).map((m: any) => m.text)).toEqual([
      'wa two',
      'wa one',
    ]);
    const listed = page.json.conversations.map((c: any) => c.id);
    expect(listed).toContain(own[0].id);
    expect(listed).toHaveLength(2);
    expect(page.json.leadIds).toEqual([]);

    // Paging the merged timeline one at a time gives the same four, once each.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await call(
        'GET',
        `/customers/${target}?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      paged.push(...res.json.timeline.items.map((m: any) => m.text));
      cursor = res.json.timeline.nextCursor;
    } while (cursor && paged.length < 10);
    expect(paged).toEqual(texts);

    // One customer in the search, by either identity's details.
    for (const q of [from, 'ana zap', from.slice(-5)]) {
      const found = await call('GET', `/customers?search=${encodeURIComponent(q)}`);
      expect(
        found.json.items.map((c: any) => c.id),
        q,
      ).toEqual([target]);
    }
    const list = await call('GET', '/customers?limit=100');
    expect(list.json.items.map((c: any) => c.id)).not.toContain(source);
    const pointer = await call('GET', `/customers/${source}`);
    expect(pointer.json.mergedInto).toBe(target);
    // The merged identity's old conversation is the contact's, under its id and name.
    const inbox = await call('GET', '/conversations?limit=100');
    expect(inbox.json.items.find((c: any) => c.customer.id === source)).toBeUndefined();
    expect(inbox.json.items.find((c: any) => c.id === own[0].id).customer.name).toBe('Ana Zap');
  });

  it('refuses a merge that cannot be one person, and chains into the last target', async () => {
    const a = await call('POST', '/customers', { name: 'A', clientKey: 'chain-a' });
    const b = await call('POST', '/customers', { name: 'B', clientKey: 'chain-b' });
    const c = await call('POST', '/customers', { name: 'C', clientKey: 'chain-c' });
    expect((await merge(a.json.id, a.json.id)).status).toBe(400);
    expect((await merge(a.json.id, 'ct-doesnotexist')).status).toBe(404);
    expect((await merge(b.json.id, a.json.id)).status).toBe(200);
    // A is a pointer now: it can neither take a merge nor be merged elsewhere.
    const intoPointer = await merge(a.json.id, c.json.id);
    expect(intoPointer.status).toBe(409);
    expect(intoPointer.json.error.code).toBe('contact_merged');
    const pointerElsewhere = await merge(c.json.id, a.json.id);
    expect(pointerElsewhere.status).toBe(409);
    // B into C: A, merged into B before, now points at C (one hop).
    const bc = await merge(c.json.id, b.json.id);
    expect(bc.status).toBe(200);
    expect([...bc.json.contact.mergedFrom].sort()).toEqual([a.json.id, b.json.id].sort());
    expect((await call('GET', `/customers/${a.json.id}`)).json.mergedInto).toBe(c.json.id);
    const edit = await call('PATCH', `/customers/${a.json.id}`, { name: 'x' });
    expect(edit.json.error.code).toBe('contact_merged');

    // Two WhatsApp numbers are two identities on one channel: not one contact.
    const one = await waInbound(w.t, w.wa, { name: 'One' });
    const two = await waInbound(w.t, w.wa, { name: 'Two' });
    const clash = await merge(`wa-${one.from}`, `wa-${two.from}`);
    expect(clash.status).toBe(409);
    expect(clash.json.error.code).toBe('merge_conflict');
    expect((await call('GET', `/customers/wa-${two.from}`)).json.mergedInto).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { igTextEntry, waTextEntry } from '../factories/meta';
import { waitForLead } from '../leads/lead-fixtures';
import { deliver, igInbound, messagesOf, waInbound } from '../outbound/outbound-harness';
import { startContactsWorld, type ContactsWorld } from './contacts-harness';

// After a merge the source's conversations and leads belong to the target: the inbox, the
// thread, the contact's page and the next message on the source's identity all say so.

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
const inbox = async () => (await call('GET', '/conversations?limit=100')).json.items as any[];
const seconds = (ago: number) => Math.floor(Date.now() / 1000) - ago;

describe('merged contacts keep one timeline', () => {
  it('merging and then receiving messages on both identities keeps one timeline, and a merge is idempotent', async () => {
    // Prepare: one person writes on WhatsApp and on Instagram: two contacts.
    const { from, conversation: waConv } = await waInbound(w.t, w.wa, {
      name: 'Bea Zap',
      text: 'wa before',
      ageSeconds: 120,
    });
    const { senderId, conversation: igConv } = await igInbound(w.t, w.ig, { text: 'ig before' });
    const source = `wa-${from}`;
    const target = `ig-${senderId}`;
    await call('PATCH', `/customers/${target}`, { name: 'Beatriz Souza' });

    // Act: merge the WhatsApp contact into the Instagram one.
    const merged = await merge(target, source);
    expect(merged.status, merged.text).toBe(200);

    // Assess: the source's conversation is the target's, in the inbox and on its own.
    const moved = (await inbox()).find((c) => c.id === waConv.id);
    expect(moved.customer).toMatchObject({ id: target, name: 'Beatriz Souza' });
    expect((await inbox()).filter((c) => c.customer.id === source)).toEqual([]);
    const one = await call('GET', `/conversations/${waConv.id}`);
    expect(one.json.customer.id).toBe(target);
    expect(one.json).not.toHaveProperty('formerCustomerIds');
    // Live: the merge, and the moved conversation under its new contact.
    const merges = w.events.filter((e) => e.event.type === 'contact.merged');
    expect(merges.map((e) => (e.event.data as any).sourceId)).toEqual([source]);
    const updates = () =>
      w.events.filter(
        (e) =>
          e.event.type === 'conversation.updated' &&
          (e.event.data as any).change === 'merged' &&
          (e.event.data as any).conversation.id === waConv.id,
      );
    expect(updates()).toHaveLength(1);
    expect((updates()[0]!.event.data as any).conversation.customer.id).toBe(target);

    // Act: new messages on both identities.
    await deliver(w.t, [
      waTextEntry({
        wabaId: w.wa.wabaId,
        phoneNumberId: w.wa.phoneNumberId,
        from,
        text: 'wa after',
        timestamp: seconds(20),
      }),
    ]);
    await deliver(
      w.t,
      [
        igTextEntry({
          accountId: w.ig.accountId,
          senderId,
          text: 'ig after',
          timestamp: Date.now() - 10_000,
        }),
      ],
      'instagram',
    );

    // Assess: still two conversations, both the target's; each thread has its channel's messages.
    const mine = (await inbox()).filter((c) => [source, target].includes(c.customer.id));
    expect(mine.map((c) => c.id).sort()).toEqual([waConv.id, igConv.id].sort());
    expect(mine.every((c) => c.customer.id === target)).toBe(true);
    const waThread = (await messagesOf(w.t, w.wa.token, waConv.id)).map((m: any) => m.text);
    expect(waThread.sort()).toEqual(['wa after', 'wa before']);
    const igThread = (await messagesOf(w.t, w.wa.token, igConv.id)).map((m: any) => m.text);
    expect(igThread.sort()).toEqual(['ig after', 'ig before']);
    // The thread pages across the partitions it reads, one at a time, each message once.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await call(
        'GET',
        `/conversations/${waConv.id}/messages?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status, res.text).toBe(200);
      paged.push(...res.json.items.map((m: any) => m.text));
      cursor = res.json.nextCursor;
    } while (cursor && paged.length < 10);
    expect(paged).toEqual(['wa after', 'wa before']);

    // The contact's page: both conversations, one timeline.
    const page = await call('GET', `/customers/${target}`);
    expect(page.json.conversations.map((c: any) => c.id).sort()).toEqual(
      [waConv.id, igConv.id].sort(),
    );
    expect(page.json.timeline.items.map((m: any) => m.text)).toEqual([
      'ig after',
      'wa after',
      'ig before',
      'wa before',
    ]);

    // A reply from the contact goes on WhatsApp into the moved conversation, not a new one.
    const sent = await call('POST', '/send-message', {
      customerId: target,
      channel: 'whatsapp',
      text: 'wa reply',
    });
    expect(sent.status, sent.text).toBeLessThan(300);
    expect(sent.json.conversationId).toBe(waConv.id);

    // Act: the same merge again.
    const again = await merge(target, source);

    // Assess: the same answer, nothing moved twice, the same event ids.
    expect(again.status).toBe(200);
    expect(again.json.mergedAt).toBe(merged.json.mergedAt);
    const after = (await inbox()).filter((c) => [source, target].includes(c.customer.id));
    expect(after).toHaveLength(2);
    expect(updates()).toHaveLength(2);
    expect(updates()[1]!.event.id).toBe(updates()[0]!.event.id);
    expect((await messagesOf(w.t, w.wa.token, waConv.id)).map((m: any) => m.text).sort()).toEqual([
      'wa after',
      'wa before',
      'wa reply',
    ]);
  });

  it('moves the leads of the source, and later submissions join the same lead', async () => {
    // Prepare: a form lead with the WhatsApp sender's number, then the sender's contact merged.
    const { from } = await waInbound(w.t, w.wa, { name: 'Caio Lead', ageSeconds: 60 });
    const { senderId } = await igInbound(w.t, w.ig, {});
    const source = `wa-${from}`;
    const target = `ig-${senderId}`;
    const posted = await call('POST', '/leads', { fields: { name: 'Caio', phone: `+${from}` } });
    expect(posted.status, posted.text).toBe(202);
    const lead = await waitForLead(w.t.api, w.wa.token, posted.json.submissionId, () => true);
    expect(lead.contact.id).toBe(source);

    // Act
    expect((await merge(target, source)).status).toBe(200);

    // Assess: the lead shows the target; the contact's page and its lead list have it.
    const detail = await call('GET', `/leads/${lead.id}`);
    expect(detail.json.contact.id).toBe(target);
    expect((await call('GET', `/customers/${target}`)).json.leadIds).toEqual([lead.id]);
    const listed = await call('GET', `/leads?customerId=${target}`);
    expect(listed.json.items.map((l: any) => l.id)).toEqual([lead.id]);
    // A later submission with the source's number joins that lead, now the target's.
    const later = await call('POST', '/leads', { fields: { name: 'Caio', phone: `+${from}` } });
    const joined = await waitForLead(w.t.api, w.wa.token, later.json.submissionId, () => true);
    expect(joined.id).toBe(lead.id);
    expect(joined.contact.id).toBe(target);
  });
});

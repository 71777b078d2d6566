import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/engine/log';
import type { QueueMessageInput, SqsRecord } from '../../src/engine/ports/queue';
import { createMessageProcessor } from '../../src/modules/messaging/message-processor.service';
import { igTextEntry } from '../factories/meta';
import type { TestSandbox } from '../helpers/harness';
import { waitFor } from '../helpers/harness';
import {
  deliver,
  igTenant,
  newMetaId,
  waTenant,
  type IgTenant,
  type WaTenant,
} from '../outbound/outbound-harness';
import { fixtures } from './fixtures';
import {
  conversationOf,
  sendWhatsAppMedia,
  settledMessage,
  startMediaSandbox,
  waitForMediaDrain,
} from './media-harness';

// Who may reach an attachment: only the holder of a URL signed for its exact key, for an hour;
// another tenant can neither read the message nor bend a URL into the object. And Instagram
// senders' profiles: looked up on the first message, re-hosted, cached.

let t: TestSandbox;
let a: WaTenant;
let b: WaTenant;

beforeAll(async () => {
  t = await startMediaSandbox();
  [a, b] = await Promise.all([waTenant(t), waTenant(t)]);
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

/** A copy of `url` with one character of its signature, or of its key, changed. */
function tamper(url: string, part: 'sig' | 'key', at: number): string {
  const u = new URL(url);
  if (part === 'sig') {
    const sig = u.searchParams.get('sig')!;
    const i = at % sig.length;
    u.searchParams.set('sig', sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1));
    return u.toString();
  }
  const key = decodeURIComponent(u.pathname.slice('/assets/'.length));
  // Only letters and digits of the media id and file name: the key stays well-formed.
  const positions = [...key].flatMap((ch, i) =>
    i > key.indexOf('/media/') && /[a-z0-9]/.test(ch) ? [i] : [],
  );
  const i = positions[at % positions.length]!;
  const changed = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
  u.pathname = `/assets/${encodeURIComponent(changed)}`;
  return u.toString();
}

function withKey(url: string, key: string): string {
  const u = new URL(url);
  u.pathname = `/assets/${encodeURIComponent(key)}`;
  return u.toString();
}

const keyOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice('/assets/'.length));

describe('media URLs reach one object of one tenant', () => {
  let url: string;
  let ownUrl: string;
  let conversationId: string;
  let customerId: string;

  beforeAll(async () => {
    const sent = await sendWhatsAppMedia(t, a, 'image', fixtures.jpeg(), {
      mimeType: 'image/jpeg',
    });
    const conversation = await conversationOf(t, a.token, a.channelId, sent.from);
    conversationId = conversation.id;
    customerId = conversation.customer.id;
    url = (await settledMessage(t, a.token, conversation.id, sent.wamid)).media.url;
    const mine = await sendWhatsAppMedia(t, b, 'image', fixtures.png(), {
      mimeType: 'image/png',
    });
    const bConversation = await conversationOf(t, b.token, b.channelId, mine.from);
    ownUrl = (await settledMessage(t, b.token, bConversation.id, mine.wamid)).media.url;
  }, 60_000);

  it('serves the signed URL, under the tenant’s own prefix', async () => {
    // Act
    const res = await fetch(url);

    // Assess
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(fixtures.jpeg())).toBe(true);
    expect(keyOf(url).startsWith(`tenants/${a.id}/media/`)).toBe(true);
  });

  it('answers 403 or 404 when any character of the signature or the key changes', async () => {
    // Act
    const tampered = [
      ...Array.from({ length: 8 }, (_, i) => tamper(url, 'sig', i * 5)),
      ...Array.from({ length: 8 }, (_, i) => tamper(url, 'key', i * 3)),
    ];
    const statuses = await Promise.all(tampered.map(async (u) => (await fetch(u)).status));

    // Assess
    for (const status of statuses) expect([403, 404]).toContain(status);
  });

  it('never serves tenant A’s object through a URL tenant B can build', async () => {
    // Prepare: B's own signed URL works for B's object
    expect((await fetch(ownUrl)).status).toBe(200);
    const aKey = keyOf(url);
    const bKey = keyOf(ownUrl);

    // Act: B's signature on A's key, A's key under B's prefix, B's key with A's tenant id,
    // traversal out of B's prefix, and no signature at all
    const attempts = [
      withKey(ownUrl, aKey),
      withKey(ownUrl, aKey.replace(`tenants/${a.id}/`, `tenants/${b.id}/`)),
      withKey(url, bKey.replace(`tenants/${b.id}/`, `tenants/${a.id}/`)),
      withKey(ownUrl, `tenants/${b.id}/media/../../${a.id}/${aKey.split('/').slice(3).join('/')}`),
      `${t.sb.url}/assets/${encodeURIComponent(aKey)}`,
      `${t.sb.url}/assets/${encodeURIComponent(aKey)}?exp=9999999999&sig=${'A'.repeat(43)}`,
    ];
    const statuses = await Promise.all(attempts.map(async (u) => (await fetch(u)).status));

    // Assess
    for (const status of statuses) expect([403, 404]).toContain(status);
  });

  it('tenant B cannot read tenant A’s message or customer', async () => {
    // Act
    const thread = await t.api.request('GET', `/conversations/${conversationId}/messages`, {
      token: b.token,
    });
    const conversation = await t.api.request('GET', `/conversations/${conversationId}`, {
      token: b.token,
    });
    const customer = await t.api.request('GET', `/customers/${customerId}`, { token: b.token });

    // Assess
    expect(thread.status).toBe(404);
    expect(conversation.status).toBe(404);
    expect(customer.status).toBe(404);
  });

  it('shows the same attachment, signed, in the customer’s timeline', async () => {
    // Act
    const res = await t.api.request('GET', `/customers/${customerId}`, { token: a.token });

    // Assess: the response contract allows no `key` or `sourceUrl` (checked by the harness)
    expect(res.status).toBe(200);
    const [message] = res.json.timeline.items;
    expect(message.media).toMatchObject({ status: 'ready', mimeType: 'image/jpeg' });
    expect(keyOf(message.media.url)).toBe(keyOf(url));
    expect((await fetch(message.media.url)).status).toBe(200);
  });
});

describe('Instagram profiles', () => {
  let ig: IgTenant;

  beforeAll(async () => {
    ig = await igTenant(t);
  });

  async function customerOf(igsid: string): Promise<any> {
    const conversation = await conversationOf(t, ig.token, ig.channelId, igsid);
    return conversation.customer;
  }

  it('looks up a new sender once: name, username and a re-hosted avatar, then cached', async () => {
    // Prepare
    const igsid = newMetaId();
    const picture = fixtures.jpeg();
    t.sb.metaStandIn!.setInstagramProfile(igsid, {
      name: 'Maria Souza',
      username: 'maria.souza',
      profilePic: { bytes: picture, mimeType: 'image/jpeg' },
    });
    const text = (text: string) =>
      igTextEntry({ accountId: ig.accountId, senderId: igsid, text, timestamp: Date.now() });

    // Act
    await deliver(t, [text('Oi! Tem o tênis 42?')], 'instagram');
    const customer = await waitFor(
      async () => {
        const c = await customerOf(igsid);
        return c.username && c;
      },
      { what: 'the profile' },
    );
    await deliver(t, [text('E o 43?')], 'instagram');
    await waitForMediaDrain(t);

    // Assess
    expect(customer).toMatchObject({
      name: 'Maria Souza',
      username: 'maria.souza',
      identities: { instagram: igsid },
    });
    expect(customer.avatarUrl).toMatch(/\/assets\//);
    expect(customer.avatarUrl).not.toContain('ig-cdn');
    const avatar = await fetch(customer.avatarUrl);
    expect(avatar.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await avatar.arrayBuffer()).equals(picture)).toBe(true);
    const lookups = t.sb.metaStandIn!.media.requests.filter(
      (r) => r.kind === 'profile' && r.id === igsid,
    );
    expect(lookups).toHaveLength(1);
    const detail = await t.api.request('GET', `/customers/${customer.id}`, { token: ig.token });
    expect(detail.json).toMatchObject({ username: 'maria.souza', name: 'Maria Souza' });
    expect(detail.json.avatarUrl).toMatch(/\/assets\//);
    const found = await t.api.request('GET', `/customers?search=maria`, { token: ig.token });
    expect(found.json.items.map((c: any) => c.username)).toContain('maria.souza');
  });

  it('a sender whose profile has no picture or name keeps what the webhook gave', async () => {
    // Prepare: Meta knows nothing of this sender but their id
    const igsid = newMetaId();

    // Act
    await deliver(
      t,
      [igTextEntry({ accountId: ig.accountId, senderId: igsid, timestamp: Date.now() })],
      'instagram',
    );
    await waitForMediaDrain(t);

    // Assess
    const customer = await customerOf(igsid);
    expect(customer.avatarUrl).toBeUndefined();
    expect(customer.username).toBeUndefined();
    expect(
      t.sb.metaStandIn!.media.requests.filter((r) => r.kind === 'profile' && r.id === igsid),
    ).toHaveLength(1);
  });
  it('asks again for a profile older than 7 days, on the sender’s next message only', async () => {
    // Prepare: a sender whose profile was just read
    const igsid = newMetaId();
    t.sb.metaStandIn!.setInstagramProfile(igsid, { username: 'joao' });
    const entry = () =>
      igTextEntry({ accountId: ig.accountId, senderId: igsid, timestamp: Date.now() });
    await deliver(t, [entry()], 'instagram');
    await waitFor(async () => (await customerOf(igsid)).username === 'joao', {
      what: 'the profile',
    });
    // The same processor the sandbox runs, on the same table, its clock moved on
    const processorAt = (days: number) => {
      const sent: QueueMessageInput[] = [];
      const handler = createMessageProcessor({
        db: t.sb.db,
        log: silentLogger,
        archive: { put: async () => {}, get: async () => undefined },
        events: t.sb.events,
        mediaQueue: {
          sendBatch: async (batch) => {
            sent.push(...batch);
            return batch.map(() => ({ messageId: randomUUID() }));
          },
        },
        now: () => Date.now() + days * 86_400_000,
      });
      return { handler, sent };
    };
    const record = (): SqsRecord => {
      const body = JSON.stringify({
        v: 1,
        object: 'instagram',
        entry: entry(),
        receivedAt: new Date().toISOString(),
      });
      return {
        messageId: randomUUID(),
        receiptHandle: randomUUID(),
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: String(Date.now()),
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:IncomingMessagesQueue',
        awsRegion: 'local',
      };
    };

    // Act
    const dayLater = processorAt(1);
    await dayLater.handler({ Records: [record()] });
    const weekLater = processorAt(8);
    await weekLater.handler({ Records: [record()] });
    await weekLater.handler({ Records: [record()] });

    // Assess: a day later nothing to ask; 8 days later one job, and one only
    const jobs = (sent: QueueMessageInput[]) =>
      sent.map((m) => JSON.parse(m.body)).filter((j) => j.kind === 'profile');
    expect(jobs(dayLater.sent)).toEqual([]);
    expect(jobs(weekLater.sent)).toEqual([
      expect.objectContaining({ kind: 'profile', igsid, channelId: ig.channelId }),
    ]);
  });
});

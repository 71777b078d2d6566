import { Agent, request } from 'node:http';
import {
  envelope,
  metaJson,
  signMeta,
  type MetaEntryBody,
  type MetaObject,
} from '../factories/meta';
import type { Api } from '../helpers/harness';

// Shared by the fault tests: seeded randomness, signed deliveries, a bounded flood that keeps
// unacknowledged deliveries for a later retry (as Meta does), and readers of what got stored.

/** mulberry32: a seeded PRNG, so a failing run can be replayed with the same FAULT_SEED. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const faultSeed = Number(process.env.FAULT_SEED ?? 20260101);

export function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A webhook body as Meta would sign it. */
export type Delivery = { raw: string; signature: string };

export function delivery(object: MetaObject, entries: MetaEntryBody[], secret: string): Delivery {
  const raw = metaJson(envelope(object, entries));
  return { raw, signature: signMeta(raw, secret) };
}

/** Adds `share` duplicates of random deliveries and shuffles everything. */
export function withDuplicates<T>(unique: T[], share: number, rand: () => number): T[] {
  const extra = Math.round((unique.length * share) / (1 - share));
  const dupes = Array.from({ length: extra }, () => unique[Math.floor(rand() * unique.length)]!);
  return shuffle([...unique, ...dupes], rand);
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One POST over node:http (keep-alive); resolves the status, or 0 when the connection failed. */
export function postDelivery(url: string, d: Delivery, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/webhooks/meta`,
      {
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(d.raw),
          'x-hub-signature-256': d.signature,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end(d.raw);
  });
}

/**
 * Sends `pending` (indexes into `all`) from `concurrency` senders. A 200 removes a delivery for good;
 * anything else puts it back at the end, the way Meta retries. Stops when nothing is pending, when
 * `stop()` returns true, or at `deadline`.
 */
export async function flood(opts: {
  url: string;
  all: Delivery[];
  pending: number[];
  concurrency: number;
  acked: Set<number>;
  stop?: () => boolean;
  deadline: number;
  onAck?: (index: number) => void;
  /** Every answer (0: no connection), e.g. to count the statuses a fault produced. */
  onStatus?: (status: number, index: number) => void;
}): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  const sender = async () => {
    while (opts.pending.length > 0 && !opts.stop?.() && Date.now() < opts.deadline) {
      const index = opts.pending.shift()!;
      const status = await postDelivery(opts.url, opts.all[index]!);
      sent++;
      opts.onStatus?.(status, index);
      if (status === 200) {
        opts.acked.add(index);
        opts.onAck?.(index);
      } else {
        failed++;
        opts.pending.push(index);
        // A refused connection fails at once; do not spin on a dead port.
        if (status === 0) await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, sender));
  return { sent, failed };
}

export type ApiMessage = {
  id: string;
  channelMessageId?: string;
  direction: 'inbound' | 'outbound';
  status: string;
  text?: string;
  conversationId: string;
};
export type ApiConversation = { id: string; unreadCount: number; channel: string };

/** Every conversation of the caller's tenant, through the API's cursors. */
export async function allConversations(api: Api, token: string): Promise<ApiConversation[]> {
  const out: ApiConversation[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await api.request(
      'GET',
      `/conversations?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      { token },
    );
    if (page.status !== 200) throw new Error(`GET /conversations: ${page.status} ${page.text}`);
    out.push(...page.json.items);
    cursor = page.json.nextCursor;
  } while (cursor);
  return out;
}

export async function messagesOf(
  api: Api,
  token: string,
  conversationId: string,
): Promise<ApiMessage[]> {
  const out: ApiMessage[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await api.request(
      'GET',
      `/conversations/${conversationId}/messages?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      { token },
    );
    if (page.status !== 200) throw new Error(`GET messages: ${page.status} ${page.text}`);
    out.push(...page.json.items);
    cursor = page.json.nextCursor;
  } while (cursor);
  return out;
}

/** Every stored message of the tenant with its conversation, read back through the API. */
export async function allMessages(
  api: Api,
  token: string,
): Promise<{ conversations: ApiConversation[]; messages: ApiMessage[] }> {
  const conversations = await allConversations(api, token);
  const messages: ApiMessage[] = [];
  for (const conversation of conversations) {
    messages.push(...(await messagesOf(api, token, conversation.id)));
  }
  return { conversations, messages };
}

/** How many times each channel message id is stored. */
export function countById(messages: ApiMessage[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of messages) {
    if (!m.channelMessageId) continue;
    counts.set(m.channelMessageId, (counts.get(m.channelMessageId) ?? 0) + 1);
  }
  return counts;
}

const statusRank: Record<string, number> = {
  received: 0,
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 4,
};

/** The status a message must end at: the furthest of those Meta reported (failed is terminal). */
export function furthest(statuses: string[], initial: string): string {
  return statuses.reduce(
    (best, s) => ((statusRank[s] ?? 0) > (statusRank[best] ?? 0) ? s : best),
    initial,
  );
}

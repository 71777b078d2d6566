import { expect } from 'vitest';
import { conversationIdOf } from '../../src/modules/messaging/conversation.repo';
import type { Db } from '../../src/engine/data/dynamo';
import type { StoredMessage } from '../../src/modules/messaging/message.repo';
import { tenantData } from '../../src/engine/data/tenant-data';
import { storeOutboundMessage } from '../../src/modules/messaging/outbound-message.service';
import {
  fakeMid,
  fakeWamid,
  igEchoEntry,
  igReadEntry,
  igTextEntry,
  waStatusEntry,
  waTextEntry,
} from '../factories/meta';
import type { Api } from '../helpers/harness';
import { allMessages, countById, delivery, furthest, type Delivery } from './flood';

// The traffic of the fault tests: inbound WhatsApp and Instagram messages, Instagram echoes of our
// own sends with read receipts, and WhatsApp statuses for outbound messages stored beforehand with
// `storeOutboundMessage` (as the send path does). Each delivery is one signed webhook, one entry.

export type WorkloadChannels = {
  tenantId: string;
  wa: { wabaId: string; phoneNumberId: string; channelId: string };
  ig: { accountId: string; channelId: string };
};

export type Workload = {
  /** Unique deliveries; the test adds duplicates and shuffles. */
  deliveries: Delivery[];
  /** Channel ids of inbound messages, each of which must be stored exactly once. */
  inbound: Set<string>;
  /** Outbound messages (WhatsApp stored beforehand, Instagram echoes) → the status they must end at. */
  outbound: Map<string, string>;
  /** WhatsApp outbound messages to store before the flood. */
  outboundMessages: StoredMessage[];
};

export function buildWorkload(
  size: number,
  ch: WorkloadChannels,
  secret: string,
  rand: () => number,
): Workload {
  const deliveries: Delivery[] = [];
  const inbound = new Set<string>();
  const outbound = new Map<string, string>();
  const outboundMessages: StoredMessage[] = [];
  const waCustomers = Array.from({ length: 200 }, (_, i) => `55219${String(i).padStart(8, '0')}`);
  const igCustomers = Array.from({ length: 80 }, (_, i) => `73625140${String(i).padStart(8, '0')}`);
  const pick = <T>(items: T[]) => items[Math.floor(rand() * items.length)]!;
  const wa = { wabaId: ch.wa.wabaId, phoneNumberId: ch.wa.phoneNumberId };
  let ts = 1767225600;

  // ~17% WhatsApp statuses: 3 per outbound message (sent, delivered, then read or failed).
  const waOutbound = Math.round((size * 0.17) / 3);
  for (let i = 0; i < waOutbound; i++) {
    const recipientId = pick(waCustomers);
    const wamid = fakeWamid(recipientId);
    const customerId = `wa-${recipientId}`;
    const at = new Date((ts + i) * 1000).toISOString();
    outboundMessages.push({
      id: `msg_out_${i}_${Math.floor(rand() * 1e9)}`,
      channelMessageId: wamid,
      customerId,
      conversationId: conversationIdOf(ch.wa.channelId, customerId),
      channel: 'whatsapp',
      channelId: ch.wa.channelId,
      direction: 'outbound',
      type: 'text',
      text: `reply ${i}`,
      status: 'sent',
      timestamp: at,
      createdAt: at,
    });
    const last = rand() < 0.2 ? 'failed' : 'read';
    const statuses = ['sent', 'delivered', last];
    outbound.set(wamid, furthest(statuses, 'sent'));
    statuses.forEach((status, k) =>
      deliveries.push(
        delivery(
          'whatsapp_business_account',
          [waStatusEntry({ ...wa, wamid, recipientId, status, timestamp: ts + i + k + 1 })],
          secret,
        ),
      ),
    );
  }
  // ~5% Instagram echoes (our sends from the Instagram app), ~3% read receipts for them.
  const echoes = Math.round(size * 0.05);
  for (let i = 0; i < echoes; i++) {
    const senderId = pick(igCustomers);
    const mid = fakeMid(ch.ig.accountId);
    const timestamp = (ts + i) * 1000;
    const read = i % 5 < 3;
    outbound.set(mid, read ? 'read' : 'sent');
    deliveries.push(
      delivery(
        'instagram',
        [igEchoEntry({ accountId: ch.ig.accountId, senderId, mid, timestamp, text: `echo ${i}` })],
        secret,
      ),
    );
    if (read) {
      deliveries.push(
        delivery(
          'instagram',
          [
            igReadEntry({
              accountId: ch.ig.accountId,
              senderId,
              readMid: mid,
              timestamp: timestamp + 500,
            }),
          ],
          secret,
        ),
      );
    }
  }
  // The rest: inbound texts, about 80% WhatsApp and 20% Instagram.
  while (deliveries.length < size) {
    ts++;
    if (rand() < 0.8) {
      const from = pick(waCustomers);
      const wamid = fakeWamid(from);
      inbound.add(wamid);
      deliveries.push(
        delivery(
          'whatsapp_business_account',
          [waTextEntry({ ...wa, from, wamid, timestamp: ts, text: `in ${ts}` })],
          secret,
        ),
      );
    } else {
      const mid = fakeMid(ch.ig.accountId);
      inbound.add(mid);
      deliveries.push(
        delivery(
          'instagram',
          [
            igTextEntry({
              accountId: ch.ig.accountId,
              senderId: pick(igCustomers),
              mid,
              timestamp: ts * 1000,
              text: `ig ${ts}`,
            }),
          ],
          secret,
        ),
      );
    }
  }
  return { deliveries, inbound, outbound, outboundMessages };
}

/** Stores the WhatsApp outbound messages the way the send path does, before their statuses arrive. */
export async function storeOutbound(db: Db, tenantId: string, w: Workload): Promise<void> {
  const data = tenantData(db, { tenantId, actor: { kind: 'system', reason: 'test' } });
  for (const message of w.outboundMessages) await storeOutboundMessage(data, message);
}

/** Is everything the workload promised visible through the API yet? */
export async function workloadStored(api: Api, token: string, w: Workload): Promise<boolean> {
  const { messages } = await allMessages(api, token);
  const byId = new Map(messages.map((m) => [m.channelMessageId, m]));
  for (const id of w.inbound) if (!byId.has(id)) return false;
  for (const [id, status] of w.outbound) if (byId.get(id)?.status !== status) return false;
  return true;
}

/**
 * Asserts the end state: every inbound message stored exactly once, every outbound message at the
 * furthest status Meta reported, and each conversation's unread count equal to its inbound messages
 * (the unread set would show a double delivery that the message key hid).
 */
export async function assertWorkloadStored(api: Api, token: string, w: Workload): Promise<void> {
  const { conversations, messages } = await allMessages(api, token);
  const counts = countById(messages);
  const doubled = [...counts].filter(([, n]) => n > 1);
  expect(doubled, 'messages stored more than once').toEqual([]);
  const missing = [...w.inbound].filter((id) => !counts.has(id));
  expect(missing, 'acknowledged inbound messages missing').toEqual([]);
  const byId = new Map(messages.map((m) => [m.channelMessageId, m]));
  const wrongStatus = [...w.outbound]
    .filter(([id, status]) => byId.get(id)?.status !== status)
    .map(([id, status]) => ({ id, expected: status, actual: byId.get(id)?.status }));
  expect(wrongStatus, 'outbound messages not at their furthest status').toEqual([]);
  expect(messages.length).toBe(w.inbound.size + w.outbound.size);
  const inboundPer = new Map<string, number>();
  for (const m of messages) {
    if (m.direction === 'inbound') {
      inboundPer.set(m.conversationId, (inboundPer.get(m.conversationId) ?? 0) + 1);
    }
  }
  const wrongUnread = conversations
    .filter((c) => c.unreadCount !== (inboundPer.get(c.id) ?? 0))
    .map((c) => ({ id: c.id, unread: c.unreadCount, inbound: inboundPer.get(c.id) ?? 0 }));
  expect(wrongUnread, 'unread counts that differ from the inbound messages').toEqual([]);
}

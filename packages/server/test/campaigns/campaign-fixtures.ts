import { expect } from 'vitest';
import type { Db } from '../../src/engine/data/dynamo';
import { keys } from '../../src/engine/data/keys';
import type { MetaStandIn } from '../../src/modules/messaging/meta/standin/server';
import { ConsentRepo } from '../../src/modules/consent/consent.repo';
import type { Api } from '../helpers/harness';

// Contacts with and without numbers and consent, written straight to the table (the audience
// code reads them as the contacts module stores them), and the checks every campaign test makes.

export type Seeded = {
  digits: string;
  contactId: string;
  consent: 'opted_in' | 'opted_out' | 'unknown';
};

let seq = 0;
/** A number unique to this process (Brazil mobile shape). */
export function newDigits(): string {
  const worker = process.env.VITEST_WORKER_ID ?? '0';
  seq++;
  return `55${worker.padStart(2, '0').slice(-2)}9${String(Date.now() % 1e5).padStart(5, '0')}${String(seq).padStart(5, '0')}`;
}

export async function seedContacts(
  db: Db,
  tenantId: string,
  groups: { count: number; consent: Seeded['consent']; tags?: string[]; phone?: boolean }[],
): Promise<Seeded[]> {
  const at = new Date().toISOString();
  const out: Seeded[] = [];
  const items = [];
  const consent = new ConsentRepo(db, tenantId);
  const toRecord: Seeded[] = [];
  for (const group of groups) {
    for (let i = 0; i < group.count; i++) {
      const digits = newDigits();
      const withPhone = group.phone !== false;
      const contactId = withPhone ? `wa-${digits}` : `ct-${digits}`;
      items.push({
        ...keys.customer(tenantId, contactId),
        id: contactId,
        name: `Ana${i} Souza`,
        identities: withPhone ? { whatsapp: digits } : {},
        ...(withPhone ? { phone: `+${digits}` } : { email: `c${digits}@example.com` }),
        tags: group.tags ?? [],
        createdAt: at,
        updatedAt: at,
      });
      const seeded = { digits, contactId, consent: group.consent };
      out.push(seeded);
      if (withPhone && group.consent !== 'unknown') toRecord.push(seeded);
    }
  }
  await db.putMany(items, 8);
  await pool(toRecord, 16, (s) =>
    consent
      .record(`+${s.digits}`, {
        id: `chg_${s.digits}`,
        status: s.consent as 'opted_in' | 'opted_out',
        at,
        evidence: { source: 'manual', userId: 'usr_test', note: 'seeded' },
      })
      .then(() => undefined),
  );
  return out;
}

export async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Accepted template sends per recipient at the stand-in, for one sending number. */
export function sendsPerRecipient(meta: MetaStandIn, phoneNumberId: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of meta.sent) {
    // Templates only: a STOP's confirmation is a text reply to the same number.
    if (s.channel !== 'whatsapp' || s.senderId !== phoneNumberId || s.body.type !== 'template') {
      continue;
    }
    out.set(s.recipientId, (out.get(s.recipientId) ?? 0) + 1);
  }
  return out;
}

/** The most requests in any one-second window (each request opening a window). */
export function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= 1000) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

/** Every recipient through the API's pages. */
export async function allRecipients(api: Api, token: string, campaignId: string): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; json: any } = await api.request(
      'GET',
      `/campaigns/${campaignId}/recipients?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    expect(res.status).toBe(200);
    out.push(...res.json.items);
    cursor = res.json.nextCursor;
  } while (cursor);
  return out;
}

/** The counts a campaign should show for these recipients: one bucket each. */
export function countsOf(recipients: { status: string }[]) {
  const counts: Record<string, number> = {
    total: recipients.length,
    queued: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
    replied: 0,
    skipped: 0,
  };
  for (const r of recipients) counts[r.status === 'sending' ? 'queued' : r.status]!++;
  return counts;
}

export async function getCampaign(api: Api, token: string, id: string): Promise<any> {
  const res = await api.request('GET', `/campaigns/${id}`, { token });
  expect(res.status).toBe(200);
  return res.json;
}

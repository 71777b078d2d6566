import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { envelope, fakeWamid, metaJson, signMeta, waTextEntry } from './factories/meta';
import { startChildSandbox, type ChildSandbox } from './helpers/child-sandbox';
import { Api, createTenant, waitFor } from './helpers/harness';

// A webhook that got a 200 is never lost: SIGKILL the sandbox in the middle of a flood of signed
// webhooks with duplicates, restart it on the same data, and find every acknowledged message once.
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
const env = {
  DATA_DIR: dataDir,
  META_APP_SECRET: 'crash-secret',
  META_VERIFY_TOKEN: 'crash-verify',
  ADMIN_PASSWORD: 'crash-admin-password',
};
let running: ChildSandbox | undefined;

afterAll(async () => {
  await running?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

async function listAll(api: Api, token: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await api.request(
      'GET',
      `/conversations?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      { token },
    );
    for (const conv of page.json.items) {
      let before: string | null = null;
      do {
        const res: any = await api.request(
          'GET',
          `/conversations/${conv.id}/messages?limit=200${before ? `&cursor=${before}` : ''}`,
          { token },
        );
        ids.push(...res.json.items.map((m: { channelMessageId: string }) => m.channelMessageId));
        before = res.json.nextCursor;
      } while (before);
    }
    cursor = page.json.nextCursor;
  } while (cursor);
  return ids;
}

it('stores every acknowledged webhook exactly once across a SIGKILL', async () => {
  // Prepare
  running = await startChildSandbox(env);
  let api = new Api(running.url);
  const adminToken = await api.login('admin@switchboard.local', env.ADMIN_PASSWORD);
  const wabaId = '104000000000901';
  const phoneNumberId = '109000000000901';
  const tenant = await createTenant(api, adminToken, [{ type: 'whatsapp', wabaId, phoneNumberId }]);
  const unique = Array.from({ length: 500 }, (_, i) => {
    const from = `55119${String(i % 25).padStart(8, '0')}`;
    return waTextEntry({
      wabaId,
      phoneNumberId,
      from,
      wamid: fakeWamid(from),
      timestamp: 1767225600 + i,
      text: `flood ${i}`,
    });
  });
  // 20% duplicates, shuffled with a fixed seed.
  const deliveries = [...unique, ...unique.filter((_, i) => i % 5 === 0)];
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
  }

  // Act: flood with 16 senders; kill the process part-way through.
  const acked = new Set<string>();
  let next = 0;
  const url = running.url;
  const sender = async () => {
    while (next < deliveries.length) {
      const entry = deliveries[next++]!;
      const raw = metaJson(envelope('whatsapp_business_account', [entry]));
      try {
        const res = await fetch(`${url}/webhooks/meta`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': signMeta(raw, env.META_APP_SECRET),
          },
          body: raw,
        });
        await res.text();
        const wamid = (entry.changes as any)[0].value.messages[0].id as string;
        if (res.status === 200) acked.add(wamid);
      } catch {
        // connection refused or reset: not acknowledged, Meta would retry
      }
    }
  };
  const flood = Promise.all(Array.from({ length: 16 }, sender));
  await waitFor(async () => acked.size >= 150, { what: 'first acknowledgements' });
  await running.kill('SIGKILL');
  await flood;
  expect(acked.size).toBeGreaterThan(0);
  expect(acked.size).toBeLessThan(unique.length);

  // Restart on the same data and let the queue drain.
  running = await startChildSandbox(env);
  api = new Api(running.url);
  // The owner's token from before the crash still works: signing keys live under the data dir.
  const token = tenant.token;
  const stored = await waitFor(
    async () => {
      const ids = await listAll(api, token);
      const set = new Set(ids);
      return [...acked].every((id) => set.has(id)) ? ids : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'every acknowledged message to be stored' },
  );

  // Assess: all acknowledged present, none twice, and the DLQ is empty.
  const counts = new Map<string, number>();
  for (const id of stored) counts.set(id, (counts.get(id) ?? 0) + 1);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  for (const id of acked) expect(counts.get(id)).toBe(1);
  const adminAfter = await api.login('admin@switchboard.local', env.ADMIN_PASSWORD);
  const dlq = await api.request('GET', '/admin/dlq/IncomingMessagesQueue', { token: adminAfter });
  expect(dlq.json.items).toEqual([]);
});

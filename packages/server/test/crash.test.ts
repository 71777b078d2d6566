import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { envelope, fakeWamid, metaJson, signMeta, waTextEntry } from './factories/meta';
import { startChildSandbox, type ChildSandbox } from './helpers/child-sandbox';
import {
  Api,
  createTenant,
  postWebhook,
  startTestSandbox,
  waitFor,
  type TestSandbox,
} from './helpers/harness';

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

// The database is dynalite in a child process of the sandbox; when it dies the sandbox restarts
// it (same data, same port), callers wait through the restart or get a 503 with Retry-After,
// and a database that keeps dying stops the sandbox with a message instead of failing forever.
describe('when the database child dies', () => {
  let sandbox: TestSandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  /** SIGKILLs the database child and resolves once the sandbox has noticed. */
  async function killDatabase(t: TestSandbox): Promise<number> {
    const pid = t.sb.database.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => t.sb.database.pid !== pid, { what: 'the database death noticed' });
    return pid;
  }

  it('serves the next request once it is restarted, and processes what was acknowledged', async () => {
    // Prepare: a tenant with a WhatsApp number, stored before the crash.
    const t = (sandbox = await startTestSandbox());
    const wa = { wabaId: '104000000000951', phoneNumberId: '109000000000951' };
    const tenant = await createTenant(t.api, t.adminToken, [{ type: 'whatsapp', ...wa }]);

    // Act: kill dynalite, then at once ask for data and deliver a webhook.
    const oldPid = await killDatabase(t);
    const tenants = await t.api.request('GET', '/admin/tenants', { token: t.adminToken });
    const wamid = fakeWamid('5511900000951');
    const hook = await postWebhook(
      t.api,
      'test-app-secret',
      envelope('whatsapp_business_account', [
        waTextEntry({ ...wa, from: '5511900000951', wamid, text: 'after the crash' }),
      ]),
    );

    // Assess: both served, on the same data, by a new child; the message gets stored.
    expect(tenants.status).toBe(200);
    expect(tenants.json.items.map((i: { id: string }) => i.id)).toContain(tenant.id);
    expect(hook.status).toBe(200);
    expect(t.sb.database).toMatchObject({ state: 'up', restarts: 1 });
    expect(t.sb.database.pid).not.toBe(oldPid);
    await waitFor(async () => {
      const list = await t.api.request('GET', '/conversations', { token: tenant.token });
      return list.json.items?.length === 1;
    });
    expect(t.sb.queues.incomingDlq.stats()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('answers 503 with Retry-After while a restart takes longer than a request can wait', async () => {
    // Prepare: a restart 2.5 s after the death, requests that wait 200 ms.
    const t = (sandbox = await startTestSandbox({
      database: { backoff: { initialMs: 2_500, maxMs: 2_500 }, requestWaitMs: 200 },
    }));

    // Act
    await killDatabase(t);
    const res = await fetch(`${t.sb.url}/admin/tenants`, {
      headers: { authorization: `Bearer ${t.adminToken}`, 'x-request-id': 'crash-503' },
    });
    const body = (await res.json()) as { error: { code: string; message: string } };

    // Assess: the explicit 503, then the same request served once the database is back.
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
    expect(res.headers.get('x-request-id')).toBe('crash-503');
    expect(body.error.code).toBe('service_unavailable');
    expect(body.error.message).toMatch(/restarting/);
    const statuses: number[] = [];
    await waitFor(
      async () => {
        const again = await fetch(`${t.sb.url}/admin/tenants`, {
          headers: { authorization: `Bearer ${t.adminToken}` },
        });
        await again.arrayBuffer();
        statuses.push(again.status);
        return again.status !== 503;
      },
      { timeoutMs: 10_000, intervalMs: 250, what: 'the database back' },
    );
    expect(statuses.at(-1)).toBe(200);
    expect(new Set(statuses)).toEqual(new Set(statuses.length > 1 ? [503, 200] : [200]));
  });

  it('stops the sandbox with a clear message when it keeps dying', async () => {
    // Prepare: one restart allowed.
    const fatal: Error[] = [];
    const t = (sandbox = await startTestSandbox({
      database: { maxRestarts: 1, backoff: { initialMs: 10, maxMs: 10 } },
      onFatal: (error) => fatal.push(error),
    }));

    // Act: two deaths in the window.
    await killDatabase(t);
    await waitFor(async () => t.sb.database.state === 'up', { what: 'the first restart' });
    await killDatabase(t);
    await waitFor(async () => fatal.length > 0, { what: 'the sandbox to give up' });

    // Assess: said once, what happened and what to do; the HTTP server is closed.
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.message).toMatch(/died 2 times within 60 s/);
    expect(fatal[0]!.message).toMatch(/npm start/);
    expect(t.sb.database.state).toBe('failed');
    await expect(fetch(`${t.sb.url}/admin/tenants`)).rejects.toThrow();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/engine/log';
import { startSandbox, type Sandbox } from '../../src/engine/sandbox/sandbox';
import {
  startMetaStandIn,
  type MetaStandIn,
} from '../../src/modules/messaging/meta/standin/server';
import {
  allRecipients,
  getCampaign,
  seedContacts,
  sendsPerRecipient,
} from '../campaigns/campaign-fixtures';
import { startChildSandbox, type ChildSandbox } from '../helpers/child-sandbox';
import { Api, createTenant, waitFor } from '../helpers/harness';

// A campaign survives its process dying: `npm start`'s process is SIGKILLed twice while it sends
// a 300-recipient campaign, and started again each time. It resumes by itself (the due sweep takes
// over once the dead run's lease lapses), and no number receives the template twice. The one
// place a crash leaves a doubt (Meta may have taken a message whose result was never written) is
// marked `interrupted`, never sent again on its own; a claim that never reached Meta is sent.
//
// Meta's stand-in runs in this process, outside the killed one, so it counts every accepted send.

const recipients = 300;
const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-campaign-kill-'));
const appSecret = 'campaign-kill-secret';
const env = {
  DATA_DIR: dataDir,
  META_APP_SECRET: appSecret,
  META_VERIFY_TOKEN: 'campaign-kill-verify',
  ADMIN_PASSWORD: 'campaign-kill-admin-password',
  // A dead run's campaign is taken over 1.5 s after its last heartbeat.
  CAMPAIGN_LEASE_MS: '1500',
  CAMPAIGN_SEND_RATE: '60',
};

let meta: MetaStandIn | undefined;
let child: ChildSandbox | undefined;
let sb: Sandbox | undefined;
afterAll(async () => {
  await child?.kill();
  await sb?.stop();
  await meta?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('resumes a campaign after SIGKILLs and sends no one twice', async () => {
  meta = await startMetaStandIn({ appSecret, log: silentLogger, statusDelayMs: 50 });
  const graphBase = meta.baseUrl;
  // Prepare in-process on the data dir the child will use: a workspace, its number, the contacts.
  sb = await startSandbox({
    dataDir,
    port: 0,
    log: silentLogger,
    metaAppSecret: appSecret,
    metaVerifyToken: env.META_VERIFY_TOKEN,
    adminPassword: env.ADMIN_PASSWORD,
    metaGraphBaseUrl: graphBase,
  });
  let api = new Api(sb.url);
  const adminToken = await api.login(sb.admin.email, env.ADMIN_PASSWORD);
  const wabaId = '104000000000777';
  const phoneNumberId = '109000000000777';
  const tenant = await createTenant(api, adminToken, [{ type: 'whatsapp', wabaId, phoneNumberId }]);
  const seeded = await seedContacts(sb.db, tenant.id, [
    { count: recipients, consent: 'opted_in', tags: ['vip'] },
    { count: 20, consent: 'opted_out', tags: ['vip'] },
  ]);
  await sb.stop();
  sb = undefined;

  const childEnv = { ...env, META_GRAPH_BASE_URL: graphBase };
  const sentSoFar = () =>
    [...sendsPerRecipient(meta!, phoneNumberId).values()].reduce((a, b) => a + b, 0);

  // The campaign is created on the first process; each process is killed once a share is sent.
  child = await startChildSandbox(childEnv);
  meta.setWebhookUrl(`${child.url}/webhooks/meta`);
  api = new Api(child.url);
  const created = await api.request('POST', '/campaigns', {
    token: tenant.token,
    body: {
      name: 'Black Friday',
      audience: { channelId: tenant.channelIds[0], tags: ['vip'] },
      template: {
        name: 'order_update',
        language: 'pt_BR',
        parameters: [{ field: 'contact.first_name', fallback: 'cliente' }, { text: '#42' }],
      },
    },
  });
  expect(created.status, created.text).toBe(201);
  const id = created.json.id as string;
  const killedAt: number[] = [];
  for (const share of [0.25, 0.6]) {
    await waitFor(async () => sentSoFar() >= recipients * share, {
      timeoutMs: 60_000,
      intervalMs: 5,
      what: `${share * 100}% sent`,
    });
    await child.kill('SIGKILL');
    killedAt.push(sentSoFar());
    child = await startChildSandbox(childEnv);
    meta.setWebhookUrl(`${child.url}/webhooks/meta`);
    api = new Api(child.url);
  }

  // Nobody asks it to go on: the restarted process's sweep takes the campaign over.
  await waitFor(async () => (await getCampaign(api, tenant.token, id)).status === 'completed', {
    timeoutMs: 120_000,
    what: 'the campaign to complete',
  });
  console.info(`SIGKILLed after ${killedAt.join(' and ')} of ${recipients} sends`);
  expect(killedAt[0]).toBeLessThan(recipients);
  expect(killedAt[1]).toBeLessThan(recipients);

  const sends = sendsPerRecipient(meta, phoneNumberId);
  const rows = await allRecipients(api, tenant.token, id);
  const byDigits = new Map(rows.map((r) => [r.phone.slice(1), r]));
  // Opted-out numbers are not even recipients; nobody got it twice.
  expect(rows).toHaveLength(recipients);
  expect(Math.max(...sends.values())).toBe(1);
  for (const s of seeded) {
    const got = sends.get(s.digits) ?? 0;
    if (s.consent === 'opted_out') {
      expect(got).toBe(0);
      continue;
    }
    const row = byDigits.get(s.digits);
    if (row.status === 'failed') {
      // Killed between Meta's answer and the write of it: it may have arrived, so it is not sent
      // again by itself.
      expect(row.error.code).toBe('interrupted');
      expect(got).toBeLessThanOrEqual(1);
    } else {
      expect(['sent', 'delivered', 'read']).toContain(row.status);
      expect(got).toBe(1);
    }
  }
  // The doubt is confined to what was in flight at each kill (16 parallel sends).
  const interrupted = rows.filter((r) => r.status === 'failed').length;
  console.info(`${interrupted} recipients interrupted`);
  expect(interrupted).toBeLessThanOrEqual(2 * 16);
  const counts = (await getCampaign(api, tenant.token, id)).counts;
  expect(counts.total).toBe(recipients);
  expect(counts.queued).toBe(0);
  expect(counts.failed).toBe(interrupted);
}, 300_000);

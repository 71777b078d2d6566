import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusPublishError, type BusEventInput } from '../../src/engine/ports/bus';
import { createTenant, startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import { startWebhookReceiver, waitForLead, unique, type WebhookReceiver } from './lead-fixtures';

// Domain events through the table's change stream, end to end on a started sandbox: a lead edit
// (PATCH /leads/{id}) reaches the tenant's CRM because the lead's write is in the stream, not
// because the handler published after it. A bus that refuses the publish once delays the sync,
// and loses nothing: the change feed retries the record until the stream consumer publishes it.

let t: TestSandbox;
let receiver: WebhookReceiver;
/** Publishes of the stream consumer to refuse before letting them through. */
let refuse = 0;
const refused: BusEventInput[][] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t = await startTestSandbox({ retryDelaySeconds: 0 });
  const bus = t.sb.leads.bus;
  const publish = bus.publish.bind(bus);
  // Fault injection at the bus port: the stream consumer's publish fails as PutEvents would.
  bus.publish = async (events) => {
    if (refuse > 0 && events.some((e) => e.detailType === 'LeadSyncRequested')) {
      refuse--;
      refused.push(events);
      throw new BusPublishError('injected: PutEvents failed');
    }
    return publish(events);
  };
});

afterAll(async () => {
  await Promise.all([t?.stop(), receiver?.close()]);
});

async function syncedLead() {
  const tenant = await createTenant(t.api, t.adminToken, []);
  const dest = await t.api.request('POST', '/crm-destinations', {
    token: tenant.token,
    body: { type: 'webhook', url: receiver.url },
  });
  expect(dest.status, dest.text).toBe(201);
  receiver.setSecret(dest.json.secret);
  const posted = await t.api.request('POST', '/leads', {
    token: tenant.token,
    body: { fields: { name: 'Stream Lead', email: `${unique('stream')}@example.com` } },
  });
  expect(posted.status, posted.text).toBe(202);
  const lead = await waitForLead(t.api, tenant.token, posted.json.submissionId, (l) =>
    ['synced', 'failed'].includes(l.sync.status),
  );
  expect(lead.sync.status).toBe('synced');
  return { tenant, lead };
}

const deliveriesOf = (leadId: string, type: string) =>
  [...receiver.accepted.values()].filter((b) => b.data?.lead?.id === leadId && b.type === type);

describe('lead changes through the change stream', () => {
  it('a PATCH reaches the CRM as lead.updated, carried by the stream', async () => {
    const { tenant, lead } = await syncedLead();
    // The submission's sync came from the lead's INSERT record, too.
    expect(deliveriesOf(lead.id, 'lead.upserted')).toHaveLength(1);
    const res = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { name: 'Renamed Through Stream' },
    });
    expect(res.status, res.text).toBe(200);
    const delivered = await waitFor(async () => deliveriesOf(lead.id, 'lead.updated')[0], {
      timeoutMs: 15_000,
      intervalMs: 50,
      what: 'lead.updated delivery',
    });
    expect(delivered.data.lead.name).toBe('Renamed Through Stream');
    // The sync's own status writes are stream records too, and raise nothing more.
    await new Promise((r) => setTimeout(r, 500));
    expect(deliveriesOf(lead.id, 'lead.updated')).toHaveLength(1);
    expect(t.sb.stream.dlq.stats().visible).toBe(0);
  });

  it('a publish that fails after the write no longer loses the CRM sync', async () => {
    const { tenant, lead } = await syncedLead();
    refuse = 2;
    const res = await t.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { company: 'Survives A Failed Publish' },
    });
    // The edit is stored and acknowledged: the publish is not on its path any more.
    expect(res.status, res.text).toBe(200);
    const delivered = await waitFor(async () => deliveriesOf(lead.id, 'lead.updated')[0], {
      timeoutMs: 15_000,
      intervalMs: 50,
      what: 'lead.updated after a failed publish',
    });
    expect(refused).toHaveLength(2);
    expect(refuse).toBe(0);
    expect(delivered.data.lead.company).toBe('Survives A Failed Publish');
    // The retried records name the same job: one delivery, whatever the retries.
    const jobIds = refused.flat().map((e) => e.detail.jobId);
    expect(new Set(jobIds).size).toBe(1);
    await waitFor(
      async () => {
        const now = await t.api.request('GET', `/leads/${lead.id}`, { token: tenant.token });
        return now.json.sync.status === 'synced';
      },
      { timeoutMs: 10_000, intervalMs: 50, what: 'sync status of the edit' },
    );
    expect(deliveriesOf(lead.id, 'lead.updated')).toHaveLength(1);
  });

  it('a manual re-sync is one write, and its event comes from the stream', async () => {
    const { tenant, lead } = await syncedLead();
    const res = await t.api.request('POST', `/leads/${lead.id}/sync`, { token: tenant.token });
    expect(res.status, res.text).toBe(202);
    await waitFor(async () => deliveriesOf(lead.id, 'lead.resynced')[0], {
      timeoutMs: 15_000,
      intervalMs: 50,
      what: 'lead.resynced delivery',
    });
    // On dynalite the change feed carried it, and settles every intent (the CRM sync's own status
    // writes may hold one for a moment); on DynamoDB Local the engine's Streams API did (no feed).
    const feed = t.sb.stream.feed;
    if (feed) {
      await waitFor(async () => feed.pending.intents === 0 && feed.pending.records === 0, {
        timeoutMs: 5_000,
        intervalMs: 20,
        what: 'the change feed settled',
      });
    }
  });
});

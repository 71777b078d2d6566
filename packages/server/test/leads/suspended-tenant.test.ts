import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeadQueueName } from '../../src/engine/sandbox/lead-pipeline';
import { leadRules } from '../../src/engine/topology';
import { LeadRepo } from '../../src/modules/leads/lead.repo';
import { SubmissionRepo } from '../../src/modules/leads/submission.repo';
import { AuditLog } from '../../src/modules/platform/audit.repo';
import {
  createTenant,
  startTestSandbox,
  waitFor,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import {
  publishedForm,
  startWebhookReceiver,
  unique,
  waitForLead,
  type WebhookReceiver,
} from './lead-fixtures';

// A suspended workspace takes no leads: its public form, embed script and submissions answer
// 404 (like an archived form), and the lead consumers drop its queued events (an audit entry each,
// nothing in a DLQ), so its CRM hears nothing. A resumed workspace takes leads again at once.

const origin = 'https://landing.example.com';

/**
 * Holds the batches of chosen lead queues that carry one tenant's events, until released: how a
 * test puts events "in flight" across a suspension.
 */
const gate = {
  tenantId: '',
  queues: new Set<LeadQueueName>(),
  released: Promise.resolve(),
  release: () => {},
  hold(tenantId: string, queues: LeadQueueName[]) {
    this.tenantId = tenantId;
    this.queues = new Set(queues);
    this.released = new Promise<void>((resolve) => (this.release = resolve));
  },
};

let t: TestSandbox;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  t = await startTestSandbox({
    retryDelaySeconds: 0,
    wrapLeadConsumer: (queue, handler) => async (event, context) => {
      if (
        gate.queues.has(queue) &&
        gate.tenantId &&
        event.Records.some((r) => r.body.includes(gate.tenantId))
      ) {
        await gate.released;
      }
      return handler(event, context);
    },
  });
});

afterAll(async () => {
  gate.release();
  await Promise.all([t?.stop(), receiver?.close()]);
});

async function tenantWithCrm(): Promise<TestTenant & { formId: string }> {
  const tenant = await createTenant(t.api, t.adminToken, []);
  const destination = await t.api.request('POST', '/crm-destinations', {
    token: tenant.token,
    body: { type: 'webhook', url: receiver.url },
  });
  expect(destination.status, destination.text).toBe(201);
  receiver.setSecret(destination.json.secret);
  return { ...tenant, formId: await publishedForm(t.api, tenant.token) };
}

const submit = (formId: string) =>
  t.api.request('POST', `/public/forms/${formId}/submissions`, {
    body: { fields: { name: 'Suspended?', email: `${unique('susp')}@example.com`, terms: true } },
    headers: { origin },
  });

async function setStatus(tenantId: string, action: 'suspend' | 'resume') {
  const res = await t.api.request('POST', `/admin/tenants/${tenantId}/${action}`, {
    token: t.adminToken,
  });
  expect(res.status, res.text).toBe(200);
}

const inFlight = (queue: LeadQueueName) => t.sb.leads.queues[queue].queue.stats().inFlight > 0;

async function drained(queues: LeadQueueName[]) {
  await waitFor(
    async () =>
      queues.every((q) => {
        const stats = t.sb.leads.queues[q].queue.stats();
        return stats.visible === 0 && stats.inFlight === 0;
      }),
    { what: `${queues.join(', ')} to drain` },
  );
}

async function droppedEvents(tenantId: string) {
  const { items } = await AuditLog.forTenant(t.sb.db, tenantId).list(50);
  return items.filter((e) => e.action === 'lead.event_dropped');
}

describe('a suspended tenant', () => {
  it('has no public form, embed script or submissions: 404, like an archived form', async () => {
    // Prepare: everything works while active.
    const tenant = await tenantWithCrm();
    const paths = [`/public/forms/${tenant.formId}`, `/public/forms/${tenant.formId}/embed.js`];
    for (const path of paths) expect((await t.api.request('GET', path)).status, path).toBe(200);
    expect((await submit(tenant.formId)).status).toBe(202);

    // Act
    await setStatus(tenant.id, 'suspend');

    // Assess
    for (const path of paths) {
      const res = await t.api.request('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    const refused = await submit(tenant.formId);
    expect(refused.status).toBe(404);
    expect(refused.json.error.code).toBe('not_found');

    // Resumed, the form takes leads again at once.
    await setStatus(tenant.id, 'resume');
    expect((await t.api.request('GET', paths[0]!)).status).toBe(200);
    expect((await submit(tenant.formId)).status).toBe(202);
  });

  it('gets no CRM delivery for a job queued before the suspension, and no DLQ entry', async () => {
    // Prepare: a submission merged into a lead while active; its CRM job held in the queue.
    const tenant = await tenantWithCrm();
    gate.hold(tenant.id, ['CrmSyncQueue']);
    const accepted = await submit(tenant.formId);
    expect(accepted.status).toBe(202);
    const lead = await waitForLead(t.api, tenant.token, accepted.json.submissionId, () => true);
    await waitFor(async () => inFlight('CrmSyncQueue'), { what: 'the CRM job held in flight' });

    // Act: suspended while the job waits; then the consumer runs it.
    await setStatus(tenant.id, 'suspend');
    gate.release();
    await drained(['CrmSyncQueue']);

    // Assess: nothing reached the CRM stand-in, nothing is dead-lettered, the drop is audited.
    expect(receiver.deliveries.filter((d) => d.body?.data?.lead?.id === lead.id)).toEqual([]);
    const dead = await t.sb.leads.dlq.CrmSyncQueue.list(100);
    expect(dead.filter((m) => m.body.includes(tenant.id))).toEqual([]);
    const dropped = await droppedEvents(tenant.id);
    expect(dropped).toEqual([
      expect.objectContaining({
        actor: { kind: 'system' },
        target: { type: 'lead', id: lead.id },
        details: expect.objectContaining({ rule: leadRules.sync, reason: 'tenant_suspended' }),
      }),
    ]);
    const stored = await new LeadRepo(t.sb.db, tenant.id).get(lead.id);
    expect(stored?.sync.status).toBe('pending');
  });

  it('has its queued submissions dropped by the raw store and the merge, not processed', async () => {
    // Prepare: a fresh tenant; its submission held before either consumer runs it.
    const tenant = await tenantWithCrm();
    gate.hold(tenant.id, ['LeadStoreQueue', 'LeadMergeQueue']);
    const accepted = await submit(tenant.formId);
    expect(accepted.status).toBe(202);
    const submissionId = accepted.json.submissionId as string;
    await waitFor(async () => inFlight('LeadStoreQueue') && inFlight('LeadMergeQueue'), {
      what: 'the submission held in both queues',
    });

    // Act
    await setStatus(tenant.id, 'suspend');
    gate.release();
    await drained(['LeadStoreQueue', 'LeadMergeQueue', 'CrmSyncQueue']);

    // Assess: no raw submission, no lead, no CRM delivery, no DLQ entry; two audited drops.
    expect(await new SubmissionRepo(t.sb.db, tenant.id).get(submissionId)).toBeUndefined();
    expect((await new LeadRepo(t.sb.db, tenant.id).list({}, 10)).items).toEqual([]);
    expect(
      receiver.deliveries.filter((d) => JSON.stringify(d.body).includes(submissionId)),
    ).toEqual([]);
    for (const queue of ['LeadStoreQueue', 'LeadMergeQueue'] as const) {
      const dead = await t.sb.leads.dlq[queue].list(100);
      expect(
        dead.filter((m) => m.body.includes(tenant.id)),
        queue,
      ).toEqual([]);
    }
    const dropped = await droppedEvents(tenant.id);
    expect(dropped.map((e) => e.details?.rule).sort()).toEqual(
      [leadRules.merge, leadRules.store].sort(),
    );
    expect(dropped.every((e) => e.target?.id === submissionId)).toBe(true);

    // Resumed: the next submission goes all the way through again.
    await setStatus(tenant.id, 'resume');
    const after = await submit(tenant.formId);
    expect(after.status).toBe(202);
    await waitForLead(
      t.api,
      tenant.token,
      after.json.submissionId,
      (l) => l.sync.status === 'synced',
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTenant,
  startTestSandbox,
  type TestSandbox,
  type TestTenant,
} from '../helpers/harness';
import { queues } from '../../src/engine/topology';
import {
  startHubspotStandIn,
  startWebhookReceiver,
  unique,
  waitForLead,
  type HubspotStandIn,
  type WebhookReceiver,
} from './lead-fixtures';

// CRM sync when the CRM is down: every attempt fails, the job retries (backoff through the queue,
// shortened here by retryDelaySeconds: 0), lands in the DLQ after maxReceiveCount, an admin
// replays it, and the receiver, deduping on webhook-id, accepts exactly one delivery per lead.

let t: TestSandbox;
let receiver: WebhookReceiver;
let hubspot: HubspotStandIn;

beforeAll(async () => {
  [receiver, hubspot] = await Promise.all([
    startWebhookReceiver(),
    startHubspotStandIn('pat-na1-11111111-2222-3333-4444-555555555555'),
  ]);
  t = await startTestSandbox({ retryDelaySeconds: 0, crm: { hubspotBaseUrl: hubspot.baseUrl } });
});

afterAll(async () => {
  await Promise.all([t?.stop(), receiver?.close(), hubspot?.close()]);
});

async function tenantWith(
  destination: Record<string, unknown>,
): Promise<TestTenant & { destination: any }> {
  const tenant = await createTenant(t.api, t.adminToken, []);
  const res = await t.api.request('POST', '/crm-destinations', {
    token: tenant.token,
    body: destination,
  });
  expect(res.status, res.text).toBe(201);
  return { ...tenant, destination: res.json };
}

async function postLead(token: string, fields: Record<string, unknown>): Promise<string> {
  const res = await t.api.request('POST', '/leads', { token, body: { fields } });
  expect(res.status, res.text).toBe(202);
  return res.json.submissionId;
}

describe('CRM down → retries → DLQ → replay', () => {
  it('keeps every lead, and replay delivers each exactly once', async () => {
    // Prepare: the CRM answers 503 to everything.
    const tenant = await tenantWith({ type: 'webhook', url: receiver.url });
    receiver.setSecret(tenant.destination.secret);
    receiver.respondWith(503);
    const submissions = [
      await postLead(tenant.token, { name: 'Down One', email: `${unique('down')}@example.com` }),
      await postLead(tenant.token, { name: 'Down Two', phone: '+5511955550001' }),
    ];

    // Act: wait for both to exhaust their attempts.
    const failed = await Promise.all(
      submissions.map((s) =>
        waitForLead(t.api, tenant.token, s, (l) => l.sync.status === 'failed', 20_000),
      ),
    );

    // Assess: the status says what happened, and the jobs sit in the DLQ.
    const max = queues.CrmSyncQueue.maxReceiveCount;
    for (const lead of failed) {
      expect(lead.sync).toMatchObject({ status: 'failed', attempts: max });
      expect(lead.sync.lastError).toMatch(/HTTP 503 from 127\.0\.0\.1:\d+.*dead-letter queue/);
    }
    const dlq = await t.api.request('GET', '/admin/dlq/CrmSyncQueue', { token: t.adminToken });
    expect(dlq.status).toBe(200);
    const leadIds = new Set(failed.map((l) => l.id));
    const dead = dlq.json.items.filter((m: any) => leadIds.has(JSON.parse(m.body).detail.leadId));
    expect(dead).toHaveLength(2);
    for (const lead of failed) {
      const attempts = receiver.deliveries.filter((d) => d.body?.data?.lead?.id === lead.id);
      expect(attempts).toHaveLength(max);
      expect(attempts.every((d) => d.verified && d.status === 503)).toBe(true);
      // Every retry of one job carries the same webhook-id: what lets a receiver dedupe.
      expect(new Set(attempts.map((d) => d.id)).size).toBe(1);
    }

    // The CRM is back; an admin replays the DLQ.
    receiver.respondWith(200);
    const redrive = await t.api.request('POST', '/admin/dlq/CrmSyncQueue/redrive', {
      token: t.adminToken,
      body: { ids: dead.map((m: any) => m.id) },
    });
    expect(redrive.json.moved).toBe(2);
    const synced = await Promise.all(
      submissions.map((s) =>
        waitForLead(t.api, tenant.token, s, (l) => l.sync.status === 'synced'),
      ),
    );
    for (const lead of synced) {
      expect(lead.sync).toMatchObject({ status: 'synced', attempts: 1, lastError: null });
      const accepted = [...receiver.accepted.values()].filter((b) => b.data.lead.id === lead.id);
      expect(accepted).toHaveLength(1);
    }
    // A second replay of the same job (e.g. redriven twice) is a duplicate the receiver drops.
    const deliveredBefore = receiver.accepted.size;
    const again = await t.api.request('POST', '/admin/dlq/CrmSyncQueue/redrive', {
      token: t.adminToken,
    });
    expect(again.json.moved).toBe(0);
    expect(receiver.accepted.size).toBe(deliveredBefore);
  });

  it('retries a delivery the CRM kept but did not acknowledge under the same webhook-id', async () => {
    const tenant = await tenantWith({ type: 'webhook', url: receiver.url });
    receiver.setSecret(tenant.destination.secret);
    receiver.respondWith(504, { stored: true });
    const submission = await postLead(tenant.token, {
      name: 'Timeout',
      email: `${unique('to')}@example.com`,
    });
    const lead = await waitForLead(
      t.api,
      tenant.token,
      submission,
      (l) => l.sync.status === 'synced',
      20_000,
    );
    const attempts = receiver.deliveries.filter((d) => d.body?.data?.lead?.id === lead.id);
    expect(attempts.map((d) => d.status)).toEqual([504, 200]);
    expect(attempts[0]!.id).toBe(attempts[1]!.id);
    expect([...receiver.accepted.values()].filter((b) => b.data.lead.id === lead.id)).toHaveLength(
      1,
    );
    expect(lead.sync).toMatchObject({ status: 'synced', attempts: 2 });
    receiver.respondWith(200);
  });

  it('re-sends only to the destinations that failed', async () => {
    const tenant = await tenantWith({ type: 'webhook', url: receiver.url });
    receiver.setSecret(tenant.destination.secret);
    receiver.respondWith(200);
    const bad = await t.api.request('POST', '/crm-destinations', {
      token: tenant.token,
      body: { type: 'hubspot', accessToken: 'pat-na1-wrong-token-0000000000' },
    });
    expect(bad.status).toBe(201);
    const submission = await postLead(tenant.token, {
      name: 'Two CRMs',
      email: `${unique('two')}@example.com`,
    });
    const lead = await waitForLead(
      t.api,
      tenant.token,
      submission,
      (l) => l.sync.status === 'failed',
      20_000,
    );
    expect(lead.sync.lastError).toContain('HubSpot 401 INVALID_AUTHENTICATION');
    // The webhook took the job on the first attempt and was not sent it again.
    expect([...receiver.accepted.values()].filter((b) => b.data.lead.id === lead.id)).toHaveLength(
      1,
    );
    expect(receiver.deliveries.filter((d) => d.body?.data?.lead?.id === lead.id)).toHaveLength(1);
  });
});

describe('HubSpot connector', () => {
  it('creates or updates the contact by e-mail through batch upsert', async () => {
    const tenant = await tenantWith({ type: 'hubspot', accessToken: hubspot.token });
    expect(tenant.destination.secret).toBeUndefined();
    const email = `${unique('hs')}@example.com`;
    const first = await postLead(tenant.token, {
      name: 'Hub Spotter',
      email,
      company: 'Acme',
      phone: '+5511944440001',
    });
    await waitForLead(t.api, tenant.token, first, (l) => l.sync.status === 'synced');
    expect(hubspot.contacts.get(email)).toMatchObject({
      email,
      firstname: 'Hub',
      lastname: 'Spotter',
      company: 'Acme',
      phone: '+5511944440001',
    });
    const request = hubspot.requests.find((r) => r.body?.inputs?.[0]?.id === email);
    expect(request).toMatchObject({
      path: '/crm/v3/objects/contacts/batch/upsert',
      auth: `Bearer ${hubspot.token}`,
      body: { inputs: [{ idProperty: 'email', id: email }] },
    });
    const check = await t.api.request('POST', `/crm-destinations/${tenant.destination.id}/test`, {
      token: tenant.token,
    });
    expect(check.json).toEqual({ delivered: true, status: 200 });
    // The token is never shown again.
    const list = await t.api.request('GET', '/crm-destinations', { token: tenant.token });
    expect(list.text).not.toContain(hubspot.token);
  });
});

describe('destination URLs (SSRF guard)', () => {
  it('refuses plain http, private addresses and credentials; loopback only in the sandbox', async () => {
    const tenant = await createTenant(t.api, t.adminToken, []);
    for (const url of [
      'http://crm.example.com/hook',
      'https://10.0.0.5/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[fd00::1]/hook',
      'https://user:pass@crm.example.com/hook',
      'ftp://crm.example.com/hook',
    ]) {
      const res = await t.api.request('POST', '/crm-destinations', {
        token: tenant.token,
        body: { type: 'webhook', url },
      });
      expect([400], url).toContain(res.status);
    }
    const local = await t.api.request('POST', '/crm-destinations', {
      token: tenant.token,
      body: { type: 'webhook', url: 'http://localhost:9/hook' },
    });
    expect(local.status).toBe(201);
    const test = await t.api.request('POST', `/crm-destinations/${local.json.id}/test`, {
      token: tenant.token,
    });
    expect(test.json.delivered).toBe(false);
  });
});

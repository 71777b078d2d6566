import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTenant, startTestSandbox, type TestSandbox } from '../helpers/harness';
import { publishedForm, unique, waitForLead } from './lead-fixtures';

// A 202 means the submission is durable: accepted while no consumer runs, it is stored, merged
// and synced after the sandbox comes back on the same data directory.

const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-leads-restart-'));
let t: TestSandbox | undefined;

afterAll(async () => {
  await t?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('durability', () => {
  it('processes a submission accepted while the consumers were down, after a restart', async () => {
    t = await startTestSandbox({
      dataDir,
      processMessages: false,
      adminPassword: 'admin-password-for-tests',
    });
    const tenant = await createTenant(t.api, t.adminToken, []);
    const formId = await publishedForm(t.api, tenant.token);
    const res = await t.api.request('POST', `/public/forms/${formId}/submissions`, {
      body: { fields: { name: 'Durable', email: `${unique('durable')}@example.com`, terms: true } },
      headers: { origin: 'https://landing.example.com' },
    });
    expect(res.status).toBe(202);
    expect(t.sb.leads.queues.LeadMergeQueue.queue.stats().visible).toBe(1);
    expect(t.sb.leads.queues.LeadStoreQueue.queue.stats().visible).toBe(1);
    await t.stop();

    t = await startTestSandbox({ dataDir, retryDelaySeconds: 0 });
    // Sessions and signing keys live in the data directory too: the owner's token still works.
    const lead = await waitForLead(t.api, tenant.token, res.json.submissionId);
    expect(lead).toMatchObject({ name: 'Durable', sync: { status: 'not_configured' } });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbStreamsSource } from '../../src/engine/local/dynamodb-streams-source';
import type { StreamBatchHandler } from '../../src/engine/ports/change-stream';
import { createTenant, startTestSandbox, waitFor, type TestSandbox } from '../helpers/harness';
import {
  startWebhookReceiver,
  unique,
  waitForLead,
  type WebhookReceiver,
} from '../leads/lead-fixtures';

// The stream path on Amazon's DynamoDB Local: a sandbox on that engine (as DYNAMODB_ENDPOINT
// runs it) takes its domain events from the table's real DynamoDB Streams, not from the change
// feed it uses over dynalite. A lead PATCH reaches the CRM through it, and a restart on the same
// data dir resumes after the checkpoint: nothing delivered twice, nothing written meanwhile lost.

const endpoint = inject('dynamodbLocalEndpoint');
if (!endpoint) console.warn('stream-path: skipped, DynamoDB Local is not available (no java)');

let dataDir: string;
let t: TestSandbox | undefined;
let receiver: WebhookReceiver;
/** The event ids each started sandbox's stream consumer was handed. */
const seen: string[][] = [];

/** The stream consumer, noting every record it is handed. */
function noting(run: string[]) {
  return (handler: StreamBatchHandler): StreamBatchHandler =>
    async (event) => {
      run.push(...event.Records.map((r) => r.eventID!));
      return handler(event);
    };
}

beforeAll(async () => {
  if (!endpoint) return;
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-stream-path-'));
  receiver = await startWebhookReceiver();
  // The harness puts the sandbox on DynamoDB Local in this project (SWITCHBOARD_TEST_DYNAMODB).
  seen.push([]);
  t = await startTestSandbox({
    dataDir,
    retryDelaySeconds: 0,
    wrapStreamConsumer: noting(seen[0]!),
  });
});

afterAll(async () => {
  await Promise.all([t?.stop(), receiver?.close()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const deliveriesOf = (leadId: string, type: string) =>
  [...receiver.accepted.values()].filter((b) => b.data?.lead?.id === leadId && b.type === type);

describe.skipIf(!endpoint)('the stream path on DynamoDB Local', () => {
  it('a lead PATCH reaches the CRM through the table’s DynamoDB Streams, and a restart resumes', async () => {
    // Prepare: the engine and its stream are DynamoDB Local's own.
    let sb = t!;
    expect(sb.sb.database.engine).toMatchObject({ kind: 'endpoint', endpoint });
    expect(sb.sb.stream.source).toBeInstanceOf(DynamoDbStreamsSource);
    expect(sb.sb.stream.feed).toBeUndefined();
    const tenant = await createTenant(sb.api, sb.adminToken, []);
    const dest = await sb.api.request('POST', '/crm-destinations', {
      token: tenant.token,
      body: { type: 'webhook', url: receiver.url },
    });
    expect(dest.status, dest.text).toBe(201);
    receiver.setSecret(dest.json.secret);
    const posted = await sb.api.request('POST', '/leads', {
      token: tenant.token,
      body: { fields: { name: 'On DynamoDB Local', email: `${unique('ddbl')}@example.com` } },
    });
    expect(posted.status, posted.text).toBe(202);
    const lead = await waitForLead(sb.api, tenant.token, posted.json.submissionId, (l) =>
      ['synced', 'failed'].includes(l.sync.status),
    );
    expect(lead.sync.status).toBe('synced');

    // Act 1: an edit.
    const patched = await sb.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { name: 'Renamed On DynamoDB Local' },
    });
    expect(patched.status, patched.text).toBe(200);

    // Assess 1: the CRM got it, once.
    const updated = await waitFor(async () => deliveriesOf(lead.id, 'lead.updated')[0], {
      timeoutMs: 20_000,
      what: 'lead.updated through DynamoDB Streams',
    });
    expect(updated.data.lead.name).toBe('Renamed On DynamoDB Local');
    expect(deliveriesOf(lead.id, 'lead.upserted')).toHaveLength(1);

    // Act 2: stop, edit the table while nothing reads the stream (a second sandbox on the same
    // data dir writes it with its consumers off), then start again on the same data dir.
    await sb.stop();
    t = undefined;
    const writer = await startTestSandbox({ dataDir, processMessages: false });
    // Same data dir, same signing keys and sessions: the owner's token still holds.
    const offline = await writer.api.request('PATCH', `/leads/${lead.id}`, {
      token: tenant.token,
      body: { name: 'Edited While Stopped' },
    });
    expect(offline.status, offline.text).toBe(200);
    await writer.stop();
    seen.push([]);
    sb = t = await startTestSandbox({
      dataDir,
      retryDelaySeconds: 0,
      wrapStreamConsumer: noting(seen[1]!),
    });

    // Assess 2: the edit made while stopped arrives; the ones before it do not arrive again.
    const late = await waitFor(
      async () =>
        deliveriesOf(lead.id, 'lead.updated').find(
          (d) => d.data.lead.name === 'Edited While Stopped',
        ),
      { timeoutMs: 20_000, what: 'the edit made while the sandbox was stopped' },
    );
    expect(late).toBeDefined();
    await new Promise((r) => setTimeout(r, 1_000));
    // The stream itself: the second run was handed only records the first was not.
    expect(seen[0]!.length).toBeGreaterThan(0);
    expect(seen[1]!.length).toBeGreaterThan(0);
    expect(seen[1]!.filter((id) => seen[0]!.includes(id))).toEqual([]);
    expect(deliveriesOf(lead.id, 'lead.upserted')).toHaveLength(1);
    expect(deliveriesOf(lead.id, 'lead.updated')).toHaveLength(2);
    expect(sb.sb.stream.dlq.stats().visible).toBe(0);
  });
});

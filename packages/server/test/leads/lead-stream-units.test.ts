import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/engine/log';
import { BusPublishError, type BusEventInput, type EventBus } from '../../src/engine/ports/bus';
import { leadEventSource } from '../../src/engine/topology';
import { createStreamConsumer, domainEventsOf } from '../../src/modules/stream-consumer.service';

// The stream consumer on complete DynamoDB Streams records (NEW_AND_OLD_IMAGES), built the way
// DynamoDB writes them: which change raises which event, and how a failed publish is answered.

let seq = 100;
function record(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  key: { PK: string; SK: string },
  images: { old?: Record<string, unknown>; new?: Record<string, unknown> },
): DynamoDBRecord {
  const n = String(++seq).padStart(21, '0');
  const m = (v: Record<string, unknown>) => marshall(v, { removeUndefinedValues: true }) as never;
  return {
    eventID: `ev${n}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:111122223333:table/SocialCRMTable/stream/x',
    dynamodb: {
      ApproximateCreationDateTime: 1_767_000_000,
      Keys: m(key),
      ...(images.new ? { NewImage: m({ ...key, ...images.new }) } : {}),
      ...(images.old ? { OldImage: m({ ...key, ...images.old }) } : {}),
      SequenceNumber: n,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const leadKey = { PK: 'TENANT#t1', SK: 'LEAD#ld_1' };
const lead = (extra: Record<string, unknown> = {}) => ({
  entity: 'Lead',
  id: 'ld_1',
  stage: 'new',
  sync: { status: 'pending', attempts: 0, lastError: null },
  ...extra,
});
const change = (id: string, reason: string) => ({ id, reason, at: '2026-12-01T10:00:00.000Z' });

describe('lead records → CRM sync events', () => {
  it('INSERT of a lead raises LeadUpserted with the submission as job', () => {
    const events = domainEventsOf(
      record('INSERT', leadKey, { new: lead({ lastChange: change('sub_1', 'submission') }) }),
    );
    expect(events).toEqual([
      {
        source: leadEventSource,
        detailType: 'LeadUpserted',
        detail: { tenantId: 't1', leadId: 'ld_1', jobId: 'sub_1', reason: 'submission' },
      },
    ]);
  });

  it('MODIFY with a new lastChange raises LeadSyncRequested (reason update)', () => {
    const events = domainEventsOf(
      record('MODIFY', leadKey, {
        old: lead({ lastChange: change('sub_1', 'submission') }),
        new: lead({ stage: 'won', lastChange: change('job_2', 'update') }),
      }),
    );
    expect(events).toEqual([
      {
        source: leadEventSource,
        detailType: 'LeadSyncRequested',
        detail: { tenantId: 't1', leadId: 'ld_1', jobId: 'job_2', reason: 'update' },
      },
    ]);
  });

  it('MODIFY without a relevant change (the sync status) raises nothing', () => {
    const same = change('job_2', 'update');
    expect(
      domainEventsOf(
        record('MODIFY', leadKey, {
          old: lead({ lastChange: same }),
          new: lead({ lastChange: same, sync: { status: 'synced', attempts: 1, lastError: null } }),
        }),
      ),
    ).toEqual([]);
  });

  it('REMOVE, a soft-deleted lead and items that are not leads raise nothing', () => {
    expect(domainEventsOf(record('REMOVE', leadKey, { old: lead() }))).toEqual([]);
    expect(
      domainEventsOf(
        record('MODIFY', leadKey, {
          old: lead({ lastChange: change('a', 'update') }),
          new: lead({ deletedAt: 'x', lastChange: change('b', 'update') }),
        }),
      ),
    ).toEqual([]);
    const note = { PK: 'TENANT#t1', SK: 'LEADNOTE#ld_1#x#n1' };
    expect(domainEventsOf(record('INSERT', note, { new: { body: 'hi' } }))).toEqual([]);
  });

  it('a redelivered record raises the same event (same job id)', () => {
    const r = record('MODIFY', leadKey, {
      old: lead(),
      new: lead({ lastChange: change('job_9', 'manual') }),
    });
    const again = JSON.parse(JSON.stringify(r)) as DynamoDBRecord;
    expect(domainEventsOf(again)).toEqual(domainEventsOf(r));
    expect(domainEventsOf(r)[0]!.detail).toMatchObject({ jobId: 'job_9', reason: 'manual' });
  });
});

describe('conversation records → inbox events', () => {
  const key = { PK: 'TENANT#t1', SK: 'CONV#cv_1' };
  const conv = (extra: Record<string, unknown> = {}) => ({
    entity: 'Conversation',
    id: 'cv_1',
    status: 'open',
    ...extra,
  });

  it('assignment and closing are events; a new message is not', () => {
    const assigned = domainEventsOf(
      record('MODIFY', key, { old: conv(), new: conv({ assigneeId: 'u1', assignedAt: 'T' }) }),
    );
    expect(assigned).toMatchObject([
      {
        detailType: 'ConversationAssigned',
        detail: { tenantId: 't1', conversationId: 'cv_1', assigneeId: 'u1', at: 'T' },
      },
    ]);
    const closed = domainEventsOf(
      record('MODIFY', key, { old: conv(), new: conv({ status: 'closed', closedAt: 'C' }) }),
    );
    expect(closed.map((e) => e.detailType)).toEqual(['ConversationClosed']);
    const message = domainEventsOf(
      record('MODIFY', key, { old: conv(), new: conv({ lastMessageAt: 'later' }) }),
    );
    expect(message).toEqual([]);
  });
});

describe('the stream consumer', () => {
  function bus(failOn: (e: BusEventInput) => boolean) {
    const published: BusEventInput[] = [];
    const port: EventBus = {
      async publish(events) {
        if (events.some(failOn)) throw new BusPublishError('injected');
        published.push(...events);
        return events.map(() => 'id');
      },
    };
    return { port, published };
  }
  const edit = (jobId: string) =>
    record('MODIFY', leadKey, {
      old: lead(),
      new: lead({ lastChange: change(jobId, 'update') }),
    });

  it('publishes in order and answers the first failing record, handling nothing after it', async () => {
    const { port, published } = bus((e) => e.detail.jobId === 'job_b');
    const records = [edit('job_a'), edit('job_b'), edit('job_c')];
    const out = await createStreamConsumer({ bus: port, log: silentLogger })({ Records: records });
    expect(out).toEqual({
      batchItemFailures: [{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }],
    });
    expect(published.map((e) => e.detail.jobId)).toEqual(['job_a']);
  });

  it('answers no failures when every record is handled', async () => {
    const { port, published } = bus(() => false);
    const out = await createStreamConsumer({ bus: port, log: silentLogger })({
      Records: [edit('job_x'), record('REMOVE', leadKey, { old: lead() })],
    });
    expect(out).toEqual({ batchItemFailures: [] });
    expect(published).toHaveLength(1);
  });
});

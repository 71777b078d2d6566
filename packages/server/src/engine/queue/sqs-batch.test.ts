import { createHash, randomUUID } from 'node:crypto';
import type { Context, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DatabaseUnavailableError } from '../errors';
import type { LogFields, Logger } from '../log';
import { PoisonRecordError, RetryLaterError } from './consumer-errors';
import { sqsBatchHandler, type RecordContext, type SqsBatchConsumer } from './sqs-batch';

// Factories: complete SQS records, as the event source mapping (or the LocalQueue) delivers them.
function sqsRecord(body: string, overrides: Partial<SQSRecord> = {}): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: `rh-${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1700000000000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1700000000001',
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:TestQueue',
    awsRegion: 'eu-west-1',
    ...overrides,
  };
}

const jobRecord = (job: { id: string; fail?: 'error' | 'poison' | 'later' }) =>
  sqsRecord(JSON.stringify(job));

function lambdaContext(awsRequestId: string): Context {
  return { awsRequestId } as Context;
}

type Line = { level: string; msg: string; fields: LogFields };

/** A plain Logger (no `child`), as tests and wrappers build them. */
function capturingLogger(): { log: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const keep =
    (level: string) =>
    (msg: string, fields: LogFields = {}) =>
      void lines.push({ level, msg, fields });
  return {
    lines,
    log: { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') },
  };
}

const jobSchema = z.object({
  id: z.string().min(1),
  fail: z.enum(['error', 'poison', 'later']).optional(),
});
type Job = z.infer<typeof jobSchema>;

function consumer(
  overrides: Partial<SqsBatchConsumer<Job>> = {},
): SqsBatchConsumer<Job> & { handled: { job: Job; ctx: RecordContext }[] } {
  const handled: { job: Job; ctx: RecordContext }[] = [];
  return {
    handled,
    schema: jobSchema,
    bodyName: 'a test job',
    log: capturingLogger().log,
    failureLog: { level: 'warn', msg: 'test job failed' },
    async handle(job, ctx) {
      handled.push({ job, ctx });
      if (job.fail === 'error') throw new Error(`job ${job.id} broke`);
      if (job.fail === 'poison') throw new PoisonRecordError(`job ${job.id} can never work`);
      if (job.fail === 'later') throw new RetryLaterError(`job ${job.id} is early`, 42);
    },
    ...overrides,
  };
}

describe('sqsBatchHandler', () => {
  it('reports only the records that failed, after running all of them', async () => {
    // Prepare
    const c = consumer();
    const records = [
      jobRecord({ id: 'a' }),
      jobRecord({ id: 'b', fail: 'error' }),
      jobRecord({ id: 'c' }),
    ];

    // Act
    const response = await sqsBatchHandler(c)({ Records: records });

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]!.messageId }] });
    expect(c.handled.map((h) => h.job.id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('answers a batch whose every record failed with all of them, without throwing', async () => {
    // Prepare
    const c = consumer();
    const records = [jobRecord({ id: 'a', fail: 'error' }), jobRecord({ id: 'b', fail: 'later' })];

    // Act
    const response = await sqsBatchHandler(c)({ Records: records });

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records.map((r) => r.messageId).sort(),
    );
  });

  it('answers an empty batch with no failures', async () => {
    // Prepare
    const c = consumer();

    // Act
    const response = await sqsBatchHandler(c)({ Records: [] });

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('reports a body that is not JSON, or not the schema, as poison without handling it', async () => {
    // Prepare
    const { log, lines } = capturingLogger();
    const c = consumer({ log });
    const notJson = sqsRecord('{"id": "a"');
    const wrongShape = sqsRecord(JSON.stringify({ id: 7 }));
    const good = jobRecord({ id: 'ok' });

    // Act
    const response = await sqsBatchHandler(c)({ Records: [notJson, good, wrongShape] });

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [notJson.messageId, wrongShape.messageId].sort(),
    );
    expect(c.handled.map((h) => h.job.id)).toEqual(['ok']);
    const failures = lines.filter((l) => l.msg === 'test job failed');
    expect(failures).toHaveLength(2);
    for (const f of failures) {
      expect(f.level).toBe('warn');
      expect(f.fields.error).toBe('PoisonRecordError');
      expect(String(f.fields.detail)).toMatch(/^record \S+ is not a test job: /);
    }
    const shape = failures.find((f) => f.fields.messageId === wrongShape.messageId);
    expect(shape?.fields.detail).toContain('id: ');
    const json = failures.find((f) => f.fields.messageId === notJson.messageId);
    expect(json?.fields.detail).toContain('Invalid JSON');
  });

  it('reports a poison record the handler finds, with its name and receive count', async () => {
    // Prepare
    const { log, lines } = capturingLogger();
    const c = consumer({ log, failureLog: { level: 'error', msg: 'entry failed' } });
    const poison = sqsRecord(JSON.stringify({ id: 'p', fail: 'poison' }), {
      attributes: { ...jobRecord({ id: 'x' }).attributes, ApproximateReceiveCount: '3' },
    });

    // Act
    const response = await sqsBatchHandler(c)({ Records: [poison] });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    expect(c.handled[0]?.ctx.receiveCount).toBe(3);
    expect(lines).toContainEqual({
      level: 'error',
      msg: 'entry failed',
      fields: expect.objectContaining({
        messageId: poison.messageId,
        receiveCount: '3',
        error: 'PoisonRecordError',
        detail: 'job p can never work',
      }),
    });
  });

  it('delays the retry of a RetryLaterError record on the queue, and only that one', async () => {
    // Prepare
    const delayRetry = vi.fn(async (_record: SQSRecord, _seconds: number) => {});
    const c = consumer({ delayRetry });
    const later = jobRecord({ id: 'l', fail: 'later' });
    const broken = jobRecord({ id: 'b', fail: 'error' });

    // Act
    const response = await sqsBatchHandler(c)({
      Records: [later, broken, jobRecord({ id: 'ok' })],
    });

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [later.messageId, broken.messageId].sort(),
    );
    expect(delayRetry).toHaveBeenCalledTimes(1);
    expect(delayRetry).toHaveBeenCalledWith(later, 42);
  });

  it('retries a record that failed because the database was down, after its Retry-After, never as poison', async () => {
    // Prepare: the handler's database call gave up while the sandbox restarted dynalite.
    const { log, lines } = capturingLogger();
    const delayRetry = vi.fn(async (_record: SQSRecord, _seconds: number) => {});
    const c = consumer({
      log,
      failureLog: { level: 'error', msg: 'entry failed' },
      delayRetry,
      async handle() {
        throw new DatabaseUnavailableError('The database is restarting; retry shortly.', 4);
      },
    });
    const record = jobRecord({ id: 'd' });

    // Act
    const response = await sqsBatchHandler(c)({ Records: [record] });

    // Assess: reported failed (so it comes back), delayed by the Retry-After, logged as a warning.
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(delayRetry).toHaveBeenCalledWith(record, 4);
    expect(lines).toEqual([
      {
        level: 'warn',
        msg: 'entry failed',
        fields: expect.objectContaining({ error: 'DatabaseUnavailableError' }),
      },
    ]);
  });

  it('still reports a RetryLaterError record when its delay cannot be set', async () => {
    // Prepare
    const { log, lines } = capturingLogger();
    const c = consumer({
      log,
      delayRetry: async () => {
        throw new Error('AccessDenied');
      },
    });
    const later = jobRecord({ id: 'l', fail: 'later' });

    // Act
    const response = await sqsBatchHandler(c)({ Records: [later] });

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: later.messageId }]);
    expect(lines).toContainEqual({
      level: 'warn',
      msg: 'could not delay a retry',
      fields: expect.objectContaining({ error: 'Error: AccessDenied' }),
    });
  });

  it('logs with the Lambda request id and the record id as correlation id', async () => {
    // Prepare
    const { log, lines } = capturingLogger();
    const c = consumer({
      log,
      async handle(job, ctx) {
        ctx.log.info('handled', { job: job.id });
      },
    });
    const record = jobRecord({ id: 'a' });

    // Act
    await sqsBatchHandler(c)({ Records: [record] }, lambdaContext('req-123'));

    // Assess
    expect(lines).toEqual([
      {
        level: 'info',
        msg: 'handled',
        fields: { requestId: 'req-123', correlationId: record.messageId, job: 'a' },
      },
    ]);
  });

  it('keeps concurrent batches apart and hands out responses that can be changed safely', async () => {
    // Prepare
    const handler = sqsBatchHandler(consumer());
    const first = [jobRecord({ id: 'a', fail: 'error' }), jobRecord({ id: 'b' })];
    const second = [jobRecord({ id: 'c' }), jobRecord({ id: 'd', fail: 'error' })];

    // Act
    const [r1, r2] = await Promise.all([handler({ Records: first }), handler({ Records: second })]);
    const ok = await handler({ Records: [jobRecord({ id: 'e' })] });
    ok.batchItemFailures.push({ itemIdentifier: 'tampered' });
    const okAgain = await handler({ Records: [jobRecord({ id: 'f' })] });

    // Assess
    expect(r1.batchItemFailures).toEqual([{ itemIdentifier: first[0]!.messageId }]);
    expect(r2.batchItemFailures).toEqual([{ itemIdentifier: second[1]!.messageId }]);
    expect(okAgain.batchItemFailures).toEqual([]);
  });
});

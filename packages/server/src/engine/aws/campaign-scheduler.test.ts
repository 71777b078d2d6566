import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConflictException,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-scheduler';
import type { SQSRecord } from 'aws-lambda';
import dynalite from 'dynalite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Db } from '../data/dynamo';
import { keys } from '../data/keys';
import type { Logger } from '../log';
import type { QueueMessageInput, QueueSender, SqsBatchHandler } from '../ports/queue';
import { campaignJobSchema, dueCampaigns, markDue } from '../../modules/campaigns/campaign-runner';
import {
  atExpression,
  campaignScheduleName,
  LOST_WAKEUP_AFTER_MS,
  SchedulerCampaignWakeups,
  sweepLostWakeups,
  withLostWakeupSweep,
} from './campaign-scheduler';
import { lostWakeupSweep } from './env-names';

// Campaign wake-ups against fake Scheduler and SQS clients (what is sent, how answers are read),
// and the lost wake-up sweep against dynalite.

type Sent = { name: string; input: any };
function fakeClient(answer: (name: string, input: any) => unknown = () => ({})) {
  const sent: Sent[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ name, input: command.input });
      return answer(name, command.input);
    },
  };
  return { client: client as any, sent };
}

function recordingLogger() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, msg, fields });
    };
  const log: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { log, lines };
}

const config = {
  groupName: 'Switchboard-CampaignSchedules',
  roleArn: 'arn:aws:iam::123456789012:role/CampaignScheduler',
  queueArn: 'arn:aws:sqs:eu-west-1:123456789012:CampaignSendQueue',
  queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/CampaignSendQueue',
};
const NOW = Date.parse('2026-12-03T14:06:28.250Z');

function wakeups(answer?: (name: string, input: any) => unknown) {
  const scheduler = fakeClient(answer);
  const sqs = fakeClient(() => ({ MessageId: 'm-1' }));
  const { log, lines } = recordingLogger();
  const adapter = new SchedulerCampaignWakeups({
    scheduler: scheduler.client,
    sqs: sqs.client,
    config,
    log,
    now: () => NOW,
  });
  return { adapter, scheduler: scheduler.sent, sqs: sqs.sent, lines };
}

describe('campaignScheduleName', () => {
  it('is one name per campaign, within Scheduler’s 64 characters and alphabet', () => {
    const name = campaignScheduleName('t_acme', 'cmp_000000001abc');
    expect(name).toMatch(/^campaign-[0-9a-f]{40}$/);
    expect(name.length).toBeLessThanOrEqual(64);
    expect(campaignScheduleName('t_acme', 'cmp_000000001abc')).toBe(name);
    expect(campaignScheduleName('t_other', 'cmp_000000001abc')).not.toBe(name);
    // The separator keeps `a#bc` and `ab#c` apart.
    expect(campaignScheduleName('a', 'bc')).not.toBe(campaignScheduleName('ab', 'c'));
  });
});

describe('atExpression', () => {
  it('writes UTC, rounded up to the minute Scheduler fires in', () => {
    expect(atExpression(Date.parse('2026-12-03T14:30:00.000Z'))).toBe('at(2026-12-03T14:30:00)');
    expect(atExpression(Date.parse('2026-12-03T14:30:00.001Z'))).toBe('at(2026-12-03T14:31:00)');
    expect(atExpression(Date.parse('2026-12-31T23:59:30.000Z'))).toBe('at(2027-01-01T00:00:00)');
    // A time given with an offset is the same instant in UTC.
    expect(atExpression(Date.parse('2026-12-03T09:30:00-05:00'))).toBe('at(2026-12-03T14:30:00)');
  });
});

describe('SchedulerCampaignWakeups.wakeAt', () => {
  it('schedules a later start once, in the group, onto the queue with the job as input', async () => {
    const { adapter, scheduler, sqs } = wakeups();
    const sendAt = Date.parse('2026-12-04T09:00:00.000Z');
    await adapter.wakeAt('t_acme', 'cmp_1', sendAt);
    expect(sqs).toEqual([]);
    expect(scheduler).toHaveLength(1);
    expect(scheduler[0]).toEqual({
      name: 'CreateSchedule',
      input: {
        Name: campaignScheduleName('t_acme', 'cmp_1'),
        GroupName: config.groupName,
        ScheduleExpression: 'at(2026-12-04T09:00:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: config.queueArn, RoleArn: config.roleArn, Input: expect.any(String) },
      },
    });
    expect(campaignJobSchema.parse(JSON.parse(scheduler[0]!.input.Target.Input))).toEqual({
      v: 1,
      tenantId: 't_acme',
      campaignId: 'cmp_1',
    });
  });

  it('moves the campaign’s schedule when it has one already (ConflictException)', async () => {
    const { adapter, scheduler, lines } = wakeups((name) => {
      if (name === 'CreateSchedule') {
        throw new ConflictException({
          Message: 'Schedule already exists.',
          message: 'Schedule already exists.',
          $metadata: {},
        });
      }
      return { ScheduleArn: 'arn:aws:scheduler:::schedule/g/n' };
    });
    await adapter.wakeAt('t_acme', 'cmp_1', NOW + 3 * 3600_000);
    expect(scheduler.map((s) => s.name)).toEqual(['CreateSchedule', 'UpdateSchedule']);
    expect(scheduler[1]!.input).toEqual(scheduler[0]!.input);
    expect(lines).toEqual([]);
  });

  it('logs any other refusal and does not throw (the sweep queues it later)', async () => {
    const { adapter, scheduler, lines } = wakeups(() => {
      throw new ThrottlingException({
        Message: 'Rate exceeded',
        message: 'Rate exceeded',
        $metadata: {},
      });
    });
    await expect(adapter.wakeAt('t_acme', 'cmp_1', NOW + 3 * 3600_000)).resolves.toBeUndefined();
    expect(scheduler.map((s) => s.name)).toEqual(['CreateSchedule']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'error',
      fields: { tenantId: 't_acme', campaignId: 'cmp_1' },
    });
    expect(String(lines[0]!.fields!.error)).toContain('Rate exceeded');
  });

  it('sends a due or near wake-up straight to the queue, delayed to the second', async () => {
    const { adapter, scheduler, sqs } = wakeups();
    await adapter.wakeAt('t_acme', 'cmp_now', NOW);
    await adapter.wakeAt('t_acme', 'cmp_late', NOW - 60_000);
    await adapter.wakeAt('t_acme', 'cmp_backoff', NOW + 2_500);
    await adapter.wakeAt('t_acme', 'cmp_tier', NOW + 5 * 60_000);
    await adapter.wakeAt('t_acme', 'cmp_edge', NOW + 900_000);
    expect(scheduler).toEqual([]);
    expect(sqs.map((s) => s.name)).toEqual(Array(5).fill('SendMessage'));
    expect(sqs.map((s) => s.input.DelaySeconds)).toEqual([0, 0, 3, 300, 900]);
    for (const { input } of sqs) {
      expect(input.QueueUrl).toBe(config.queueUrl);
      expect(campaignJobSchema.safeParse(JSON.parse(input.MessageBody)).success).toBe(true);
    }
    expect(JSON.parse(sqs[0]!.input.MessageBody)).toEqual({
      v: 1,
      tenantId: 't_acme',
      campaignId: 'cmp_now',
    });
  });

  it('schedules once the wait is past what SQS can delay', async () => {
    const { adapter, scheduler, sqs } = wakeups();
    await adapter.wakeAt('t_acme', 'cmp_1', NOW + 901_000);
    expect(sqs).toEqual([]);
    expect(scheduler.map((s) => s.name)).toEqual(['CreateSchedule']);
    expect(scheduler[0]!.input.ScheduleExpression).toBe('at(2026-12-03T14:22:00)');
  });
});

describe('SchedulerCampaignWakeups.cancel', () => {
  it('deletes the campaign’s schedule from the group', async () => {
    const { adapter, scheduler } = wakeups();
    await adapter.cancel('t_acme', 'cmp_1');
    expect(scheduler).toEqual([
      {
        name: 'DeleteSchedule',
        input: { Name: campaignScheduleName('t_acme', 'cmp_1'), GroupName: config.groupName },
      },
    ]);
  });

  it('is quiet when there is no schedule (fired and deleted itself, or never made)', async () => {
    const { adapter, lines } = wakeups(() => {
      throw new ResourceNotFoundException({
        Message: 'Schedule not found',
        message: 'Schedule not found',
        $metadata: {},
      });
    });
    await expect(adapter.cancel('t_acme', 'cmp_1')).resolves.toBeUndefined();
    expect(lines).toEqual([]);
  });

  it('logs another failure without throwing', async () => {
    const { adapter, lines } = wakeups(() => {
      throw new ThrottlingException({
        Message: 'Rate exceeded',
        message: 'Rate exceeded',
        $metadata: {},
      });
    });
    await expect(adapter.cancel('t_acme', 'cmp_1')).resolves.toBeUndefined();
    expect(lines.map((l) => l.level)).toEqual(['warn']);
  });
});

describe('the lost wake-up sweep', () => {
  let server: Server;
  let db: Db;
  beforeAll(async () => {
    server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    db = Db.connect({
      tableName: 'CampaignWakeupsTest',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await db.ensureTable();
  });
  afterAll(async () => {
    db?.destroy();
    await new Promise((resolve) => server?.close(resolve));
  });

  function recordingQueue() {
    const sent: QueueMessageInput[] = [];
    const queue: QueueSender = {
      sendBatch: async (messages) => {
        sent.push(...messages);
        return messages.map((_, i) => ({ messageId: `m-${sent.length}-${i}` }));
      },
    };
    return { queue, sent };
  }

  it('queues only due items long past their time that no slice took up, once', async () => {
    // Prepare: a lost wake-up, one just due, a future start, and one a slice has taken up.
    const long = NOW - LOST_WAKEUP_AFTER_MS - 1;
    await markDue(db, 't_sweep', 'cmp_lost', long);
    await markDue(db, 't_sweep', 'cmp_recent', NOW - 60_000);
    await markDue(db, 't_sweep', 'cmp_future', NOW + 3600_000);
    await db.put({
      ...keys.campaignDue('t_sweep', 'cmp_running'),
      tenantId: 't_sweep',
      campaignId: 'cmp_running',
      dueAt: long,
      enqueuedAt: long + 1,
    });
    const { queue, sent } = recordingQueue();

    // Act
    const queued = await sweepLostWakeups({ db, queue, now: () => NOW });

    // Assess
    expect(queued).toBe(1);
    expect(sent.map((m) => JSON.parse(m.body))).toEqual([
      { v: 1, tenantId: 't_sweep', campaignId: 'cmp_lost' },
    ]);
    const lost = (await dueCampaigns(db)).find((d) => d.campaignId === 'cmp_lost');
    expect(lost).toMatchObject({ dueAt: NOW, enqueuedAt: NOW });
    expect(await sweepLostWakeups({ db, queue, now: () => NOW + 60_000 })).toBe(0);
    expect(sent).toHaveLength(1);
  });
});

describe('withLostWakeupSweep', () => {
  const record = (messageId: string, body: unknown): SQSRecord =>
    ({
      messageId,
      receiptHandle: `rh-${messageId}`,
      body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: config.queueArn,
      awsRegion: 'eu-west-1',
    }) as unknown as SQSRecord;

  it('runs the sweep on its message and hands every other record to the runner', async () => {
    const seen: string[][] = [];
    const runner: SqsBatchHandler = async (event) => {
      seen.push(event.Records.map((r) => r.messageId));
      return { batchItemFailures: [{ itemIdentifier: 'job-2' }] };
    };
    let sweeps = 0;
    const { log } = recordingLogger();
    const handler = withLostWakeupSweep(runner, async () => ++sweeps, log);
    const answer = await handler({
      Records: [
        record('job-1', { v: 1, tenantId: 't', campaignId: 'c1' }),
        record('sweep', lostWakeupSweep.message),
        record('job-2', { v: 1, tenantId: 't', campaignId: 'c2' }),
      ],
    });
    expect(sweeps).toBe(1);
    expect(seen).toEqual([['job-1', 'job-2']]);
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'job-2' }] });
  });

  it('acknowledges a failed sweep (the next one comes anyway) and never calls the runner for it', async () => {
    let runnerCalls = 0;
    const runner: SqsBatchHandler = async () => {
      runnerCalls++;
      return { batchItemFailures: [] };
    };
    const { log, lines } = recordingLogger();
    const handler = withLostWakeupSweep(
      runner,
      async () => {
        throw new Error('table unreachable');
      },
      log,
    );
    const answer = await handler({ Records: [record('sweep', lostWakeupSweep.message)] });
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(runnerCalls).toBe(0);
    expect(lines).toMatchObject([{ level: 'error', fields: { messageId: 'sweep' } }]);
  });

  it('leaves a body that only looks like a sweep to the runner (and its poison handling)', async () => {
    const seen: string[] = [];
    const runner: SqsBatchHandler = async (event) => {
      seen.push(...event.Records.map((r) => r.messageId));
      return { batchItemFailures: [] };
    };
    const handler = withLostWakeupSweep(runner, async () => 0, recordingLogger().log);
    await handler({
      Records: [record('odd', { v: 1, sweep: 'everything' }), record('text', 'not json')],
    });
    expect(seen).toEqual(['odd', 'text']);
  });
});

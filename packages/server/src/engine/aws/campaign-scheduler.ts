import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { Db } from '../data/dynamo';
import { campaignSchedulePrefix, lostWakeupSweep } from './env-names';
import { sha256Hex } from '../ids';
import type { Logger } from '../log';
import type { CampaignWakeups } from '../ports/campaign-wakeups';
import type { QueueSender, SqsBatchHandler } from '../ports/queue';
import {
  dueCampaigns,
  enqueueCampaign,
  type CampaignJob,
} from '../../modules/campaigns/campaign-runner';

// Campaign wake-ups deployed (ports/campaign-wakeups.ts). A wake-up within SQS's longest delivery
// delay (15 min: backoffs, the messaging-tier recheck, "send now") is a delayed SendMessage, to
// the second; a later one (a start time) is a one-time EventBridge Scheduler schedule per
// campaign, which sends the same job to CampaignSendQueue and deletes itself. Scheduler fires
// within the minute of its `at()` time, so that time is rounded up to a whole minute: a start
// is never early (a slice that came early would only ask to be woken again).
//
// A wake-up lost between the due item and the call (a crash, a Scheduler outage) is found by the
// stack's recurring schedule (`lostWakeupSweep` in env-names.ts), whose message on the same queue
// runs `sweepLostWakeups` below: due items long past their time that no slice took up are queued.

/** SQS's longest DelaySeconds. */
export const SQS_MAX_DELAY_SECONDS = 900;

export type CampaignSchedulerConfig = {
  /** The schedule group holding every campaign's schedule (the stack's). */
  groupName: string;
  /** The role Scheduler assumes to send to the queue. */
  roleArn: string;
  queueArn: string;
  queueUrl: string;
};

/** One schedule per campaign, at most 64 characters of [0-9a-zA-Z-_.]: a hash of its key. */
export function campaignScheduleName(tenantId: string, campaignId: string): string {
  return `${campaignSchedulePrefix}${sha256Hex(`${tenantId}#${campaignId}`).slice(0, 40)}`;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the whole minute (Scheduler's precision). */
export function atExpression(dueAt: number): string {
  const minute = Math.ceil(dueAt / 60_000) * 60_000;
  return `at(${new Date(minute).toISOString().slice(0, 19)})`;
}

export function campaignJobBody(tenantId: string, campaignId: string): string {
  const job: CampaignJob = { v: 1, tenantId, campaignId };
  return JSON.stringify(job);
}

export class SchedulerCampaignWakeups implements CampaignWakeups {
  private readonly now: () => number;

  constructor(
    private readonly deps: {
      scheduler: Pick<SchedulerClient, 'send'>;
      sqs: Pick<SQSClient, 'send'>;
      config: CampaignSchedulerConfig;
      log: Logger;
      now?: () => number;
    },
  ) {
    this.now = deps.now ?? Date.now;
  }

  async wakeAt(tenantId: string, campaignId: string, dueAt: number): Promise<void> {
    const { config, log } = this.deps;
    const body = campaignJobBody(tenantId, campaignId);
    const delaySeconds = Math.max(0, Math.ceil((dueAt - this.now()) / 1000));
    try {
      if (delaySeconds <= SQS_MAX_DELAY_SECONDS) {
        await this.deps.sqs.send(
          new SendMessageCommand({
            QueueUrl: config.queueUrl,
            MessageBody: body,
            DelaySeconds: delaySeconds,
          }),
        );
        return;
      }
      const schedule: CreateScheduleCommandInput = {
        Name: campaignScheduleName(tenantId, campaignId),
        GroupName: config.groupName,
        ScheduleExpression: atExpression(dueAt),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: config.queueArn, RoleArn: config.roleArn, Input: body },
      };
      try {
        await this.deps.scheduler.send(new CreateScheduleCommand(schedule));
      } catch (error) {
        // The campaign already has one (re-scheduled, resumed): move it.
        if (!(error instanceof ConflictException)) throw error;
        await this.deps.scheduler.send(new UpdateScheduleCommand(schedule));
      }
    } catch (error) {
      log.error('campaign wake-up failed; the lost wake-up sweep will queue it', {
        tenantId,
        campaignId,
        dueAt,
        error: String(error),
      });
    }
  }

  async cancel(tenantId: string, campaignId: string): Promise<void> {
    const { config, log } = this.deps;
    try {
      await this.deps.scheduler.send(
        new DeleteScheduleCommand({
          Name: campaignScheduleName(tenantId, campaignId),
          GroupName: config.groupName,
        }),
      );
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      // A schedule left behind only runs a slice that finds nothing to do.
      log.warn('campaign schedule not deleted', { tenantId, campaignId, error: String(error) });
    }
  }
}

/** The recurring schedule's message on CampaignSendQueue (its Input, set by the stack). */
const lostWakeupSweepSchema = z.object({
  v: z.literal(lostWakeupSweep.message.v),
  sweep: z.literal(lostWakeupSweep.message.sweep),
});

/**
 * How long past its time a due item no slice has taken up (`enqueuedAt` is set when one is
 * queued or running) waits before the sweep queues it: longer than a job waits behind other
 * campaigns' slices, so a queued one is not sent twice.
 */
export const LOST_WAKEUP_AFTER_MS = 10 * 60_000;

/** Queues the campaigns whose wake-up was lost; answers how many. */
export async function sweepLostWakeups(deps: {
  db: Db;
  queue: QueueSender;
  now?: () => number;
}): Promise<number> {
  const now = deps.now ?? Date.now;
  let sent = 0;
  for (const due of await dueCampaigns(deps.db)) {
    if (due.enqueuedAt !== undefined || due.dueAt > now() - LOST_WAKEUP_AFTER_MS) continue;
    await enqueueCampaign(deps.db, deps.queue, due.tenantId, due.campaignId, now());
    sent++;
  }
  return sent;
}

function isSweep(body: string): boolean {
  try {
    return lostWakeupSweepSchema.safeParse(JSON.parse(body)).success;
  } catch {
    return false;
  }
}

/**
 * CampaignSender's handler with the sweep message taken out: it runs the sweep, every other
 * record goes to the campaign runner. A failed sweep is logged and not retried (the next one
 * comes in five minutes), so it never reaches the DLQ.
 */
export function withLostWakeupSweep(
  runner: SqsBatchHandler,
  sweep: () => Promise<number>,
  log: Logger,
): SqsBatchHandler {
  return async (event, context) => {
    const sweeps = event.Records.filter((r) => isSweep(r.body));
    for (const record of sweeps) {
      try {
        const queued = await sweep();
        if (queued > 0) log.warn('lost campaign wake-ups queued', { queued });
      } catch (error) {
        log.error('lost wake-up sweep failed', {
          messageId: record.messageId,
          error: String(error),
        });
      }
    }
    const jobs = event.Records.filter((r) => !sweeps.includes(r));
    if (jobs.length === 0) return { batchItemFailures: [] };
    return runner({ ...event, Records: jobs }, context);
  };
}

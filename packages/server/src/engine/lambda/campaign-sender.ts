import { SQSClient } from '@aws-sdk/client-sqs';
import { awsRuntime } from '../aws/deps';
import { sweepLostWakeups, withLostWakeupSweep } from '../aws/campaign-scheduler';
import { envNames } from '../aws/env-names';
import { SqsQueueSender } from '../aws/sqs-queue';
import { createCampaignSender } from '../../modules/campaigns/campaign-runner';
import { GraphClient, graphConfigFromEnv } from '../../modules/messaging/meta/graph-client';

// CampaignSendQueue -> here: one slice of a campaign at the number's rate, then the campaign goes
// back on its own queue. Reserved concurrency 1 (topology.ts) keeps the in-memory rate exact.
// The stack's recurring schedule also sends the lost wake-up sweep here (aws/campaign-scheduler.ts).
const { db, tenantDb, log, cipher, events, campaignWakeups } = awsRuntime('CampaignSender');
const queue = new SqsQueueSender(
  new SQSClient({}),
  process.env[envNames.queueUrl('CampaignSendQueue')] ?? '',
);

export const handler = withLostWakeupSweep(
  createCampaignSender({
    db,
    tenantDb,
    log,
    cipher,
    graph: new GraphClient(graphConfigFromEnv()),
    queue,
    events,
    wakeups: campaignWakeups,
    ...(Number(process.env.CAMPAIGN_SEND_RATE) > 0
      ? { ratePerSecond: Number(process.env.CAMPAIGN_SEND_RATE) }
      : {}),
  }),
  () => sweepLostWakeups({ db, queue }),
  log,
);

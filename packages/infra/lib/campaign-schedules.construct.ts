import { Stack } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { campaignSchedulePrefix, lostWakeupSweep } from './server';

// Campaign wake-ups (server engine/aws/campaign-scheduler.ts): a schedule group for the
// campaigns' one-time schedules, the role EventBridge Scheduler assumes to put their jobs on
// CampaignSendQueue, and the recurring schedule that sends the lost wake-up sweep there.

export type CampaignSchedulesProps = {
  /** CampaignSendQueue. */
  queue: IQueue;
  /** The key the queue is encrypted with. */
  queueKey: IKey;
};

export class CampaignSchedules extends Construct {
  readonly group: CfnScheduleGroup;
  /** Assumed by Scheduler only, for this account's schedules in this group. */
  readonly role: Role;
  readonly sweep: CfnSchedule;
  /** What the functions may create, move and delete: the campaigns' schedules in the group. */
  readonly campaignScheduleArns: string;

  constructor(scope: Construct, id: string, props: CampaignSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.group = new CfnScheduleGroup(this, 'Group', {});
    this.role = new Role(this, 'SchedulerRole', {
      description:
        'Switchboard campaign wake-ups: EventBridge Scheduler sends jobs to CampaignSendQueue',
      // The confused deputy: only Scheduler acting for this account's schedules in this group.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': this.group.attrArn },
        },
      }),
      inlinePolicies: {
        SendCampaignJobs: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: 'CampaignSendQueue',
              actions: ['sqs:SendMessage'],
              resources: [props.queue.queueArn],
            }),
            new PolicyStatement({
              sid: 'CampaignSendQueueKey',
              actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
              resources: [props.queueKey.keyArn],
            }),
          ],
        }),
      },
    });
    this.campaignScheduleArns = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.ref}/${campaignSchedulePrefix}*`,
    });
    // Not named with the campaigns' prefix: the functions' grant cannot touch it.
    this.sweep = new CfnSchedule(this, 'LostWakeupSweep', {
      description: 'Queues campaigns whose wake-up was lost (CampaignSender runs the sweep)',
      groupName: this.group.ref,
      scheduleExpression: lostWakeupSweep.expression,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.queue.queueArn,
        roleArn: this.role.roleArn,
        input: JSON.stringify(lostWakeupSweep.message),
      },
    });
  }
}

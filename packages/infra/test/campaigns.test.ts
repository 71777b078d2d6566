import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  campaignSchedulePrefix,
  envNames,
  functions,
  lostWakeupSweep,
  queues,
  type FunctionName,
} from '../lib/server';
import type { SwitchboardStack } from '../lib/switchboard-stack';
import {
  asArray,
  flatten,
  propsOf,
  referencedIds,
  resourcesOf,
  statementsOfRole,
  type CfnTemplate,
} from './cfn';
import { synthStack, type Synthesized } from './synth';

// Campaigns on AWS: CampaignSendQueue and its DLQ, CampaignSender draining it one slice at a time
// (one instance), their alarms, and the wake-ups: a schedule group, the role Scheduler assumes to
// put jobs on the queue (nothing else), the recurring lost wake-up sweep, and the grants of the
// functions that create and delete the campaigns' schedules.

let stack: SwitchboardStack;
let template: CfnTemplate;
let id: Synthesized['id'];
beforeAll(() => {
  ({ stack, template, id } = synthStack());
}, 120_000);

const waking = (Object.keys(functions) as FunctionName[]).filter(
  (name) => functions[name].wakesCampaigns,
);
const cfnId = (element: CfnElement) => stack.getLogicalId(element);
const groupId = () => cfnId(stack.campaignSchedules.group);
const queueId = () => id(stack.queues.get('CampaignSendQueue').queue);
const dlqId = () => id(stack.queues.get('CampaignSendQueue').dlq);
const props = (element: { node: { defaultChild?: unknown } }) =>
  propsOf(template.Resources[id(element)]!);
const roleStatements = (name: FunctionName) =>
  statementsOfRole(template, id(stack.functions.get(name).role));

describe('CampaignSendQueue and CampaignSender', () => {
  it('redrives to its own DLQ after the topology count, encrypted with the messaging key', () => {
    const queue = props(stack.queues.get('CampaignSendQueue').queue);
    expect(queue.RedrivePolicy.maxReceiveCount).toBe(queues.CampaignSendQueue.maxReceiveCount);
    expect(referencedIds(queue.RedrivePolicy.deadLetterTargetArn)).toEqual(new Set([dlqId()]));
    expect(queue.VisibilityTimeout).toBe(queues.CampaignSendQueue.visibilityTimeoutSeconds);
    expect(referencedIds(queue.KmsMasterKeyId)).toEqual(new Set([id(stack.keys.messaging)]));
    expect(referencedIds(props(stack.queues.get('CampaignSendQueue').dlq).KmsMasterKeyId)).toEqual(
      new Set([id(stack.keys.messaging)]),
    );
  });

  it('is drained by CampaignSender alone, one slice per invocation, with partial failures', () => {
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping')
      .map(([, m]) => propsOf(m))
      .filter((m) => referencedIds(m.EventSourceArn).has(queueId()));
    expect(mappings).toHaveLength(1);
    const [mapping] = mappings;
    expect(referencedIds(mapping!.FunctionName)).toEqual(
      new Set([id(stack.functions.get('CampaignSender').fn)]),
    );
    expect(mapping!.BatchSize).toBe(1);
    expect(mapping!.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('runs CampaignSender as one instance, within the queue’s visibility timeout', () => {
    const fn = props(stack.functions.get('CampaignSender').fn);
    expect(functions.CampaignSender.reservedConcurrency).toBe(1);
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Timeout).toBeLessThanOrEqual(queues.CampaignSendQueue.visibilityTimeoutSeconds);
  });

  it('alarms on a message in the DLQ and on the sender’s errors and throttles', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, a]) => propsOf(a));
    const on = (metric: string, target: string) =>
      alarms.filter(
        (a) =>
          a.MetricName === metric &&
          asArray(a.Dimensions).some((d: any) => referencedIds(d.Value).has(target)),
      );
    expect(on('ApproximateNumberOfMessagesVisible', dlqId())).toHaveLength(1);
    const sender = id(stack.functions.get('CampaignSender').fn);
    expect(on('Errors', sender)).toHaveLength(1);
    expect(on('Throttles', sender)).toHaveLength(1);
    const topics = new Set(resourcesOf(template, 'AWS::SNS::Topic').map(([topicId]) => topicId));
    for (const alarm of [
      ...on('Errors', sender),
      ...on('ApproximateNumberOfMessagesVisible', dlqId()),
    ]) {
      expect(alarm.Threshold).toBe(1);
      const actions = [...referencedIds(alarm.AlarmActions)];
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.every((action) => topics.has(action))).toBe(true);
    }
  });
});

describe('campaign wake-ups', () => {
  it('has one schedule group, holding the recurring sweep', () => {
    expect(resourcesOf(template, 'AWS::Scheduler::ScheduleGroup')).toHaveLength(1);
    const schedules = resourcesOf(template, 'AWS::Scheduler::Schedule').map(([, s]) => propsOf(s));
    expect(schedules).toHaveLength(1);
    const [sweep] = schedules;
    expect(referencedIds(sweep!.GroupName)).toEqual(
      new Set([cfnId(stack.campaignSchedules.group)]),
    );
    expect(sweep!.ScheduleExpression).toBe(lostWakeupSweep.expression);
    expect(sweep!.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(sweep!.State).toBe('ENABLED');
    expect(referencedIds(sweep!.Target.Arn)).toEqual(new Set([queueId()]));
    expect(referencedIds(sweep!.Target.RoleArn)).toEqual(
      new Set([id(stack.campaignSchedules.role)]),
    );
    expect(JSON.parse(sweep!.Target.Input)).toEqual(lostWakeupSweep.message);
    // Named by CloudFormation, so the campaigns' prefix (what the functions may touch) misses it.
    expect(sweep!.Name).toBeUndefined();
  });

  it('lets only EventBridge Scheduler, for this account and group, assume its role', () => {
    const role = props(stack.campaignSchedules.role);
    const trust = role.AssumeRolePolicyDocument.Statement;
    expect(trust).toHaveLength(1);
    expect(trust[0].Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(trust[0].Condition.StringEquals['aws:SourceAccount']).toEqual({
      Ref: 'AWS::AccountId',
    });
    expect(referencedIds(trust[0].Condition.ArnEquals['aws:SourceArn'])).toEqual(
      new Set([cfnId(stack.campaignSchedules.group)]),
    );
  });

  it('gives Scheduler’s role SendMessage on CampaignSendQueue and its key, nothing else', () => {
    const statements = statementsOfRole(template, id(stack.campaignSchedules.role));
    expect(
      statements.map((s) => [asArray(s.Action).sort(), [...referencedIds(s.Resource)]]),
    ).toEqual([
      [['sqs:SendMessage'], [queueId()]],
      [['kms:Decrypt', 'kms:GenerateDataKey'], [id(stack.keys.messaging)]],
    ]);
  });

  it('lets exactly the waking functions manage the campaigns’ schedules and pass the role to Scheduler', () => {
    expect(waking.sort()).toEqual(['Api', 'CampaignSender']);
    const roleId = id(stack.campaignSchedules.role);
    for (const name of Object.keys(functions) as FunctionName[]) {
      const own = roleStatements(name);
      const onSchedules = own.filter((s) =>
        asArray(s.Action).some((a: string) => a.startsWith('scheduler:')),
      );
      const passing = own.filter((s) => asArray(s.Action).includes('iam:PassRole'));
      if (!waking.includes(name)) {
        expect(onSchedules, name).toEqual([]);
        expect(passing, name).toEqual([]);
        continue;
      }
      expect(onSchedules, name).toHaveLength(1);
      expect(asArray(onSchedules[0].Action).sort()).toEqual([
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:UpdateSchedule',
      ]);
      const resource = flatten(onSchedules[0].Resource);
      expect(resource).toBe(
        `arn:aws:scheduler:${stack.region}:\${AWS::AccountId}:schedule/\${${groupId()}}/${campaignSchedulePrefix}*`,
      );
      expect(passing, name).toHaveLength(1);
      expect(referencedIds(passing[0].Resource)).toEqual(new Set([roleId]));
      expect(passing[0].Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
      });
      // Near wake-ups go straight to the queue.
      const sends = own.filter((s) => asArray(s.Action).includes('sqs:SendMessage'));
      expect(
        sends.some((s) => referencedIds(s.Resource).has(queueId())),
        name,
      ).toBe(true);
    }
  });

  it('tells the waking functions the group, the role and the queue', () => {
    for (const name of waking) {
      const env = props(stack.functions.get(name).fn).Environment.Variables;
      expect(referencedIds(env[envNames.campaignScheduleGroup])).toEqual(
        new Set([cfnId(stack.campaignSchedules.group)]),
      );
      expect(referencedIds(env[envNames.campaignSchedulerRoleArn])).toEqual(
        new Set([id(stack.campaignSchedules.role)]),
      );
      expect(referencedIds(env[envNames.queueArn('CampaignSendQueue')])).toEqual(
        new Set([queueId()]),
      );
      expect(referencedIds(env[envNames.queueUrl('CampaignSendQueue')])).toEqual(
        new Set([queueId()]),
      );
    }
  });
});

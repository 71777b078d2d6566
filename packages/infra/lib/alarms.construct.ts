import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export type AlarmsProps = {
  key: IKey;
  email?: string;
  deadLetterQueues: { name: string; queue: IQueue }[];
  functions: { name: string; fn: IFunction }[];
  api: RestApi;
};

/**
 * Alarms an operator must hear about, to one encrypted SNS topic: any message in a DLQ (a webhook
 * that will not process is a customer message not shown), any function error or throttle, any 5xx.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { masterKey: props.key, enforceSSL: true });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    const action = new SnsAction(this.topic);

    const alarm = (name: string, metric: IMetric, description: string) => {
      const created = new Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
    };

    for (const { name, queue } of props.deadLetterQueues) {
      alarm(
        `${name}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        `${name} holds messages: inspect and redrive (GET /admin/dlq)`,
      );
    }
    for (const { name, fn } of props.functions) {
      const period = { period: Duration.minutes(5), statistic: 'Sum' };
      alarm(`${name}Errors`, fn.metricErrors(period), `${name} failed invocations`);
      alarm(`${name}Throttles`, fn.metricThrottles(period), `${name} was throttled`);
    }
    alarm(
      'Api5xx',
      props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      'The API answered 5xx',
    );
  }
}

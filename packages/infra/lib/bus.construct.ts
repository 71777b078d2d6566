import { Duration, Stack } from 'aws-cdk-lib';
import { EventBus, Rule, type EventPattern as CdkEventPattern } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allBusRules } from './topology-reader';
import { bus, type BusRuleSpec, type FunctionName } from './server';
import type { Queues } from './queues.construct';

export type BusTargets = {
  functionOf(name: FunctionName): IFunction;
  queues: Queues;
};

function toCdkPattern(pattern: BusRuleSpec['pattern']): CdkEventPattern {
  return {
    source: pattern.source,
    detailType: pattern['detail-type'],
    detail: pattern.detail,
  };
}

/**
 * SwitchboardBus with a 30-day archive (replay after a fix) and one DLQ for every rule's failed
 * deliveries. Rules come from the topology; an empty list builds just the bus.
 */
export class Bus extends Construct {
  readonly bus: EventBus;
  readonly dlq: Queue;
  readonly rules: Rule[] = [];

  constructor(scope: Construct, id: string, props: { key: IKey }) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: bus.logicalName });
    this.bus.archive('Archive', {
      description: 'Every event on SwitchboardBus, for replay',
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(30),
    });
    this.dlq = new Queue(this, 'RulesDlq', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
  }

  /** One rule per topology bus rule, delivering to a function or a queue, failures to the DLQ. */
  addRules(targets: BusTargets): void {
    for (const spec of allBusRules) {
      const retry = { deadLetterQueue: this.dlq, retryAttempts: spec.maxRetries };
      const target =
        spec.target.kind === 'function'
          ? new LambdaFunction(targets.functionOf(spec.target.function), retry)
          : new SqsQueue(targets.queues.get(spec.target.queue).queue, retry);
      this.rules.push(
        new Rule(this, `Rule${spec.name}`, {
          eventBus: this.bus,
          description: spec.name,
          eventPattern: toCdkPattern(spec.pattern),
          targets: [target],
        }),
      );
    }
  }
}

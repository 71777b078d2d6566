import { Duration, Stack } from 'aws-cdk-lib';
import {
  Archive,
  EventBus,
  Rule,
  type EventPattern as CdkEventPattern,
} from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
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
 * SwitchboardBus, encrypted with its own customer-managed key (lead events carry PII), with a
 * 30-day archive under the same key (replay after a fix) and one DLQ for every rule's failed
 * deliveries, which is also the bus's own DLQ for events it cannot encrypt or decrypt (a disabled
 * key). Rules come from the topology; an empty list builds just the bus.
 */
export class Bus extends Construct {
  readonly bus: EventBus;
  readonly dlq: Queue;
  readonly rules: Rule[] = [];

  constructor(scope: Construct, id: string, props: { eventsKey: IKey; dlqKey: IKey }) {
    super(scope, id);
    this.dlq = new Queue(this, 'RulesDlq', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.dlqKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // CDK adds the key policy statement: EventBridge may use the key for this bus only
    // (source account, source ARN and the bus ARN as encryption context).
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: bus.logicalName,
      kmsKey: props.eventsKey,
      deadLetterQueue: this.dlq,
    });
    // Rule targets' DLQ permissions are added per rule; the bus's own DLQ needs its own.
    this.dlq.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBusDeadLetters',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.dlq.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.bus.eventBusArn } },
      }),
    );
    // Without a key of its own an archive keeps events under an AWS owned key. (`bus.archive()`
    // drops `kmsKey`, hence the construct.) CDK adds the key policy statements, the key's use
    // scoped to this bus by encryption context. They name the bus by an ARN built from its name:
    // a reference to the bus resource would make a cycle (key policy -> bus -> key).
    const busByArn = EventBus.fromEventBusArn(
      this,
      'BusByArn',
      Stack.of(this).formatArn({
        service: 'events',
        resource: 'event-bus',
        resourceName: bus.logicalName,
      }),
    );
    const archive = new Archive(this.bus, 'Archive', {
      sourceEventBus: busByArn,
      description: 'Every event on SwitchboardBus, for replay',
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(30),
      kmsKey: props.eventsKey,
    });
    archive.node.addDependency(this.bus);
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

import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { allQueues } from './topology-reader';
import { tableStream, type QueueName } from './server';

export type QueuePair = { queue: Queue; dlq: Queue };

/** Every topology queue with its DLQ: KMS-encrypted, TLS-only, redrive count from the topology. */
export class Queues extends Construct {
  readonly byName = new Map<QueueName, QueuePair>();
  /** The table stream consumer's on-failure destination: batches whose retries were spent. */
  readonly streamConsumerDlq: Queue;

  constructor(scope: Construct, id: string, props: { key: IKey }) {
    super(scope, id);
    const secure = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
    };
    for (const [name, spec] of allQueues) {
      const dlq = new Queue(this, `${name}Dlq`, {
        ...secure,
        // The longest SQS allows: time to fix the cause and redrive.
        retentionPeriod: Duration.days(14),
      });
      const queue = new Queue(this, name, {
        ...secure,
        visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(spec.retentionDays),
        deadLetterQueue: { queue: dlq, maxReceiveCount: spec.maxReceiveCount },
      });
      this.byName.set(name, { queue, dlq });
    }
    this.streamConsumerDlq = new Queue(this, tableStream.onFailureQueue, {
      ...secure,
      retentionPeriod: Duration.days(14),
    });
  }

  get(name: QueueName): QueuePair {
    const pair = this.byName.get(name);
    if (!pair) throw new Error(`no queue ${name}`);
    return pair;
  }
}

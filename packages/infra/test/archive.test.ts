import { beforeAll, describe, expect, it } from 'vitest';
import { envNames, functions, type FunctionName } from '../lib/server';
import type { SwitchboardStack } from '../lib/switchboard-stack';
import {
  asArray,
  flatten,
  identityStatements,
  propsOf,
  referencedIds,
  resourcesOf,
  type CfnTemplate,
} from './cfn';
import { synthStack, type Synthesized } from './synth';

// The raw webhook archive on AWS: a Firehose delivery stream (KMS) batching into the raw-webhook
// bucket, GZIP'd and partitioned by day and object, and who may put records on it or read it.

let stack: SwitchboardStack;
let template: CfnTemplate;
let id: Synthesized['id'];
beforeAll(() => {
  ({ stack, template, id } = synthStack());
}, 120_000);

function statementsOf(name: FunctionName): any[] {
  const roleId = id(stack.functions.get(name).role);
  const policyIds = new Set(
    resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
      .map(([policyId]) => policyId),
  );
  return identityStatements(template)
    .filter((s) => policyIds.has(s.owner) || s.owner === roleId)
    .map((s) => s.statement);
}

function stream(): [string, Record<string, any>] {
  const streams = resourcesOf(template, 'AWS::KinesisFirehose::DeliveryStream');
  expect(streams).toHaveLength(1);
  return [streams[0]![0], propsOf(streams[0]![1])];
}

describe('the raw archive delivery stream', () => {
  it('is encrypted with the messaging CMK and delivers to the raw-webhook bucket under it', () => {
    const [, props] = stream();
    expect(props.DeliveryStreamType).toBe('DirectPut');
    expect(props.DeliveryStreamEncryptionConfigurationInput.KeyType).toBe('CUSTOMER_MANAGED_CMK');
    const keyId = id(stack.keys.messaging);
    expect(referencedIds(props.DeliveryStreamEncryptionConfigurationInput.KeyARN)).toEqual(
      new Set([keyId]),
    );
    const s3 = props.ExtendedS3DestinationConfiguration;
    expect(referencedIds(s3.BucketARN)).toEqual(new Set([id(stack.storage.rawWebhooks)]));
    expect(referencedIds(s3.EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN)).toEqual(
      new Set([keyId]),
    );
  });

  it('batches (64 MB / 300 s), GZIPs, and partitions by day and Meta object', () => {
    const [, props] = stream();
    const s3 = props.ExtendedS3DestinationConfiguration;
    expect(s3.BufferingHints).toEqual({ SizeInMBs: 64, IntervalInSeconds: 300 });
    expect(s3.CompressionFormat).toBe('GZIP');
    expect(s3.Prefix).toBe(
      'webhooks/raw/daily/!{timestamp:yyyy/MM/dd}/!{partitionKeyFromQuery:object}/',
    );
    expect(s3.ErrorOutputPrefix).toBe(
      'webhooks/raw/errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/',
    );
    expect(s3.DynamicPartitioningConfiguration.Enabled).toBe(true);
    expect(flatten(s3.ProcessingConfiguration)).toContain('{object:.object}');
    expect(s3.CloudWatchLoggingOptions.Enabled).toBe(true);
  });

  it('its role writes only the archive prefixes of that bucket', () => {
    const [, props] = stream();
    const roleId = [...referencedIds(props.ExtendedS3DestinationConfiguration.RoleARN)][0]!;
    const policyIds = new Set(
      resourcesOf(template, 'AWS::IAM::Policy')
        .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
        .map(([pid]) => pid),
    );
    const puts = identityStatements(template)
      .filter((s) => policyIds.has(s.owner))
      .map((s) => s.statement)
      .filter((s) => asArray(s.Action).includes('s3:PutObject'));
    expect(puts).toHaveLength(1);
    const bucketId = id(stack.storage.rawWebhooks);
    expect(asArray(puts[0].Resource).map(flatten).sort()).toEqual([
      `\${${bucketId}.Arn}/webhooks/raw/daily/*`,
      `\${${bucketId}.Arn}/webhooks/raw/errors/*`,
    ]);
  });
});

describe('least privilege around the archive', () => {
  it('the webhook receiver may put records on that stream only, and PUT only large bodies', () => {
    const [streamId] = stream();
    const statements = statementsOf('WebhookReceiver');
    const firehose = statements.filter((s) => flatten(s.Action).includes('firehose:'));
    expect(firehose).toHaveLength(1);
    expect(asArray(firehose[0].Action).sort()).toEqual([
      'firehose:PutRecord',
      'firehose:PutRecordBatch',
    ]);
    expect(referencedIds(firehose[0].Resource)).toEqual(new Set([streamId]));
    const s3Puts = statements.filter((s) => asArray(s.Action).includes('s3:PutObject'));
    expect(s3Puts).toHaveLength(1);
    expect(flatten(s3Puts[0].Resource)).toContain('/webhooks/raw/large/*');
    const env = propsOf(template.Resources[id(stack.functions.get('WebhookReceiver').fn)]!)
      .Environment.Variables;
    expect(referencedIds(env[envNames.rawArchiveStream])).toEqual(new Set([streamId]));
  });

  it('no other function may put records on the stream; the Replayer may read the archive', () => {
    for (const name of Object.keys(functions) as FunctionName[]) {
      if (name === 'WebhookReceiver') continue;
      expect(flatten(statementsOf(name)), name).not.toContain('firehose:');
    }
    const replayer = statementsOf('Replayer');
    const reads = replayer.filter((s) => asArray(s.Action).includes('s3:GetObject'));
    expect(flatten(reads)).toContain('/webhooks/raw/*');
    expect(flatten(replayer)).not.toContain('s3:PutObject');
  });
});

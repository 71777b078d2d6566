import { beforeAll, describe, expect, it } from 'vitest';
import { tableStream } from '../lib/server';
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

// The table's stream on AWS: SocialCRMTable with new and old images, StreamConsumer's event
// source mapping (bisect on error, partial batch responses, bounded retries, an encrypted and
// alarmed on-failure queue) and a role that reads that stream and nothing of the table.

let stack: SwitchboardStack;
let template: CfnTemplate;
let id: Synthesized['id'];
beforeAll(() => {
  ({ stack, template, id } = synthStack());
}, 120_000);

/** SocialCRMTable's logical id (the stack's only table but the live connections'). */
function tableId(): string {
  const tables = resourcesOf(template, 'AWS::DynamoDB::Table').filter(
    ([tableId]) => tableId !== id(stack.live.table),
  );
  expect(tables).toHaveLength(1);
  return tables[0]![0];
}

function statementsOfRole(roleId: string): any[] {
  const policyIds = new Set(
    resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([, p]) => asArray(propsOf(p).Roles).some((r) => referencedIds(r).has(roleId)))
      .map(([policyId]) => policyId),
  );
  return identityStatements(template)
    .filter((s) => policyIds.has(s.owner) || s.owner === roleId)
    .map((s) => s.statement);
}

function streamMapping() {
  const fnId = id(stack.functions.get('StreamConsumer').fn);
  const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').filter(
    ([, m]) => flatten(propsOf(m).FunctionName) === `\${${fnId}}`,
  );
  expect(mappings).toHaveLength(1);
  return propsOf(mappings[0]![1]);
}

describe('the table stream', () => {
  it('the table streams new and old images', () => {
    const table = propsOf(template.Resources[tableId()]!);
    expect(table.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
  });

  it('StreamConsumer reads it with bisect on error, partial batch responses and bounded retries', () => {
    const mapping = streamMapping();
    expect(flatten(mapping.EventSourceArn)).toBe(`\${${tableId()}.StreamArn}`);
    expect(mapping).toMatchObject({
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: tableStream.retryAttempts,
      MaximumRecordAgeInSeconds: tableStream.maxRecordAgeSeconds,
      ParallelizationFactor: tableStream.parallelizationFactor,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: tableStream.batchSize,
    });
  });

  it('sends spent batches to an encrypted, alarmed on-failure queue', () => {
    const mapping = streamMapping();
    const dlqId = id(stack.queues.streamConsumerDlq);
    expect(flatten(mapping.DestinationConfig.OnFailure.Destination)).toBe(`\${${dlqId}.Arn}`);
    const queue = propsOf(template.Resources[dlqId]!);
    expect(flatten(queue.KmsMasterKeyId)).toContain(id(stack.keys.messaging));
    expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([, a]) =>
      asArray(propsOf(a).Dimensions).some((d: any) => referencedIds(d.Value).has(dlqId)),
    );
    expect(alarms).toHaveLength(1);
    expect(propsOf(alarms[0]![1]).AlarmActions).toHaveLength(1);
  });

  it("the consumer's role reads this stream, puts events on the bus and sends to its DLQ: nothing else", () => {
    const deployed = stack.functions.get('StreamConsumer');
    const statements = statementsOfRole(id(deployed.role));
    const actions = statements.flatMap((s) => asArray<string>(s.Action));
    // No table access of any kind: only the stream's read actions among dynamodb:*.
    const dynamo = actions.filter((a) => a.startsWith('dynamodb:')).sort();
    expect(dynamo).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    const table = tableId();
    for (const s of statements.filter((st) =>
      asArray<string>(st.Action).some((a) => a.startsWith('dynamodb:')),
    )) {
      const resources = asArray(s.Resource).map(flatten);
      if (asArray(s.Action).includes('dynamodb:ListStreams')) {
        // ListStreams has no resource-level permission (it names streams, reads none): on `*`,
        // with nothing else of DynamoDB (CDK merges it with X-Ray's, also `*`-only).
        expect(asArray<string>(s.Action).filter((a) => !a.startsWith('xray:'))).toEqual([
          'dynamodb:ListStreams',
        ]);
        expect(resources).toEqual(['*']);
      } else {
        // The record-reading actions on this table's stream only, never the table or `*`.
        expect(resources).toEqual([`\${${table}.StreamArn}`]);
      }
    }
    expect(actions).toContain('events:PutEvents');
    const putEvents = statements.find((s) => asArray(s.Action).includes('events:PutEvents'));
    expect(flatten(putEvents.Resource)).not.toBe('*');
    const send = statements.find((s) => asArray(s.Action).includes('sqs:SendMessage'));
    expect(flatten(send.Resource)).toBe(`\${${id(stack.queues.streamConsumerDlq)}.Arn}`);
    expect(actions.some((a) => a.startsWith('s3:') || a.startsWith('secretsmanager:'))).toBe(false);
    expect(actions).not.toContain('sts:AssumeRole');
  });
});

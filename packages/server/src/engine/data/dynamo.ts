import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  type DynamoDBClientConfig,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { AppError } from '../errors';
import { table } from '../topology';

// The only module that talks to DynamoDB. Repos call these few verbs; nothing else imports the SDK
// client. Every call is counted so benchmarks can report requests per message from real calls.

export type Item = Record<string, NativeAttributeValue>;
export type Key = { PK: string; SK: string };
export type Values = Record<string, NativeAttributeValue>;
export type Names = Record<string, string>;

export type CallCounts = {
  reads: number;
  writes: number;
  queries: number;
  conditionalFailures: number;
};

export type QueryInput = {
  pk: string;
  /** Sort-key condition: begins_with, between, or comparison. */
  sk?: { beginsWith: string } | { between: [string, string] } | { gt: string } | { lt: string };
  index?: (typeof table.indexes)[number]['name'];
  limit?: number;
  newestFirst?: boolean;
  startKey?: Item;
  filter?: { expression: string; names?: Names; values?: Values };
  consistent?: boolean;
};

export type QueryPage = { items: Item[]; lastKey?: Item };

/**
 * A start key must lie inside its own query: the same partition, a sort key the condition admits,
 * and (on an index) the table keys as strings. DynamoDB answers anything else with a server-side
 * ValidationException; a cursor is client input, so this is the client's 400, checked here once
 * for every paginated query whatever the route made of the cursor.
 */
export function startKeyWithin(input: QueryInput, pkName: string, skName: string): boolean {
  const key = input.startKey;
  if (!key) return true;
  if (key[pkName] !== input.pk) return false;
  const sk = key[skName];
  if (typeof sk !== 'string' || typeof key.PK !== 'string' || typeof key.SK !== 'string') {
    return false;
  }
  const cond = input.sk;
  if (!cond) return true;
  if ('beginsWith' in cond) return sk.startsWith(cond.beginsWith);
  if ('between' in cond) return sk >= cond.between[0] && sk <= cond.between[1];
  if ('gt' in cond) return sk > cond.gt;
  return sk < cond.lt;
}

/**
 * A middleware for the client's stack (fault injection, tracing). It sits in the `deserialize`
 * step, inside the SDK's retries, so what it throws is retried like a real service error.
 */
export type DbMiddleware = {
  name: string;
  handler: (
    next: (args: unknown) => Promise<unknown>,
    context: { commandName?: string },
  ) => (args: unknown) => Promise<unknown>;
};

export class Db {
  readonly counts: CallCounts = { reads: 0, writes: 0, queries: 0, conditionalFailures: 0 };
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  static connect(
    config: DynamoDBClientConfig & { tableName: string; middleware?: DbMiddleware[] },
  ): Db {
    const { tableName, middleware, ...clientConfig } = config;
    const client = new DynamoDBClient(clientConfig);
    for (const m of middleware ?? []) {
      client.middlewareStack.add(m.handler as never, {
        step: 'deserialize',
        name: m.name,
        priority: 'high',
      });
    }
    return new Db(client, tableName);
  }

  async get(key: Key, consistent = true): Promise<Item | undefined> {
    this.counts.reads++;
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }),
    );
    return out.Item;
  }

  async batchGet(keys: Key[]): Promise<Item[]> {
    const found: Item[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      let request: Record<string, { Keys: Item[] }> | undefined = {
        [this.tableName]: { Keys: keys.slice(i, i + 100) },
      };
      while (request && Object.keys(request).length > 0) {
        this.counts.reads++;
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        found.push(...(out.Responses?.[this.tableName] ?? []));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  /**
   * Unconditional puts in BatchWriteItem requests of 25, `concurrency` requests at a time, retrying
   * unprocessed items (bulk loads: benchmark data, backfills). Each request counts as one write call.
   */
  async putMany(items: (Item & Key)[], concurrency = 4): Promise<void> {
    const chunks: (Item & Key)[][] = [];
    for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        let request: Record<string, { PutRequest: { Item: Item } }[]> | undefined = {
          [this.tableName]: chunk.map((item) => ({ PutRequest: { Item: item } })),
        };
        for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
          if (attempt > 0)
            await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
          this.counts.writes++;
          const out = await this.doc.send(new BatchWriteCommand({ RequestItems: request }));
          request = out.UnprocessedItems as typeof request;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  }

  /** Put; with `ifNotExists` the write only happens when the key is new. Returns false when it was not. */
  async put(
    item: Item & Key,
    opts: { ifNotExists?: boolean; condition?: string; names?: Names; values?: Values } = {},
  ): Promise<boolean> {
    this.counts.writes++;
    const condition = opts.ifNotExists ? 'attribute_not_exists(PK)' : opts.condition;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeNames: opts.names,
          ExpressionAttributeValues: opts.values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        this.counts.conditionalFailures++;
        return false;
      }
      throw err;
    }
  }

  /** Update with an expression; returns the new item, or undefined when the condition failed. */
  async update(
    key: Key,
    update: { set?: string; add?: string; remove?: string; del?: string },
    opts: { condition?: string; names?: Names; values?: Values } = {},
  ): Promise<Item | undefined> {
    this.counts.writes++;
    const expression = [
      update.set && `SET ${update.set}`,
      update.add && `ADD ${update.add}`,
      update.remove && `REMOVE ${update.remove}`,
      update.del && `DELETE ${update.del}`,
    ]
      .filter(Boolean)
      .join(' ');
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: expression,
          ConditionExpression: opts.condition,
          ExpressionAttributeNames: opts.names,
          ExpressionAttributeValues: opts.values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ?? {};
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        this.counts.conditionalFailures++;
        return undefined;
      }
      throw err;
    }
  }

  async delete(
    key: Key,
    opts: { condition?: string; names?: Names; values?: Values } = {},
  ): Promise<boolean> {
    this.counts.writes++;
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: key,
          ConditionExpression: opts.condition,
          ExpressionAttributeNames: opts.names,
          ExpressionAttributeValues: opts.values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        this.counts.conditionalFailures++;
        return false;
      }
      throw err;
    }
  }

  async query(input: QueryInput): Promise<QueryPage> {
    this.counts.queries++;
    const pkName = input.index ? `${input.index}PK` : 'PK';
    const skName = input.index ? `${input.index}SK` : 'SK';
    if (!startKeyWithin(input, pkName, skName)) {
      throw new AppError('bad_request', 'The cursor is not valid for this list.', {
        param: 'cursor',
      });
    }
    const names: Names = { '#pk': pkName, ...input.filter?.names };
    const values: Values = { ':pk': input.pk, ...input.filter?.values };
    let keyCondition = '#pk = :pk';
    const sk = input.sk;
    if (sk) {
      names['#sk'] = skName;
      if ('beginsWith' in sk) {
        keyCondition += ' AND begins_with(#sk, :sk)';
        values[':sk'] = sk.beginsWith;
      } else if ('between' in sk) {
        keyCondition += ' AND #sk BETWEEN :sk1 AND :sk2';
        values[':sk1'] = sk.between[0];
        values[':sk2'] = sk.between[1];
      } else if ('gt' in sk) {
        keyCondition += ' AND #sk > :sk';
        values[':sk'] = sk.gt;
      } else {
        keyCondition += ' AND #sk < :sk';
        values[':sk'] = sk.lt;
      }
    }
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: input.index,
        KeyConditionExpression: keyCondition,
        FilterExpression: input.filter?.expression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        Limit: input.limit,
        ScanIndexForward: !input.newestFirst,
        ExclusiveStartKey: input.startKey,
        ConsistentRead: input.index ? undefined : input.consistent,
      }),
    );
    return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
  }

  /**
   * Creates the table with its indexes and its stream (NEW_AND_OLD_IMAGES) when it does not
   * exist (sandbox and tests; CDK owns it in AWS), waits until it is ACTIVE, and checks that an
   * existing one has the keys and indexes the code queries. Answers the stream's ARN when the
   * engine has one (DynamoDB Local, a real table; dynalite accepts the setting and has none).
   */
  async ensureTable(): Promise<{ streamArn?: string }> {
    const attrs = new Set<string>([table.partitionKey, table.sortKey]);
    for (const index of table.indexes) {
      attrs.add(index.partitionKey);
      attrs.add(index.sortKey);
    }
    try {
      await this.client.send(
        new CreateTableCommand({
          TableName: this.tableName,
          // On-demand: no ProvisionedThroughput on the table or its indexes (DynamoDB refuses both).
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attrs].map((name) => ({
            AttributeName: name,
            AttributeType: 'S',
          })),
          KeySchema: [
            { AttributeName: table.partitionKey, KeyType: 'HASH' },
            { AttributeName: table.sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: table.indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' },
              { AttributeName: index.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
          StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream },
        }),
      );
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
    for (let i = 0; i < 200; i++) {
      const out = await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
      const described = out.Table;
      const indexesActive = (described?.GlobalSecondaryIndexes ?? []).every(
        (index) => index.IndexStatus === undefined || index.IndexStatus === 'ACTIVE',
      );
      if (described?.TableStatus === 'ACTIVE' && indexesActive) {
        checkTableShape(this.tableName, described);
        const streamOn =
          described.StreamSpecification?.StreamEnabled &&
          described.StreamSpecification.StreamViewType === table.stream;
        return { streamArn: streamOn ? described.LatestStreamArn : undefined };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`table ${this.tableName} did not become ACTIVE`);
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** An existing table (`DYNAMODB_TABLE`) must have the keys and indexes the repositories query. */
function checkTableShape(tableName: string, described: TableDescription): void {
  const keyOf = (schema: KeySchemaElement[] | undefined, type: 'HASH' | 'RANGE') =>
    schema?.find((k) => k.KeyType === type)?.AttributeName;
  const problems: string[] = [];
  if (
    keyOf(described.KeySchema, 'HASH') !== table.partitionKey ||
    keyOf(described.KeySchema, 'RANGE') !== table.sortKey
  ) {
    problems.push(`keys ${table.partitionKey} (hash) and ${table.sortKey} (range)`);
  }
  for (const index of table.indexes) {
    const found = described.GlobalSecondaryIndexes?.find((i) => i.IndexName === index.name);
    if (
      keyOf(found?.KeySchema, 'HASH') !== index.partitionKey ||
      keyOf(found?.KeySchema, 'RANGE') !== index.sortKey ||
      found?.Projection?.ProjectionType !== 'ALL'
    ) {
      problems.push(
        `index ${index.name} on ${index.partitionKey}/${index.sortKey}, projecting ALL`,
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(`table ${tableName} exists but lacks ${problems.join('; ')}`);
  }
}

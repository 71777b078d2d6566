import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { Db } from '../../src/engine/data/dynamo';
import { liveSocket } from '../../src/engine/topology';

/** Creates the connections table from topology `liveSocket.connectionsTable`. */
export async function createConnectionsTable(endpoint: string, tableName: string): Promise<Db> {
  const config = {
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const spec = liveSocket.connectionsTable;
  const [gsi] = spec.indexes;
  const client = new DynamoDBClient(config);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [spec.partitionKey, spec.sortKey, gsi.partitionKey, gsi.sortKey].map(
        (name) => ({ AttributeName: name, AttributeType: 'S' }),
      ),
      KeySchema: [
        { AttributeName: spec.partitionKey, KeyType: 'HASH' },
        { AttributeName: spec.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi.name,
          KeySchema: [
            { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  // dynalite creates tables asynchronously, as DynamoDB does: wait until it is ACTIVE.
  await waitUntilTableExists(
    { client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
    { TableName: tableName },
  );
  client.destroy();
  return Db.connect({ ...config, tableName });
}

import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { table } from './server';

/** SocialCRMTable, keys, indexes and its stream (new and old images) straight from the topology. */
export class Data extends Construct {
  readonly table: Table;
  /** ARNs of every GSI, listed one by one so no IAM policy needs `index/*`. */
  readonly indexArns: string[];

  constructor(scope: Construct, id: string, props: { key: IKey }) {
    super(scope, id);
    this.table = new Table(this, table.logicalName, {
      partitionKey: { name: table.partitionKey, type: AttributeType.STRING },
      sortKey: { name: table.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: table.ttlAttribute,
      // Lead and conversation changes leave through it to StreamConsumer (topology `tableStream`).
      stream: StreamViewType[table.stream],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of table.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    this.indexArns = table.indexes.map((index) => `${this.table.tableArn}/index/${index.name}`);
  }
}

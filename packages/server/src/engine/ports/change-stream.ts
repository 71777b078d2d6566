// Change stream port: the table's change records in DynamoDB Streams' own shape (NEW_AND_OLD_IMAGES),
// whatever produces them. In AWS, DynamoDB Streams invokes the stream consumer Lambda through its
// event source mapping. In the sandbox a source produces the same records: a change feed in the
// data layer over dynalite (which has no Streams), or the real Streams API of DynamoDB Local / a
// real table when the sandbox runs on one (`DYNAMODB_ENDPOINT`).
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamRecord = DynamoDBRecord;
export type StreamEvent = DynamoDBStreamEvent;
export type StreamBatchResponse = DynamoDBBatchResponse;

/**
 * A Lambda DynamoDB stream handler with partial batch responses (`ReportBatchItemFailures`): it
 * answers the sequence number of the first record it could not handle; the source retries from
 * there (in order, per partition), so a failure never skips a change.
 */
export type StreamBatchHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** What the sandbox starts and stops: delivers every change, in order per item, at least once. */
export interface ChangeStreamSource {
  start(handler: StreamBatchHandler): Promise<void>;
  /** Stops delivering; resolves once the batch in flight (if any) has been answered. */
  stop(): Promise<void>;
}

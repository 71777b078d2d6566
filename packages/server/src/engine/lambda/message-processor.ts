import { awsRuntime } from '../aws/deps';
import { createMessageProcessor } from '../../modules/messaging/message-processor.service';

// SQS consumer with partial batch failures (the event source maps ReportBatchItemFailures).
// Attachments go on MediaQueue for MediaFetcher, off the message's critical path.
const { db, tenantDb, log, blobs, mediaQueue, events } = awsRuntime('MessageProcessor');

export const handler = createMessageProcessor({
  db,
  tenantDb,
  log,
  archive: blobs,
  mediaQueue,
  events,
});

import { awsRuntime } from '../aws/deps';
import { createMessageProcessor } from '../../modules/messaging/message-processor.service';
import { outboundDepsOf } from '../../modules/messaging/outbound-deps';

// SQS consumer with partial batch failures (the event source maps ReportBatchItemFailures).
// Attachments go on MediaQueue for MediaFetcher, off the message's critical path.
// A consent keyword's confirmation is sent from here (the channel token key is granted).
const { db, tenantDb, log, blobs, cipher, mediaQueue, events } = awsRuntime('MessageProcessor');

export const handler = createMessageProcessor({
  db,
  tenantDb,
  log,
  archive: blobs,
  mediaQueue,
  events,
  outbound: outboundDepsOf({ db, cipher, log, events }),
});

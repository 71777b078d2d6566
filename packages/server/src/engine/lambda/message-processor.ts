import { awsRuntime } from '../aws/deps';
import { createMessageProcessor } from '../../modules/messaging/message-processor.service';

// SQS consumer with partial batch failures (the event source maps ReportBatchItemFailures).
const { db, tenantDb, log, blobs } = awsRuntime('MessageProcessor');

export const handler = createMessageProcessor({ db, tenantDb, log, archive: blobs });

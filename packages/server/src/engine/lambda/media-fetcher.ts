import { SQSClient } from '@aws-sdk/client-sqs';
import { awsRuntime } from '../aws/deps';
import { sqsDelayRetry } from '../aws/sqs-visibility';
import { createMediaFetcher } from '../../modules/messaging/media/media-fetcher.service';
import { GraphClient, graphConfigFromEnv } from '../../modules/messaging/meta/graph-client';

// MessageProcessor -> MediaQueue -> here: fetches each attachment (and new Instagram senders'
// profiles) from Meta with the channel's token, stores it in the media bucket and marks it ready
// or failed. A transient failure backs off on the record's visibility; the DLQ after
// maxReceiveCount.
const { db, tenantDb, log, blobs, cipher, events } = awsRuntime('MediaFetcher');

export const handler = createMediaFetcher({
  db,
  tenantDb,
  log,
  blobs,
  cipher,
  events,
  graph: new GraphClient(graphConfigFromEnv()),
  delayRetry: sqsDelayRetry(new SQSClient({})),
});

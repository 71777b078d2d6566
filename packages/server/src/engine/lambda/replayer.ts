import { awsRuntime } from '../aws/deps';
import { createReplayer } from '../../modules/messaging/replay.service';

// ReplayQueue's consumer: reads the raw archive (S3, written by Firehose) a day or an object at a
// time and sends the entries routed to the replayed tenant back to IncomingMessagesQueue.
const { db, log, blobs, rawArchive, incomingQueue, replayQueue } = awsRuntime('Replayer');

export const handler = createReplayer({
  db,
  log,
  archive: rawArchive,
  largeBodies: blobs,
  incomingQueue,
  replayQueue,
});

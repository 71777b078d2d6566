import { awsRuntime } from '../aws/deps';
import { awsEventBus } from '../aws/lead-deps';
import { createStreamConsumer } from '../../modules/stream-consumer.service';

// SocialCRMTable's stream -> here (event source mapping: bisect on error, partial batch
// responses, StreamConsumerDlq on failure): lead and conversation changes become bus events.
const { log } = awsRuntime('StreamConsumer');

export const handler = createStreamConsumer({ log, bus: awsEventBus(process.env) });

import type { Key } from '../engine/data/dynamo';
import type { Logger } from '../engine/log';
import { BUS_MAX_BATCH_ENTRIES, type BusEventInput, type EventBus } from '../engine/ports/bus';
import type { StreamBatchHandler, StreamRecord } from '../engine/ports/change-stream';
import { isLeadKey, leadEventsOf } from './leads/lead-stream';
import { conversationEventsOf, isConversationKey } from './messaging/conversation-stream';
import { itemChangeOf } from './stream-record';

// StreamConsumer: the table's change records (DynamoDB Streams, NEW_AND_OLD_IMAGES; in the
// sandbox the change feed's copies of them) become domain events on the bus. Writers no longer
// publish after writing: what a change means is decided here, from the old and new images, so an
// acknowledged write always gets its event, however the publish fares (it is retried from the
// record that failed). Records are handled in order and the batch stops at the first failure,
// answered as a partial batch failure (`ReportBatchItemFailures`): the source retries from that
// record, so a later change of the same item never overtakes it.

/** The items whose changes mean something to the consumer (the sandbox's feed records only these). */
export function isStreamedKey(key: Key): boolean {
  return isLeadKey(key) || isConversationKey(key);
}

/** The domain events one record raises (none for an item no module recognises). */
export function domainEventsOf(record: StreamRecord): BusEventInput[] {
  const change = itemChangeOf(record);
  if (!change) return [];
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  const at = new Date(seconds ? seconds * 1000 : Date.now()).toISOString();
  return leadEventsOf(change) ?? conversationEventsOf(change, at) ?? [];
}

export type StreamConsumerDeps = { bus: EventBus; log: Logger };

export function createStreamConsumer(deps: StreamConsumerDeps): StreamBatchHandler {
  return async (event) => {
    for (const record of event.Records) {
      const sequenceNumber = record.dynamodb?.SequenceNumber ?? '';
      try {
        const events = domainEventsOf(record);
        for (let i = 0; i < events.length; i += BUS_MAX_BATCH_ENTRIES) {
          await deps.bus.publish(events.slice(i, i + BUS_MAX_BATCH_ENTRIES));
        }
      } catch (err) {
        deps.log.warn('stream record failed: retried from here', {
          eventId: record.eventID,
          sequenceNumber,
          error: String(err),
        });
        return { batchItemFailures: [{ itemIdentifier: sequenceNumber }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

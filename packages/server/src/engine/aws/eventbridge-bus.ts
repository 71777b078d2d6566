import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  BUS_MAX_BATCH_ENTRIES,
  BusPublishError,
  type BusEventInput,
  type EventBus,
} from '../ports/bus';

/** EventBus over EventBridge PutEvents. Resolves only when every entry was accepted. */
export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: Pick<EventBridgeClient, 'send'>,
    private readonly busName: string,
  ) {}

  async publish(events: BusEventInput[]): Promise<string[]> {
    if (events.length === 0) return [];
    if (events.length > BUS_MAX_BATCH_ENTRIES) {
      throw new BusPublishError(`PutEvents takes at most ${BUS_MAX_BATCH_ENTRIES} entries`);
    }
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: this.busName,
          Source: event.source,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
        })),
      }),
    );
    // Entries fail one by one (throttling, internal errors): any failure fails the publish, and
    // the caller's retry may duplicate the others, which consumers dedupe.
    const failed = (out.Entries ?? []).filter((entry) => entry.ErrorCode);
    if ((out.FailedEntryCount ?? 0) > 0 || failed.length > 0) {
      const codes = [...new Set(failed.map((f) => f.ErrorCode))].join(',');
      throw new BusPublishError(
        `EventBridge rejected ${failed.length} of ${events.length} (${codes})`,
      );
    }
    return (out.Entries ?? []).map((entry, i) => {
      if (!entry.EventId) throw new BusPublishError(`EventBridge returned no id for entry ${i}`);
      return entry.EventId;
    });
  }
}

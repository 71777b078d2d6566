// Event bus port: what producers see, whether the bus is EventBridge (aws) or LocalBus (sandbox).
// Consumers never read the bus directly: rules deliver matching events to a queue, and the queue's
// consumer function receives the EventBridge envelope below as the SQS message body.

/** An event to publish. `detail` is JSON; the whole event must stay under EventBridge's 256 KiB. */
export type BusEventInput = {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
};

/** The envelope EventBridge delivers to targets (and LocalBus copies field for field). */
export type BusEnvelope = {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
};

/** PutEvents takes at most 10 entries per call; both adapters enforce it. */
export const BUS_MAX_BATCH_ENTRIES = 10;
/** EventBridge's limit for one event (detail and envelope). */
export const BUS_MAX_EVENT_BYTES = 256 * 1024;

export type EventBus = {
  /**
   * Resolves once every event is durably accepted (EventBridge: PutEvents with no failed entry;
   * sandbox: appended and fsynced to every matching rule's target queue). Returns the event ids.
   */
  publish(events: BusEventInput[]): Promise<string[]>;
};

/** Raised when the bus did not accept every event: the caller must not acknowledge its work. */
export class BusPublishError extends Error {
  override readonly name = 'BusPublishError';
}

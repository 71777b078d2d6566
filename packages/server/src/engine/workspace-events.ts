import type { LiveEvent } from '@switchboard/contracts';
import type { EventAudience, EventSink, WorkspaceEvents } from './ports/workspace-events';

/**
 * Hands every event to each sink, at once. Resolves once all did; rejects with the first failure
 * (a durable sink's), after every sink had its turn, so one sink's outage never starves another.
 * Sinks can be added after construction: the sandbox attaches its socket server once it listens.
 */
export class EventFanout implements WorkspaceEvents {
  private readonly sinks: EventSink[];

  constructor(sinks: readonly EventSink[] = []) {
    this.sinks = [...sinks];
  }

  add(sink: EventSink): void {
    this.sinks.push(sink);
  }

  async emit(tenantId: string, event: LiveEvent, audience: EventAudience = {}): Promise<void> {
    const results = await Promise.allSettled(
      this.sinks.map((sink) => sink.deliver(tenantId, event, audience)),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

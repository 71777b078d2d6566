import type { IntegrationEventType, LiveEvent } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { dbForTenant, tenantData, type TenantDbFactory } from '../../engine/data/tenant-data';
import { stableId } from '../../engine/ids';
import type { EventBus } from '../../engine/ports/bus';
import type { EventSink } from '../../engine/ports/workspace-events';
import { integrationEventSource } from '../../engine/topology';

// Workspace events for integrators. One source per event type, never two:
// - message.received, message.status, contact.updated: from the workspace events (the sink
//   below), emitted by the message processor and the API after their writes;
// - conversation.assigned, conversation.closed: from the table stream's ConversationAssigned /
//   ConversationClosed bus events (messaging/conversation-stream.ts), which a bus rule sends
//   straight to the same queue. The stream raises them for every writer of the conversation
//   (an agent, a bulk action, auto-assignment) and cannot lose one after the write; the
//   workspace events' `conversation.updated` is ignored here.
// The sink publishes `IntegrationEvent` (source switchboard.integrations) only for tenants with an
// enabled destination wanting the type; EventDelivery (event-delivery.service.ts) does the POSTs.

export const integrationDetailType = 'IntegrationEvent';

/** The body an endpoint receives, and `id` its `webhook-id` (the workspace event's id). */
export type IntegrationEvent = {
  id: string;
  type: IntegrationEventType;
  timestamp: string;
  data: Record<string, unknown>;
};

/** `IntegrationEvent`'s detail on the bus. */
export type IntegrationEventDetail = { tenantId: string; event: IntegrationEvent };

/** The integrator event a workspace event is, if any. */
export function integrationEventOf(event: LiveEvent): IntegrationEvent | undefined {
  const base = { id: event.id, timestamp: event.at };
  switch (event.type) {
    case 'message.created':
      if (event.data.message.direction !== 'inbound') return undefined;
      return { ...base, type: 'message.received', data: event.data };
    case 'message.updated': {
      // A status tick's id names the status (live-events.ts): any other update (Meta's id, an
      // attachment, an unsend) is not a status change.
      const { message } = event.data;
      const statusId = stableId('evt', 'message.updated', message.id, `status:${message.status}`);
      if (event.id !== statusId) return undefined;
      return { ...base, type: 'message.status', data: { ...event.data, status: message.status } };
    }
    case 'contact.updated':
      return { ...base, type: 'contact.updated', data: event.data };
    default:
      return undefined;
  }
}

// Which event types a tenant's enabled destinations want, trusted for a short while: most
// tenants have none, and a message must not cost a read each. The API forgets a tenant's entry
// when its destinations change, so in one process (the sandbox) a change applies at once;
// elsewhere within the TTL.
type Wanted = { types: ReadonlySet<string>; until: number };
const wantedCache = new Map<string, Wanted>();

export function forgetTenantDestinations(tenantId: string): void {
  wantedCache.delete(tenantId);
}

export type IntegrationSinkDeps = {
  db: Db;
  tenantDb?: TenantDbFactory;
  bus: EventBus;
  /** How long a tenant's wanted types are trusted (default 30 s). */
  cacheTtlMs?: number;
  now?: () => number;
};

/**
 * The durable sink: a publish (or the destinations' read) that fails throws, so the write that
 * emitted the event is retried (the processor's record, the API's request) and emits again with
 * the same id. Consumers dedupe by that id.
 */
export function createIntegrationEventSink(deps: IntegrationSinkDeps): EventSink {
  const ttl = deps.cacheTtlMs ?? 30_000;
  const now = deps.now ?? Date.now;

  async function wanted(tenantId: string): Promise<ReadonlySet<string>> {
    const hit = wantedCache.get(tenantId);
    if (hit && hit.until > now()) return hit.types;
    const data = tenantData(
      dbForTenant(deps, tenantId),
      { tenantId, actor: { kind: 'system', reason: 'integration-events' } },
      deps.db,
    );
    const destinations = await data.eventDestinations.listRecords();
    const types = new Set(destinations.filter((d) => d.enabled).flatMap((d) => d.events));
    if (wantedCache.size >= 5000) wantedCache.clear();
    wantedCache.set(tenantId, { types, until: now() + ttl });
    return types;
  }

  return {
    name: 'integrations',
    async deliver(tenantId, event) {
      const integration = integrationEventOf(event);
      if (!integration) return;
      if (!(await wanted(tenantId)).has(integration.type)) return;
      const detail: IntegrationEventDetail = { tenantId, event: integration };
      await deps.bus.publish([
        { source: integrationEventSource, detailType: integrationDetailType, detail },
      ]);
    },
  };
}

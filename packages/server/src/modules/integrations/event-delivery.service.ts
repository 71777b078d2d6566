import { integrationEventTypeSchema, type IntegrationEventType } from '@switchboard/contracts';
import { z } from 'zod';
import type { Db } from '../../engine/data/dynamo';
import type { TenantData, TenantDbFactory } from '../../engine/data/tenant-data';
import { stableId } from '../../engine/ids';
import type { Logger } from '../../engine/log';
import type { SqsBatchHandler, SqsRecord } from '../../engine/ports/queue';
import { RetryLaterError } from '../../engine/queue/consumer-errors';
import type { TokenCipher } from '../../engine/security/token-cipher';
import { integrationRules, queues } from '../../engine/topology';
import { backoffSeconds, defaultCrmBackoff, type Backoff } from '../leads/crm-sync.service';
import { createEventConsumer } from '../leads/event-consumer';
import type { SafeHttpOptions } from '../leads/safe-http';
import { conversationView } from '../messaging/conversation-view';
import { conversationDetailTypes } from '../messaging/conversation-stream';
import { postSignedEvent } from './event-webhook';
import type { EventDestinationRecord } from './event-destination.repo';
import { integrationDetailType, type IntegrationEvent } from './integration-events';

// EventDelivery: IntegrationEventsQueue -> every enabled destination of the tenant that wants the
// event's type, signed per Standard Webhooks with `webhook-id` = the event's id (stable across
// retries, redeliveries and DLQ replays). As in the CRM sync, a destination that took the event
// is remembered (`EVENT#DeliverIntegrationEvent:<destinationId>#<eventId>`), so a retry only
// re-sends to those that failed; failures go back with the CRM's backoff and, after
// maxReceiveCount receives, to the DLQ (redriven by `POST /admin/dlq/IntegrationEventsQueue/
// redrive`). Each destination keeps its last delivery's outcome.

const integrationDetailSchema = z.object({
  tenantId: z.string().min(1),
  event: z.object({
    id: z.string().min(1),
    type: integrationEventTypeSchema,
    timestamp: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
});

const conversationDetailSchema = z.object({
  tenantId: z.string().min(1),
  conversationId: z.string().min(1),
  changeId: z.string().min(1),
  at: z.string(),
  assigneeId: z.string().nullable().optional(),
  previousAssigneeId: z.string().nullable().optional(),
});

// Either rule's detail: which one is decided by the detail type.
const detailSchema = z.object({ tenantId: z.string().min(1) }).passthrough();

const noSigning = async (): Promise<string> => {
  throw new Error('events carry no signed URLs');
};

const conversationTypes: Record<string, IntegrationEventType> = {
  [conversationDetailTypes.assigned]: 'conversation.assigned',
  [conversationDetailTypes.closed]: 'conversation.closed',
};

/** The event to deliver, from either rule's detail; undefined when there is nothing to send. */
async function eventOf(
  detailType: string,
  raw: unknown,
  data: TenantData,
): Promise<IntegrationEvent | undefined> {
  if (detailType === integrationDetailType) return integrationDetailSchema.parse(raw).event;
  const type = conversationTypes[detailType];
  if (!type) return undefined;
  const detail = conversationDetailSchema.parse(raw);
  const conversation = await data.conversations.get(detail.conversationId);
  if (!conversation) return undefined;
  const customer = await data.customers.get(conversation.customerId);
  const view = await conversationView(
    conversation,
    customer && { ...customer, avatarKey: undefined },
    noSigning,
  );
  return {
    // The stream record's id: the same for every redelivery of this change.
    id: stableId('evt', type, detail.changeId),
    type,
    timestamp: detail.at,
    data: {
      conversation: view,
      ...(type === 'conversation.assigned'
        ? {
            assigneeId: detail.assigneeId ?? null,
            previousAssigneeId: detail.previousAssigneeId ?? null,
          }
        : {}),
    },
  };
}

export type EventDeliveryDeps = {
  db: Db;
  tenantDb?: TenantDbFactory;
  log: Logger;
  cipher: TokenCipher;
  /** The SSRF guard's settings (the CRM destinations' own). */
  http: SafeHttpOptions;
  now?: () => Date;
  backoff?: Backoff;
  tenantStatusTtlMs?: number;
  /** SQS ChangeMessageVisibility on the record (sandbox: LocalQueue.changeVisibility). */
  delayRetry?(record: SqsRecord, seconds: number): Promise<void>;
};

export function createEventDelivery(deps: EventDeliveryDeps): SqsBatchHandler {
  const now = deps.now ?? (() => new Date());
  const backoff = deps.backoff ?? defaultCrmBackoff;
  const maxReceiveCount = queues.IntegrationEventsQueue.maxReceiveCount;
  return createEventConsumer({
    rule: integrationRules.deliver,
    schema: detailSchema,
    db: deps.db,
    tenantDb: deps.tenantDb,
    log: deps.log,
    now,
    delayRetry: deps.delayRetry,
    tenantStatusTtlMs: deps.tenantStatusTtlMs,
    async handle(detail, ctx) {
      const event = await eventOf(ctx.detailType, detail, ctx.data);
      if (!event) return;
      const { eventDestinations, eventMarkers: markers } = ctx.data;
      const destinations = (await eventDestinations.listRecords()).filter(
        (d) => d.enabled && d.events.includes(event.type),
      );
      const final = ctx.receiveCount >= maxReceiveCount;
      const failures: { error: string; retryAfterSeconds?: number }[] = [];
      await Promise.all(
        destinations.map(async (dest: EventDestinationRecord) => {
          const marker = `${integrationRules.deliver}:${dest.id}`;
          if (await markers.seen(marker, event.id)) return;
          const outcome = await postSignedEvent(ctx.data.tenantId, dest, event, {
            cipher: deps.cipher,
            http: deps.http,
            now: now(),
          }).catch((err: unknown) => ({
            ok: false as const,
            status: undefined,
            error: `internal: ${(err as Error).message}`,
            retryAfterSeconds: undefined,
          }));
          const at = now().toISOString();
          if (outcome.ok) {
            await markers.mark(marker, event.id, now());
          } else {
            failures.push(outcome);
          }
          await eventDestinations.recordDelivery(dest.id, {
            eventId: event.id,
            type: event.type,
            outcome: outcome.ok ? 'delivered' : final ? 'failed' : 'retrying',
            status: outcome.status ?? null,
            ...(outcome.ok ? {} : { error: outcome.error }),
            at,
          });
        }),
      );
      if (failures.length === 0) return;
      const lastError = failures
        .map((f) => f.error)
        .join('; ')
        .slice(0, 500);
      ctx.log.warn('integration event not delivered', {
        eventId: event.id,
        type: event.type,
        attempt: ctx.receiveCount,
        final,
        error: lastError,
      });
      const delay = Math.max(
        backoffSeconds(ctx.receiveCount, backoff),
        ...failures.map((f) => f.retryAfterSeconds ?? 0),
      );
      throw new RetryLaterError(lastError, Math.min(delay, 43_200));
    },
  });
}

import type { Key } from '../../engine/data/dynamo';
import type { BusEventInput } from '../../engine/ports/bus';
import { conversationEventSource } from '../../engine/topology';
import { tenantOfPk, type ItemChange } from '../stream-record';

// Conversation changes from the table's stream (`TENANT#<id>` / `CONV#<conversationId>`, entity
// `Conversation`): who it is assigned to and whether it is open are what the inbox's other
// readers (live updates, reports) follow, so those transitions become events. A new message on
// the conversation changes its summary on every message and raises nothing, unless it reopens a
// closed conversation. `changeId` is the stream record's id, the same on every redelivery: a
// consumer dedupes on it, as the CRM sync dedupes on a lead change's job id.

export const conversationDetailTypes = {
  assigned: 'ConversationAssigned',
  closed: 'ConversationClosed',
  reopened: 'ConversationReopened',
} as const;

export type ConversationEventDetail = {
  tenantId: string;
  conversationId: string;
  changeId: string;
  at: string;
};

export function isConversationKey(key: Key): boolean {
  return tenantOfPk(key.PK) !== undefined && key.SK.startsWith('CONV#');
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The inbox events a conversation record raises; undefined for anything not a conversation. */
export function conversationEventsOf(
  change: ItemChange,
  approximateAt: string,
): BusEventInput[] | undefined {
  const tenantId = tenantOfPk(change.pk);
  if (!tenantId || !change.sk.startsWith('CONV#')) return undefined;
  const item = change.newImage;
  if (change.kind === 'REMOVE' || !item || item.entity !== 'Conversation') return [];
  if (typeof item.id !== 'string') return [];
  const before = change.oldImage ?? {};
  const base: ConversationEventDetail = {
    tenantId,
    conversationId: item.id,
    changeId: change.eventId,
    at: approximateAt,
  };
  const events: BusEventInput[] = [];
  const event = (detailType: string, detail: Record<string, unknown>) =>
    events.push({ source: conversationEventSource, detailType, detail });

  const assignee = text(item.assigneeId);
  const previousAssignee = text(before.assigneeId);
  if (assignee !== previousAssignee) {
    event(conversationDetailTypes.assigned, {
      ...base,
      at: text(item.assignedAt) ?? approximateAt,
      assigneeId: assignee,
      previousAssigneeId: previousAssignee,
    });
  }
  const status = text(item.status) ?? 'open';
  const previousStatus = change.oldImage ? (text(before.status) ?? 'open') : undefined;
  if (status === 'closed' && previousStatus !== 'closed') {
    event(conversationDetailTypes.closed, { ...base, at: text(item.closedAt) ?? approximateAt });
  } else if (status === 'open' && previousStatus === 'closed') {
    event(conversationDetailTypes.reopened, base);
  }
  return events;
}

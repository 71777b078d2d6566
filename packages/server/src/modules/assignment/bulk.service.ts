import type { BulkConversationsRequest } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import {
  assignConversation,
  setConversationStatus,
  type ConversationWithCustomer,
} from '../messaging/inbox.service';
import { addConversationLabel, removeConversationLabel } from '../workspace/labels.service';
import { snoozeConversation, snoozeUntilOf, unsnoozeConversation } from './snooze.service';

// One action on many conversations: each id goes through the service its single route uses, one
// after the other, and gets its own row. An id this tenant has no conversation under (a typo, a
// deleted one, another tenant's) is a `not_found` row like any other miss: nothing is read or
// written outside the caller's tenant, and no row says more than "not found".

/** What changed in one row, for its `conversation.updated` event. */
export type BulkChange =
  { kind: 'conversation'; change: string; key: string } | { kind: 'labels'; labelsVersion: number };

export type BulkRow =
  | { id: string; ok: true; result: ConversationWithCustomer; change: BulkChange }
  | { id: string; ok: false; error: { code: string; message: string } };

export type BulkActor = { userId?: string; now: Date };

/** Ids as sent, each once. */
const distinct = (ids: string[]) => [...new Set(ids)];

/** Checks what every row shares once, before any row is acted on: a bad assignee is a 400. */
async function checkShared(data: TenantData, request: BulkConversationsRequest, now: Date) {
  if (request.action === 'assign' && !(await data.members.get(request.assigneeId ?? ''))) {
    throw new AppError('invalid_parameter', 'The assignee is not a member of this workspace.', {
      param: 'assigneeId',
    });
  }
  if (request.action === 'label' && !(await data.labels.get(request.labelId ?? ''))) {
    throw new AppError('invalid_parameter', 'There is no such label in this workspace.', {
      param: 'labelId',
    });
  }
  if (request.action === 'snooze') snoozeUntilOf(request.until, now);
}

async function actOn(
  data: TenantData,
  request: BulkConversationsRequest,
  id: string,
  actor: BulkActor,
): Promise<{ result: ConversationWithCustomer; change: BulkChange }> {
  const at = actor.now.toISOString();
  const change = (name: string, key = at): BulkChange => ({
    kind: 'conversation',
    change: name,
    key,
  });
  switch (request.action) {
    case 'assign':
      return {
        result: await assignConversation(data, id, request.assigneeId!, actor.now),
        change: change('assigned'),
      };
    case 'unassign':
      return {
        result: await assignConversation(data, id, null, actor.now),
        change: change('unassigned'),
      };
    case 'close':
      return {
        result: await setConversationStatus(data, id, 'closed', actor.now),
        change: change('closed'),
      };
    case 'reopen':
      return {
        result: await setConversationStatus(data, id, 'open', actor.now),
        change: change('reopened'),
      };
    case 'snooze':
      return {
        result: await snoozeConversation(
          data,
          id,
          { until: request.until, untilReply: request.untilReply },
          actor.userId,
          actor.now,
        ),
        change: change('snoozed'),
      };
    case 'unsnooze':
      return { result: await unsnoozeConversation(data, id), change: change('unsnoozed') };
    case 'label':
    case 'unlabel': {
      const outcome =
        request.action === 'label'
          ? await addConversationLabel(data, id, request.labelId!)
          : await removeConversationLabel(data, id, request.labelId!);
      const customer = await data.customers.get(outcome.conversation.customerId);
      return {
        result: { conversation: outcome.conversation, customer },
        change: { kind: 'labels', labelsVersion: outcome.labelsVersion },
      };
    }
  }
}

export async function bulkConversations(
  data: TenantData,
  request: BulkConversationsRequest,
  actor: BulkActor,
): Promise<BulkRow[]> {
  await checkShared(data, request, actor.now);
  const rows: BulkRow[] = [];
  for (const id of distinct(request.ids)) {
    try {
      rows.push({ id, ok: true, ...(await actOn(data, request, id, actor)) });
    } catch (err) {
      // A row's own refusal (not found, a full label set) is its answer; anything else is not.
      if (!(err instanceof AppError)) throw err;
      const error = err instanceof NotFoundError ? new NotFoundError('Conversation') : err;
      rows.push({ id, ok: false, error: { code: error.code, message: error.message } });
    }
  }
  return rows;
}

import { snoozeMaxDays } from '@switchboard/contracts';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import { getConversation, type ConversationWithCustomer } from '../messaging/inbox.service';

// Snoozing a conversation: it leaves the open inbox until `until` passes or the customer writes,
// whichever comes first (any customer message wakes it, as in Chatwoot: "until they reply" is a
// snooze without a time). Waking needs no timer: a snooze whose time passed is not in effect when
// read, and the message processor removes it in the same write that folds the customer's message in.

export type SnoozeRequest = { until?: string; untilReply?: boolean };

const dayMs = 24 * 3600_000;

/** The wake-up time, checked against the server's clock and written in one format (UTC ISO). */
export function snoozeUntilOf(until: string | undefined, now: Date): string | undefined {
  if (until === undefined) return undefined;
  const at = Date.parse(until);
  if (!(at > now.getTime())) {
    throw new AppError('invalid_parameter', 'Snooze until a time in the future.', {
      param: 'until',
    });
  }
  if (at > now.getTime() + snoozeMaxDays * dayMs) {
    throw new AppError('invalid_parameter', `Snooze for at most ${snoozeMaxDays} days.`, {
      param: 'until',
    });
  }
  return new Date(at).toISOString();
}

export async function snoozeConversation(
  data: TenantData,
  conversationId: string,
  request: SnoozeRequest,
  by: string | undefined,
  now: Date,
): Promise<ConversationWithCustomer> {
  const until = snoozeUntilOf(request.until, now);
  const snoozed = await data.snoozes.snooze(conversationId, {
    until,
    untilReply: request.untilReply === true,
    at: now.toISOString(),
    by,
  });
  if (!snoozed) throw new NotFoundError('Conversation');
  return getConversation(data, conversationId);
}

export async function unsnoozeConversation(
  data: TenantData,
  conversationId: string,
): Promise<ConversationWithCustomer> {
  if (!(await data.snoozes.unsnooze(conversationId))) throw new NotFoundError('Conversation');
  return getConversation(data, conversationId);
}

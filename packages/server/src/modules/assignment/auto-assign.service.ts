import type { SetAutoAssignmentRequest } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import type { TenantData } from '../../engine/data/tenant-data';
import { AppError, NotFoundError } from '../../engine/errors';
import type { WorkspaceEvents } from '../../engine/ports/workspace-events';
import type { Channel } from '../channels/channel.repo';
import { UserRepo } from '../identity/user.repo';
import { emitConversationUpdated } from '../live/live-events';
import type { OpeningState } from './auto-assign.repo';

// Auto-assignment per channel: a conversation the customer opens on a channel that has it on (a
// new one, or a closed unassigned one they write to again) goes to the next available member,
// round robin. Run by the message processor after the customer's message is folded into the
// summary, and only for channels in the tenant's `autoAssignChannels` set, which the processor
// reads with the tenant's status anyway: other channels pay no request for this feature.

/** Turns it on or off (and names who takes turns: empty, every agent and above). */
export async function setChannelAutoAssignment(
  data: TenantData,
  channelId: string,
  request: SetAutoAssignmentRequest,
): Promise<Channel> {
  if (!(await data.channels.get(channelId))) throw new NotFoundError('Channel');
  const memberIds = request.memberIds ?? [];
  if (memberIds.length > 0) {
    const members = new Map((await data.members.list()).map((m) => [m.userId, m]));
    const wrong = memberIds.find((id) => {
      const member = members.get(id);
      return !member || member.role === 'viewer';
    });
    if (wrong) {
      throw new AppError(
        'invalid_parameter',
        'Only members with the agent role or above can take conversations.',
        { param: 'memberIds', memberId: wrong },
      );
    }
  }
  const config = { enabled: request.enabled, memberIds };
  // The tenant's hint set is never narrower than the channel's setting: added first when turning
  // on, removed last when turning off (a crash in between leaves a hint the processor checks).
  if (config.enabled) await data.autoAssign.markChannel(channelId, true);
  if (!(await data.autoAssign.setConfig(channelId, config))) throw new NotFoundError('Channel');
  if (!config.enabled) await data.autoAssign.markChannel(channelId, false);
  const channel = await data.channels.get(channelId);
  if (!channel) throw new NotFoundError('Channel');
  return channel;
}

export type AutoAssignDeps = { db: Db; events: WorkspaceEvents; now: () => number };

export type OpenedConversation = {
  channelId: string;
  conversationId: string;
  /** The customer's message (our id) whose arrival this is. */
  messageId: string;
  timestamp: string;
  /** The conversation as it was before that message was folded in; absent: it did not exist. */
  before?: OpeningState;
};

/** Who takes turns now: the channel's members (or every agent and above), available, enabled. */
async function takersOf(deps: AutoAssignDeps, data: TenantData, memberIds: string[]) {
  const named = new Set(memberIds);
  const members = (await data.members.list()).filter(
    (m) =>
      m.role !== 'viewer' && m.available !== false && (named.size === 0 || named.has(m.userId)),
  );
  if (members.length === 0) return [];
  const users = await new UserRepo(deps.db).getMany(members.map((m) => m.userId));
  return members
    .filter((m) => users.get(m.userId)?.disabled === false)
    .map((m) => m.userId)
    .sort();
}

/**
 * Assigns the conversation the customer just opened to the next available member. Idempotent: the
 * write assigns only an open, unassigned conversation, and a redelivery of the message that did
 * it sends the same event again (same id) instead of taking another turn.
 */
export async function autoAssignOpened(
  deps: AutoAssignDeps,
  data: TenantData,
  opened: OpenedConversation,
): Promise<void> {
  const { before } = opened;
  const createdByThis = !before || before.createdAt === opened.timestamp;
  const reopened = before?.status === 'closed';
  if (!createdByThis && !reopened) return;
  const eventKey = `auto:${opened.messageId}`;
  if (before?.assigneeId) {
    if (before.autoAssignedFor === opened.messageId) {
      await emitConversationUpdated(deps.events, data, opened.conversationId, 'assigned', eventKey);
    }
    return;
  }
  const channel = await data.channels.get(opened.channelId);
  if (!channel?.autoAssignment.enabled) return;
  const takers = await takersOf(deps, data, channel.autoAssignment.memberIds);
  // Nobody available: it stays unassigned, and no turn is used up.
  if (takers.length === 0) return;
  const turn = await data.autoAssign.nextTurn(opened.channelId);
  const userId = takers[(turn - 1) % takers.length]!;
  const at = new Date(deps.now()).toISOString();
  const assigned = await data.autoAssign.assignIfUnassigned(
    opened.conversationId,
    userId,
    at,
    opened.messageId,
  );
  if (assigned) {
    await emitConversationUpdated(deps.events, data, opened.conversationId, 'assigned', eventKey);
  }
}

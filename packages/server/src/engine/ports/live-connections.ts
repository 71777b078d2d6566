import { roleAtLeast, type Role } from '@switchboard/contracts';
import type { EventAudience } from './workspace-events';

// The live sockets, as the code that ends a session or a membership sees them: where a ticket
// opens one, and a way to close those of a person, a session or a whole workspace at once
// (the sandbox's `/live` server; API Gateway's DeleteConnection deployed).

/** Who a live connection belongs to: fixed when its ticket was issued. */
export type LiveIdentity = {
  tenantId: string;
  userId: string;
  role: Role;
  sessionId: string;
};

/** Which connections to close: a workspace's, a person's (in every workspace), or one session's. */
export type LiveConnectionFilter = (
  { tenantId: string; userId?: string; sessionId?: string } | { userId: string; sessionId?: string }
) & {
  /** Keep this session's (a password change or "sign out other sessions" keeps the current one). */
  exceptSessionId?: string;
};

/** Why: the socket's close code follows (contracts' `liveCloseCodes`). */
export type LiveCloseReason = 'session_ended' | 'forbidden';

export type LiveConnections = {
  /** The socket's address, given out with each ticket; undefined while it is not listening. */
  url(): string | undefined;
  /** Closes every matching connection. Best effort: a failure is logged, never thrown. */
  closeWhere(filter: LiveConnectionFilter, reason: LiveCloseReason): Promise<void>;
};

/** Does a connection match a filter. */
export function connectionMatches(conn: LiveIdentity, filter: LiveConnectionFilter): boolean {
  if ('tenantId' in filter && filter.tenantId !== conn.tenantId) return false;
  if (filter.userId !== undefined && filter.userId !== conn.userId) return false;
  if (filter.sessionId !== undefined && filter.sessionId !== conn.sessionId) return false;
  if (filter.exceptSessionId !== undefined && filter.exceptSessionId === conn.sessionId)
    return false;
  return true;
}

/** Whether a connection may receive an event of its own tenant with this audience. */
export function audienceAllows(
  conn: Pick<LiveIdentity, 'userId' | 'role'>,
  audience: EventAudience,
): boolean {
  if (audience.minRole && !roleAtLeast(conn.role, audience.minRole)) return false;
  if (audience.userIds && !audience.userIds.includes(conn.userId)) return false;
  return true;
}

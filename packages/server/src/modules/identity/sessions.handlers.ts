import type { SessionDto } from '@switchboard/contracts';
import { AppError } from '../../engine/errors';
import { audit } from '../../engine/http/audit';
import type { Caller, UserCaller } from '../../engine/http/auth-context';
import { clearRefreshCookie } from '../../engine/http/refresh-cookie';
import type { HandlerTable } from '../../engine/http/route-handler';
import { nowOf } from '../../engine/http/session-deps';
import { accountTrails } from './account-audit';
import { SessionRepo, type Session } from './session.repo';
import { deviceLabel } from './user-agent';

// The caller's own sessions (sign-ins): list them, end one, or end all the others (or all).
// Ending a session revokes its refresh-token family: its next refresh fails and its access token
// stops working at once (authenticate.ts checks the session on every request).

function signedIn(caller: Caller): UserCaller & { sessionId: string } {
  if (caller.kind !== 'user' || !caller.sessionId) {
    throw new AppError('unauthenticated', 'Sign in first.');
  }
  return caller as UserCaller & { sessionId: string };
}

const live = (session: Session, now: Date) =>
  !session.revokedAt && session.expiresAt > now.getTime() / 1000;

function toDto(session: Session, currentId: string): SessionDto {
  return {
    id: session.id,
    current: session.id === currentId,
    device: deviceLabel(session.userAgent),
    userAgent: session.userAgent,
    ip: session.ip,
    lastIp: session.lastIp,
    createdAt: session.createdAt,
    lastUsedAt: session.refreshedAt ?? session.createdAt,
    expiresAt: new Date(session.expiresAt * 1000).toISOString(),
  };
}

export const sessionHandlers = {
  'auth.sessions.list': async ({ c, caller, deps }) => {
    const { userId, sessionId } = signedIn(caller);
    const now = nowOf(deps);
    const sessions = await new SessionRepo(deps.db).listForUser(userId);
    const items = sessions
      .filter((s) => live(s, now))
      .map((s) => toDto(s, sessionId))
      .sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt));
    return c.json({ items });
  },

  'auth.sessions.revoke': async ({ c, caller, deps, params }) => {
    const { userId, sessionId } = signedIn(caller);
    const now = nowOf(deps);
    const repo = new SessionRepo(deps.db);
    // Keyed under the caller's own user: another person's session id is simply not found.
    const session = await repo.get(userId, params.id);
    if (!session || !live(session, now)) throw new AppError('not_found', 'No such live session.');
    await repo.revoke(userId, session.id, 'revoked', now.toISOString());
    await deps.live.closeWhere({ userId, sessionId: session.id }, 'session_ended');
    const current = session.id === sessionId;
    if (current) clearRefreshCookie(c);
    await audit(
      c,
      caller,
      deps,
      {
        action: 'auth.session_revoked',
        target: { type: 'session', id: session.id },
        details: { current },
      },
      await accountTrails(deps.db, userId),
    );
    return c.body(null, 204);
  },

  'auth.sessions.revokeAll': async ({ c, caller, deps, body }) => {
    const { userId, sessionId } = signedIn(caller);
    const { keepCurrent } = await body();
    const revoked = await new SessionRepo(deps.db).revokeAll(
      userId,
      'revoked',
      nowOf(deps).toISOString(),
      keepCurrent ? sessionId : undefined,
    );
    await deps.live.closeWhere(
      { userId, exceptSessionId: keepCurrent ? sessionId : undefined },
      'session_ended',
    );
    if (!keepCurrent) clearRefreshCookie(c);
    await audit(
      c,
      caller,
      deps,
      { action: 'auth.sessions_revoked', details: { revoked, keptCurrent: keepCurrent } },
      await accountTrails(deps.db, userId),
    );
    return c.json({ revoked });
  },
} satisfies Partial<HandlerTable>;

import type { LoginResponse } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { SessionRepo, type Session } from './session.repo';
import { UserRepo, type Membership, type User } from './user.repo';
import { AppError } from '../../engine/errors';
import { randomId } from '../../engine/ids';
import { accessTokenTtlSeconds, type TokenService } from '../../engine/security/jwt';
import { hashSecret, newRefreshToken } from './secret-tokens';
import type { AuthSettings } from './settings';

export type SessionDeps = { db: Db; tokens: TokenService; now: Date; settings: AuthSettings };

/** Where a request came from, for sessions and the audit trail. */
export type RequestInfo = { ip?: string; userAgent?: string };

function pick(memberships: Membership[], tenantId?: string): Membership | undefined {
  return memberships.find((m) => m.tenantId === tenantId) ?? memberships[0];
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

async function tokenResponse(
  deps: SessionDeps,
  user: User,
  memberships: Membership[],
  session: Session,
  refreshToken: string,
): Promise<LoginResponse> {
  const active = pick(memberships, session.tenantId);
  const accessToken = await deps.tokens.sign({
    userId: user.id,
    tenantId: active?.tenantId,
    role: active?.role,
    platformAdmin: user.platformAdmin,
    sessionId: session.id,
  });
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresIn: accessTokenTtlSeconds,
    refreshToken,
    refreshExpiresIn: Math.max(0, session.expiresAt - epochSeconds(deps.now)),
    user: { id: user.id, email: user.email, platformAdmin: user.platformAdmin },
    tenantId: active?.tenantId,
    tenants: memberships.map((m) => ({ tenantId: m.tenantId, name: m.tenantName, role: m.role })),
  };
}

/** Signs a user in: a new session (refresh-token family) and its first token pair. */
export async function startSession(
  deps: SessionDeps,
  user: User,
  memberships: Membership[],
  request: RequestInfo,
  tenantId?: string,
): Promise<{ response: LoginResponse; session: Session }> {
  const refreshToken = newRefreshToken();
  const session: Session = {
    id: randomId('se'),
    userId: user.id,
    tenantId: pick(memberships, tenantId)?.tenantId,
    currentHash: hashSecret(refreshToken),
    generation: 1,
    createdAt: deps.now.toISOString(),
    expiresAt: epochSeconds(deps.now) + deps.settings.refreshTtlSeconds,
    ip: request.ip,
    userAgent: request.userAgent?.slice(0, 256),
  };
  await new SessionRepo(deps.db).create(session);
  return { response: await tokenResponse(deps, user, memberships, session, refreshToken), session };
}

export type RefreshOutcome =
  | { kind: 'ok'; response: LoginResponse; session: Session }
  | { kind: 'invalid' }
  /** A refresh token was presented a second time: the whole family is now revoked. */
  | { kind: 'reused'; session: Session }
  /** The previous token, moments after its rotation: a concurrent refresh won; retry with the new one. */
  | { kind: 'raced' };

/** Swaps a refresh token for a new pair; a token used twice ends its whole family. */
export async function refreshSession(
  deps: SessionDeps,
  refreshToken: string,
  request: RequestInfo = {},
): Promise<RefreshOutcome> {
  const sessions = new SessionRepo(deps.db);
  const presented = hashSecret(refreshToken);
  const ref = await sessions.findByTokenHash(presented);
  if (!ref) return { kind: 'invalid' };
  const session = await sessions.get(ref.userId, ref.sessionId);
  if (!session || session.revokedAt || session.expiresAt <= epochSeconds(deps.now)) {
    return { kind: 'invalid' };
  }
  const reused = async (): Promise<RefreshOutcome> => {
    await sessions.revoke(session.userId, session.id, 'refresh_reuse', deps.now.toISOString());
    return { kind: 'reused', session };
  };
  if (session.currentHash !== presented) {
    const sinceRotation = deps.now.getTime() - Date.parse(session.refreshedAt ?? '');
    const raced =
      presented === session.previousHash &&
      sinceRotation <= deps.settings.refreshRaceGraceSeconds * 1000;
    return raced ? { kind: 'raced' } : reused();
  }

  const users = new UserRepo(deps.db);
  const [user, memberships] = await Promise.all([
    users.get(session.userId),
    users.listMemberships(session.userId),
  ]);
  if (!user || user.disabled) return { kind: 'invalid' };
  const next = newRefreshToken();
  const tenantId = pick(memberships, session.tenantId)?.tenantId;
  const rotated = await sessions.rotate(session, presented, hashSecret(next), {
    tenantId,
    at: deps.now.toISOString(),
    nowEpochSeconds: epochSeconds(deps.now),
    // The last use the sessions list shows: a web app refreshes every few minutes while open.
    ip: request.ip,
  });
  if (!rotated) {
    // Someone rotated with this same token a moment ago (or the session just ended).
    const latest = await sessions.get(session.userId, session.id);
    return latest?.revokedAt ? { kind: 'invalid' } : reused();
  }
  const updated = { ...session, tenantId: tenantId ?? session.tenantId };
  return {
    kind: 'ok',
    session: updated,
    response: await tokenResponse(deps, user, memberships, updated, next),
  };
}

/** Moves a live session to another of the user's tenants: a new token pair, same family. */
export async function switchSessionTenant(
  deps: SessionDeps,
  user: User,
  memberships: Membership[],
  sessionId: string,
  tenantId: string,
): Promise<LoginResponse> {
  const sessions = new SessionRepo(deps.db);
  const session = await sessions.get(user.id, sessionId);
  if (!session || session.revokedAt) {
    throw new AppError('unauthenticated', 'This session has ended. Sign in again.');
  }
  const next = newRefreshToken();
  const rotated = await sessions.rotate(session, session.currentHash, hashSecret(next), {
    tenantId,
    at: deps.now.toISOString(),
    nowEpochSeconds: epochSeconds(deps.now),
  });
  if (!rotated) throw new AppError('conflict', 'The session changed meanwhile. Please retry.');
  return tokenResponse(deps, user, memberships, { ...session, tenantId }, next);
}

import type { LoginResponse, TwoFactorChallenge } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { AppError } from '../../engine/errors';
import { dummyPasswordHash, verifyPassword } from '../../engine/security/password';
import type { AuditActor } from '../platform/audit.repo';
import { accountTrails, type AuditSink } from './account-audit';
import type { Session } from './session.repo';
import { startSession, type RequestInfo, type SessionDeps } from './sessions.service';
import type { AuthSettings } from './settings';
import { beginSignInAttempt, type SignInClient } from './sign-in-throttle';
import { createChallenge } from './two-factor.service';
import type { Membership, User } from './user.repo';

// What every password check and every sign-in share, whichever route asks (login, password
// change, invitations, two-factor set-up): the throttle, the audit events, and "a session, or a
// two-factor challenge first". Plain inputs only; the handlers hand in how to audit.

export type PasswordCheckDeps = { db: Db; settings: AuthSettings; now: Date; record: AuditSink };

/**
 * Checks a password under the sign-in throttle. 429 `too_many_requests` (with Retry-After) while
 * this client must wait for this account, or its IP is over its cap; 401 `invalid_credentials`
 * for a wrong password or an unknown account (hashing anyway, so timing does not tell which
 * e-mails exist). Every failure is audited, and so is the failure that starts a client's waits.
 */
export async function checkPassword(
  deps: PasswordCheckDeps,
  input: { email: string; password: string; user?: User; via: string; client: SignInClient },
): Promise<void> {
  const { user, via } = input;
  const attempt = await beginSignInAttempt(
    deps.db,
    deps.settings,
    deps.now,
    input.email,
    input.client,
  );
  const actor: AuditActor = user
    ? { kind: 'user', id: user.id, email: user.email }
    : { kind: 'anonymous', email: input.email.slice(0, 254) };
  if (attempt.blocked) {
    if (attempt.ipCapReached) {
      await deps.record(
        { action: 'auth.sign_in_throttled', actor, details: { via, scope: 'ip' } },
        { ...(await accountTrails(deps.db, user?.id)), platform: true },
      );
    }
    throw attempt.blocked;
  }
  const ok = await verifyPassword(input.password, user?.passwordHash ?? dummyPasswordHash);
  if (!user || !ok) {
    const trails = await accountTrails(deps.db, user?.id);
    await deps.record(
      {
        action: 'auth.sign_in_failed',
        actor,
        details: { via, reason: user ? 'wrong_password' : 'unknown_account' },
      },
      trails,
    );
    const { throttleStarted, failures, waitSeconds } = attempt.ifFailed;
    if (throttleStarted) {
      await deps.record(
        {
          action: 'auth.sign_in_throttled',
          actor,
          details: { via, scope: 'client', failures, waitSeconds },
        },
        { ...trails, platform: true },
      );
    }
    throw new AppError('invalid_credentials', 'The e-mail or password is not right.');
  }
  await attempt.succeeded();
}

export type SignInAnswer =
  | { kind: 'session'; response: LoginResponse; session: Session }
  | { kind: 'challenge'; challenge: TwoFactorChallenge };

/**
 * After a right password: a session, or, with two-factor on, a challenge that
 * `POST /auth/login/two-factor` completes (opening the session in `tenantId` then).
 */
export async function passwordSignIn(
  deps: SessionDeps,
  user: User,
  memberships: Membership[],
  request: RequestInfo,
  tenantId?: string,
): Promise<SignInAnswer> {
  if (user.twoFactorEnabledAt) {
    return { kind: 'challenge', challenge: await createChallenge(deps, user, tenantId) };
  }
  return { kind: 'session', ...(await startSession(deps, user, memberships, request, tenantId)) };
}

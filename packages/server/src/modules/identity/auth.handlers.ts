import { newPasswordSchema } from '@switchboard/contracts';
import type { Context } from 'hono';
import { InvitationLookup, InvitationRepo } from './invitation.repo';
import { MemberRepo } from './membership.repo';
import { SessionRepo } from './session.repo';
import { TenantRepo } from '../platform/tenant.repo';
import { EmailTakenError, UserRepo, type User } from './user.repo';
import { hashSecret } from './secret-tokens';
import { refreshSession, switchSessionTenant } from './sessions.service';
import { accountTrails, trailsOfMemberships } from './account-audit';
import { checkPassword as checkPasswordThrottled, passwordSignIn } from './sign-in.service';
import { AppError } from '../../engine/errors';
import { hashPassword, verifyPassword } from '../../engine/security/password';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { audit, type AuditScope } from '../../engine/http/audit';
import type { Caller, UserCaller } from '../../engine/http/auth-context';
import { requestInfo } from '../../engine/http/client-ip';
import {
  clearRefreshCookie,
  presentedRefreshToken,
  setRefreshCookie,
  withoutRefreshToken,
} from '../../engine/http/refresh-cookie';
import { nowOf, sessionDeps, settingsOf } from '../../engine/http/session-deps';

/** A person's account events go to every tenant they belong to (or the platform's trail). */
async function trailsOf(deps: AppDeps, userId: string | undefined): Promise<AuditScope> {
  return accountTrails(deps.db, userId);
}

/**
 * Checks a password under the sign-in throttle (sign-in-throttle.ts): 429 `too_many_requests`
 * while this client must wait for this account (or its IP is over its cap), 401
 * `invalid_credentials` for a wrong password or unknown account. Every failure is audited.
 */
async function checkPassword(
  c: Context,
  caller: Caller,
  deps: AppDeps,
  email: string,
  password: string,
  user: User | undefined,
  via: string,
): Promise<void> {
  await checkPasswordThrottled(
    {
      db: deps.db,
      settings: settingsOf(deps),
      now: nowOf(deps),
      record: (event, scope) => audit(c, caller, deps, event, scope),
    },
    { email, password, user, via, client: { ip: requestInfo(c).ip } },
  );
}

function userOf(caller: Caller): UserCaller {
  if (caller.kind !== 'user' || !caller.sessionId) {
    throw new AppError('unauthenticated', 'Sign in first.');
  }
  return caller;
}

export const authHandlers = {
  'auth.login': async ({ c, caller, deps, body }) => {
    const input = await body();
    const users = new UserRepo(deps.db);
    const user = await users.getByEmail(input.email);
    await checkPassword(c, caller, deps, input.email, input.password, user, 'login');
    const account = user!;
    if (account.disabled) {
      throw new AppError(
        'account_disabled',
        'This account is disabled. Contact your administrator.',
      );
    }
    const memberships = await users.listMemberships(account.id);
    const answer = await passwordSignIn(
      await sessionDeps(deps),
      account,
      memberships,
      requestInfo(c),
    );
    // Two-factor on: no session until POST /auth/login/two-factor (two-factor.handlers.ts).
    if (answer.kind === 'challenge') return c.json(answer.challenge);
    const { response, session } = answer;
    await audit(
      c,
      caller,
      deps,
      {
        action: 'auth.signed_in',
        actor: { kind: 'user', id: account.id, email: account.email },
        target: { type: 'session', id: session.id },
      },
      trailsOfMemberships(memberships),
    );
    setRefreshCookie(c, response);
    return c.json(response);
  },

  'auth.refresh': async ({ c, caller, deps }) => {
    // The web app sends no body: its refresh token is the httpOnly cookie (see refresh-cookie.ts).
    const presented = await presentedRefreshToken(c);
    const outcome = await refreshSession(await sessionDeps(deps), presented.token, requestInfo(c));
    if (outcome.kind === 'ok') {
      setRefreshCookie(c, outcome.response);
      // From the cookie: the new refresh token stays in the cookie, out of script's reach.
      return c.json(
        presented.from === 'cookie' ? withoutRefreshToken(outcome.response) : outcome.response,
      );
    }
    if (outcome.kind === 'raced') {
      // Keep the cookie: the request that won the race has just set the new one.
      throw new AppError(
        'conflict',
        'This refresh token was just rotated by another request: use the newest one.',
      );
    }
    clearRefreshCookie(c);
    if (outcome.kind === 'reused') {
      const { session } = outcome;
      // The whole family is revoked: its sockets close with it.
      await deps.live.closeWhere(
        { userId: session.userId, sessionId: session.id },
        'session_ended',
      );
      await audit(
        c,
        caller,
        deps,
        {
          action: 'auth.refresh_reused',
          actor: { kind: 'user', id: session.userId },
          target: { type: 'session', id: session.id },
        },
        session.tenantId ? { tenantIds: [session.tenantId], platform: true } : { platform: true },
      );
      throw new AppError(
        'token_reused',
        'This refresh token was already used: the session is ended. Sign in again.',
      );
    }
    throw new AppError('invalid_token', 'The refresh token is invalid, expired or revoked.');
  },

  'auth.logout': async ({ c, caller, deps }) => {
    const user = userOf(caller);
    await new SessionRepo(deps.db).revoke(
      user.userId,
      user.sessionId!,
      'logout',
      nowOf(deps).toISOString(),
    );
    await deps.live.closeWhere(
      { userId: user.userId, sessionId: user.sessionId! },
      'session_ended',
    );
    await audit(
      c,
      caller,
      deps,
      { action: 'auth.signed_out', target: { type: 'session', id: user.sessionId! } },
      user.tenantId ? { tenantIds: [user.tenantId] } : { platform: true },
    );
    clearRefreshCookie(c);
    return c.body(null, 204);
  },

  'auth.switchTenant': async ({ c, caller, deps, body }) => {
    const { userId, sessionId } = userOf(caller);
    const input = await body();
    const users = new UserRepo(deps.db);
    const [membership, tenant, user, memberships] = await Promise.all([
      users.getMembership(input.tenantId, userId),
      new TenantRepo(deps.db).get(input.tenantId),
      users.get(userId),
      users.listMemberships(userId),
    ]);
    // The tenant side is authoritative; a tenant you are not in answers like one that does not exist.
    if (!membership || !tenant || !user) {
      throw new AppError('forbidden', 'You are not a member of this tenant.');
    }
    if (tenant.status !== 'active') {
      throw new AppError('tenant_suspended', 'This tenant is suspended.');
    }
    const response = await switchSessionTenant(
      await sessionDeps(deps),
      user,
      memberships,
      sessionId!,
      tenant.id,
    );
    setRefreshCookie(c, response);
    return c.json(response);
  },

  'auth.password': async ({ c, caller, deps, body }) => {
    const { userId, sessionId } = userOf(caller);
    const input = await body();
    const users = new UserRepo(deps.db);
    const user = await users.get(userId);
    if (!user) throw new AppError('unauthenticated', 'Sign in first.');
    await checkPassword(
      c,
      caller,
      deps,
      user.email,
      input.currentPassword,
      user,
      'password_change',
    );
    const now = nowOf(deps);
    await users.setPasswordHash(user.id, await hashPassword(input.newPassword), now);
    // Whoever else holds a session (maybe the reason for the change) is signed out everywhere.
    const ended = await new SessionRepo(deps.db).revokeAll(
      user.id,
      'password_changed',
      now.toISOString(),
      sessionId,
    );
    await deps.live.closeWhere({ userId: user.id, exceptSessionId: sessionId }, 'session_ended');
    await audit(
      c,
      caller,
      deps,
      { action: 'auth.password_changed', details: { sessionsEnded: ended } },
      await trailsOf(deps, user.id),
    );
    return c.body(null, 204);
  },

  'auth.acceptInvite': async ({ c, caller, deps, body }) => {
    const input = await body();
    const now = nowOf(deps);
    const tokenHash = hashSecret(input.token);
    const invitation = await new InvitationLookup(deps.db).resolve(tokenHash);
    const invalid = () =>
      new AppError('invalid_token', 'This invitation is invalid, already used or expired.');
    if (
      !invitation ||
      invitation.acceptedAt ||
      invitation.expiresAt <= Math.floor(now.getTime() / 1000)
    ) {
      throw invalid();
    }
    const tenant = await new TenantRepo(deps.db).get(invitation.tenantId);
    if (!tenant) throw invalid();
    if (tenant.status !== 'active') {
      throw new AppError('tenant_suspended', 'This tenant is suspended.');
    }
    const users = new UserRepo(deps.db);
    let user = await users.getByEmail(invitation.email);
    if (user) {
      // An existing account joins with its own password, which this does not change.
      await checkPassword(c, caller, deps, user.email, input.password, user, 'accept_invite');
      if (user.disabled) {
        throw new AppError('account_disabled', 'This account is disabled.');
      }
    } else {
      const password = newPasswordSchema.safeParse(input.password);
      if (!password.success) {
        throw new AppError('validation_failed', 'The request input is invalid.', {
          fields: { password: password.error.issues[0]?.message ?? 'Invalid password.' },
        });
      }
    }
    // Single use: claim before any account or membership is written.
    const claimed = await new InvitationRepo(deps.db, tenant.id).claim(
      invitation.id,
      tokenHash,
      now,
    );
    if (!claimed) throw invalid();
    if (!user) {
      try {
        user = await users.create(
          {
            email: invitation.email,
            passwordHash: await hashPassword(input.password),
            // It came through the mailed link: the address is proved.
            emailVerified: true,
          },
          now,
        );
      } catch (err) {
        if (!(err instanceof EmailTakenError)) throw err;
        // The account appeared meanwhile: it joins only with its own password.
        user = await users.getByEmail(invitation.email);
        if (!user || !(await verifyPassword(input.password, user.passwordHash))) {
          throw new AppError('invalid_credentials', 'The e-mail or password is not right.');
        }
      }
    }
    // Whoever accepts came through the mailed link: the address is proved.
    if (!user.emailVerifiedAt) await users.markEmailVerified(user.id, now);
    // The tenant comes from the invitation record, never from the request.
    await new MemberRepo(deps.db, tenant.id).add({
      userId: user.id,
      role: invitation.role,
      tenantName: tenant.name,
    });
    await audit(
      c,
      caller,
      deps,
      {
        action: 'member.joined',
        actor: { kind: 'user', id: user.id, email: user.email },
        target: { type: 'user', id: user.id },
        details: { role: invitation.role, invitationId: invitation.id },
      },
      { tenantIds: [tenant.id] },
    );
    const memberships = await users.listMemberships(user.id);
    const answer = await passwordSignIn(
      await sessionDeps(deps),
      user,
      memberships,
      requestInfo(c),
      tenant.id,
    );
    // An existing account with two-factor on has joined; its session still needs the code.
    if (answer.kind === 'challenge') return c.json(answer.challenge);
    setRefreshCookie(c, answer.response);
    return c.json(answer.response);
  },

  'auth.me': async ({ c, caller, deps }) => {
    const user = userOf(caller);
    const users = new UserRepo(deps.db);
    const [account, memberships] = await Promise.all([
      users.get(user.userId),
      users.listMemberships(user.userId),
    ]);
    return c.json({
      user: { id: user.userId, email: account?.email, platformAdmin: user.platformAdmin },
      tenantId: user.tenantId,
      // The membership's current role, not the one the token was issued with.
      role: memberships.find((m) => m.tenantId === user.tenantId)?.role,
      tenants: memberships.map((m) => ({ tenantId: m.tenantId, name: m.tenantName, role: m.role })),
    });
  },

  jwks: async ({ c, deps }) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(await (await deps.tokens()).currentJwks());
  },
} satisfies Partial<HandlerTable>;

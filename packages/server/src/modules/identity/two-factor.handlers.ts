import type { Context } from 'hono';
import { AppError } from '../../engine/errors';
import { audit } from '../../engine/http/audit';
import type { Caller } from '../../engine/http/auth-context';
import { requestInfo } from '../../engine/http/client-ip';
import { setRefreshCookie } from '../../engine/http/refresh-cookie';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { nowOf, sessionDeps, settingsOf } from '../../engine/http/session-deps';
import { accountTrails, trailsOfMemberships, type AuditSink } from './account-audit';
import { workspacesRequiringTwoFactor } from './security-policy.service';
import { startSession } from './sessions.service';
import { checkPassword } from './sign-in.service';
import {
  completeChallenge,
  confirmEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
  startEnrolment,
  twoFactorDetails,
  type TwoFactorDeps,
} from './two-factor.service';
import { UserRepo, type User } from './user.repo';

// Two-factor sign-in: the second step of a login, and the account's own set-up routes. Every
// change is audited in the person's trails (each of their workspaces, or the platform's).

function sinkOf(c: Context, caller: Caller, deps: AppDeps): AuditSink {
  return (event, scope) => audit(c, caller, deps, event, scope);
}

function twoFactorDeps(c: Context, caller: Caller, deps: AppDeps): TwoFactorDeps {
  return {
    db: deps.db,
    cipher: deps.cipher,
    now: nowOf(deps),
    settings: settingsOf(deps),
    record: sinkOf(c, caller, deps),
  };
}

/** The signed-in caller's account (user routes). */
async function accountOf(caller: Caller, deps: AppDeps): Promise<User> {
  const user =
    caller.kind === 'user' && caller.sessionId
      ? await new UserRepo(deps.db).get(caller.userId)
      : undefined;
  if (!user) throw new AppError('unauthenticated', 'Sign in first.');
  return user;
}

/** Sensitive changes ask for the password again, under the same throttle as sign-in. */
async function reauthenticate(
  c: Context,
  caller: Caller,
  deps: AppDeps,
  user: User,
  password: string,
  via: string,
): Promise<void> {
  await checkPassword(
    { db: deps.db, settings: settingsOf(deps), now: nowOf(deps), record: sinkOf(c, caller, deps) },
    { email: user.email, password, user, via, client: { ip: requestInfo(c).ip } },
  );
}

async function recordChange(
  c: Context,
  caller: Caller,
  deps: AppDeps,
  user: User,
  action: string,
  details?: Record<string, string | number | boolean>,
): Promise<void> {
  await audit(
    c,
    caller,
    deps,
    { action, target: { type: 'user', id: user.id }, details },
    await accountTrails(deps.db, user.id),
  );
}

export const twoFactorHandlers = {
  'auth.loginTwoFactor': async ({ c, caller, deps, body }) => {
    const input = await body();
    const done = await completeChallenge(twoFactorDeps(c, caller, deps), input.challenge, input);
    const { user } = done;
    if (user.disabled) {
      throw new AppError(
        'account_disabled',
        'This account is disabled. Contact your administrator.',
      );
    }
    const memberships = await new UserRepo(deps.db).listMemberships(user.id);
    const { response, session } = await startSession(
      await sessionDeps(deps),
      user,
      memberships,
      requestInfo(c),
      done.tenantId,
    );
    const actor = { kind: 'user' as const, id: user.id, email: user.email };
    const trails = trailsOfMemberships(memberships);
    await audit(
      c,
      caller,
      deps,
      {
        action: 'auth.signed_in',
        actor,
        target: { type: 'session', id: session.id },
        details: { twoFactor: done.via },
      },
      trails,
    );
    if (done.via === 'recovery_code') {
      await audit(
        c,
        caller,
        deps,
        {
          action: 'auth.recovery_code_used',
          actor,
          target: { type: 'user', id: user.id },
          details: { left: done.recoveryCodesLeft ?? 0 },
        },
        trails,
      );
    }
    setRefreshCookie(c, response);
    return c.json(response);
  },

  'auth.twoFactor.status': async ({ c, caller, deps }) => {
    const user = await accountOf(caller, deps);
    const [details, requiredBy] = await Promise.all([
      twoFactorDetails(deps.db, user),
      new UserRepo(deps.db)
        .listMemberships(user.id)
        .then((memberships) => workspacesRequiringTwoFactor(deps.db, memberships)),
    ]);
    return c.json({
      enabled: Boolean(user.twoFactorEnabledAt),
      enabledAt: user.twoFactorEnabledAt,
      ...details,
      requiredBy,
    });
  },

  'auth.twoFactor.start': async ({ c, caller, deps, body }) => {
    const user = await accountOf(caller, deps);
    const input = await body();
    await reauthenticate(c, caller, deps, user, input.password, 'two_factor_start');
    const enrolment = await startEnrolment(twoFactorDeps(c, caller, deps), user);
    await recordChange(c, caller, deps, user, 'auth.two_factor_enrolment_started');
    return c.json(enrolment);
  },

  'auth.twoFactor.confirm': async ({ c, caller, deps, body }) => {
    const user = await accountOf(caller, deps);
    const { code } = await body();
    const codes = await confirmEnrolment(twoFactorDeps(c, caller, deps), user, code);
    await recordChange(c, caller, deps, user, 'auth.two_factor_enabled');
    return c.json(codes);
  },

  'auth.twoFactor.disable': async ({ c, caller, deps, body }) => {
    const user = await accountOf(caller, deps);
    const input = await body();
    if (!user.twoFactorEnabledAt) {
      throw new AppError('two_factor_not_enabled', 'Two-factor sign-in is not on.');
    }
    await reauthenticate(c, caller, deps, user, input.password, 'two_factor_disable');
    const { via } = await disableTwoFactor(twoFactorDeps(c, caller, deps), user, input);
    await recordChange(c, caller, deps, user, 'auth.two_factor_disabled', { via });
    return c.body(null, 204);
  },

  'auth.twoFactor.recoveryCodes': async ({ c, caller, deps, body }) => {
    const user = await accountOf(caller, deps);
    const input = await body();
    if (!user.twoFactorEnabledAt) {
      throw new AppError('two_factor_not_enabled', 'Two-factor sign-in is not on.');
    }
    await reauthenticate(c, caller, deps, user, input.password, 'recovery_codes');
    const codes = await regenerateRecoveryCodes(twoFactorDeps(c, caller, deps), user, input.code);
    await recordChange(c, caller, deps, user, 'auth.recovery_codes_replaced');
    return c.json(codes);
  },
} satisfies Partial<HandlerTable>;

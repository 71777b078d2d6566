import { AppError, TooManyRequestsError } from '../../engine/errors';
import { audit } from '../../engine/http/audit';
import { requestInfo } from '../../engine/http/client-ip';
import { mailDeps } from '../../engine/http/mail-deps';
import { setRefreshCookie } from '../../engine/http/refresh-cookie';
import { requestLog } from '../../engine/http/request-context';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { nowOf, sessionDeps, settingsOf } from '../../engine/http/session-deps';
import { startSession } from './sessions.service';
import { confirmSignup, requestSignup, signupOpen, type SignupDeps } from './signup.service';
import { UserRepo } from './user.repo';

/** One answer for every address, new or known. */
const accepted = {
  message:
    'Check your e-mail: we sent a link to confirm the address and create your workspace. It works once, for 24 hours.',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function signupDeps(deps: AppDeps): SignupDeps {
  return {
    db: deps.db,
    tenantDb: deps.tenantDb,
    settings: settingsOf(deps),
    now: nowOf(deps),
    mail: mailDeps(deps),
  };
}

export const signupHandlers = {
  'auth.signup.status': async ({ c, deps }) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ open: await signupOpen(deps.db) });
  },

  'auth.signup': async ({ c, caller, deps, body }) => {
    const started = Date.now();
    const input = await body();
    const settings = settingsOf(deps);
    try {
      const outcome = await requestSignup(signupDeps(deps), input, requestInfo(c).ip);
      await audit(
        c,
        caller,
        deps,
        {
          action: 'auth.signup_requested',
          actor: outcome.existingUserId
            ? { kind: 'user', id: outcome.existingUserId }
            : { kind: 'anonymous', email: input.email.slice(0, 254) },
          details: { existingAccount: outcome.existingUserId !== undefined },
        },
        { platform: true },
      );
    } catch (err) {
      // Closed (403) and a 429 say nothing about the address (both come before the lookup); any
      // other failure (the mail not handed over) must not tell either: logged, the answer the same.
      if (err instanceof TooManyRequestsError) throw err;
      if (err instanceof AppError && err.code === 'signup_disabled') throw err;
      requestLog(c, deps.log).error('sign-up request failed', {
        error: (err as Error).name,
        detail: (err as Error).message,
      });
    } finally {
      await sleep(Math.max(0, settings.signupMinResponseMs - (Date.now() - started)));
    }
    return c.json(accepted, 202);
  },

  'auth.signup.confirm': async ({ c, caller, deps, body }) => {
    const { token } = await body();
    const { user, tenant } = await confirmSignup(signupDeps(deps), token, requestInfo(c).ip);
    const event = {
      action: 'tenant.signed_up',
      actor: { kind: 'user', id: user.id, email: user.email } as const,
      target: { type: 'tenant', id: tenant.id },
      details: { name: tenant.name, ownerId: user.id },
    };
    await audit(c, caller, deps, event, { tenantIds: [tenant.id], platform: true });
    // Signed in as login does: a new session in the new workspace, the refresh token's cookie.
    const memberships = await new UserRepo(deps.db).listMemberships(user.id);
    const { response, session } = await startSession(
      await sessionDeps(deps),
      user,
      memberships,
      requestInfo(c),
      tenant.id,
    );
    await audit(
      c,
      caller,
      deps,
      {
        action: 'auth.signed_in',
        actor: { kind: 'user', id: user.id, email: user.email },
        target: { type: 'session', id: session.id },
        details: { via: 'signup' },
      },
      { tenantIds: [tenant.id] },
    );
    setRefreshCookie(c, response);
    return c.json(response);
  },
} satisfies Partial<HandlerTable>;

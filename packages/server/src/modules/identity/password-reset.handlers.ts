import { TooManyRequestsError } from '../../engine/errors';
import { audit, type AuditScope } from '../../engine/http/audit';
import { requestInfo } from '../../engine/http/client-ip';
import { mailDeps } from '../../engine/http/mail-deps';
import { requestLog } from '../../engine/http/request-context';
import type { AppDeps, HandlerTable } from '../../engine/http/route-handler';
import { nowOf, settingsOf } from '../../engine/http/session-deps';
import { confirmPasswordReset, requestPasswordReset } from './password-reset.service';
import { UserRepo } from './user.repo';

/** One answer for every address, known or not. */
const accepted = {
  message:
    'If an account uses this address, a link to choose a new password is on its way. It works once, for 30 minutes.',
};

async function trailsOf(deps: AppDeps, userId: string | undefined): Promise<AuditScope> {
  if (!userId) return { platform: true };
  const memberships = await new UserRepo(deps.db).listMemberships(userId);
  return { tenantIds: memberships.map((m) => m.tenantId), platform: true };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const passwordResetHandlers = {
  'auth.passwordReset': async ({ c, caller, deps, body }) => {
    const started = Date.now();
    const { email } = await body();
    const settings = settingsOf(deps);
    const base = { db: deps.db, settings, now: nowOf(deps), mail: mailDeps(deps) };
    try {
      const outcome = await requestPasswordReset(base, email, requestInfo(c).ip);
      await audit(
        c,
        caller,
        deps,
        {
          action: 'auth.password_reset_requested',
          actor: outcome.userId
            ? { kind: 'user', id: outcome.userId }
            : { kind: 'anonymous', email: email.slice(0, 254) },
          details: { mailed: outcome.mailed },
        },
        await trailsOf(deps, outcome.userId),
      );
    } catch (err) {
      // A 429 says nothing about the account (counted either way); any other failure (the mail
      // not handed over) must not tell either: it is logged, and the answer stays the same.
      if (err instanceof TooManyRequestsError) throw err;
      requestLog(c, deps.log).error('password reset request failed', {
        error: (err as Error).name,
        detail: (err as Error).message,
      });
    } finally {
      // The same time for every address: the work above fits well inside it.
      await sleep(Math.max(0, settings.passwordResetMinResponseMs - (Date.now() - started)));
    }
    return c.json(accepted, 202);
  },

  'auth.passwordResetConfirm': async ({ c, caller, deps, body }) => {
    const input = await body();
    const done = await confirmPasswordReset(
      { db: deps.db, settings: settingsOf(deps), now: nowOf(deps), mail: mailDeps(deps) },
      input,
      requestInfo(c).ip,
    );
    await deps.live.closeWhere({ userId: done.userId }, 'session_ended');
    await audit(
      c,
      caller,
      deps,
      {
        action: 'auth.password_reset',
        actor: { kind: 'user', id: done.userId },
        target: { type: 'user', id: done.userId },
        details: { sessionsEnded: done.sessionsEnded },
      },
      await trailsOf(deps, done.userId),
    );
    return c.body(null, 204);
  },
} satisfies Partial<HandlerTable>;

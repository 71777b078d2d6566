import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { AppError } from '../../engine/errors';
import { sha256Hex } from '../../engine/ids';
import { hashPassword } from '../../engine/security/password';
import { passwordResetMail, type MailDeps } from './mail-templates';
import { PasswordResetRepo } from './password-reset.repo';
import { hit, overLimit, type Counter } from './rate-limiter';
import { hashSecret, newPasswordResetToken } from './secret-tokens';
import { SessionRepo } from './session.repo';
import type { AuthSettings } from './settings';
import { UserRepo } from './user.repo';

// Password reset by e-mail. Asking never tells whether the address has an account (the caller
// answers the same either way); the token lives only in the mailed link, is stored hashed, works
// once and for `passwordResetTtlSeconds`, and using it ends every session of the account. A reset
// link also dies once the password changes by any other way after it was mailed.

export type PasswordResetDeps = {
  db: Db;
  settings: AuthSettings;
  now: Date;
  mail: MailDeps;
};

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** Rate items carry no personal data: the address and the IP are hashed. */
const subjectOf = (value: string) => sha256Hex(value.trim().toLowerCase()).slice(0, 32);

function counter(bucket: string, subject: string, limit: Counter['limit']): Counter {
  return { key: (start) => keys.rateWindow(bucket, subjectOf(subject), start), limit };
}

async function limit(deps: PasswordResetDeps, counters: Counter[]): Promise<void> {
  const blocked = overLimit(await hit(deps.db, deps.now, counters), deps.now, {
    code: 'too_many_attempts',
    message: 'Too many password reset attempts.',
  });
  if (blocked) throw blocked;
}

export type ResetRequested = {
  /** The account the address belongs to, when one does (for the audit trail only). */
  userId?: string;
  mailed: boolean;
};

/**
 * Mails a reset link when the address has an enabled account. Limited per address (whoever asks)
 * and per client IP, counted whether or not the account exists, so a 429 tells nothing either.
 */
export async function requestPasswordReset(
  deps: PasswordResetDeps,
  email: string,
  ip: string | undefined,
): Promise<ResetRequested> {
  const counters = [counter('reset-address', email, deps.settings.passwordResetPerAddress)];
  if (ip) counters.push(counter('reset-ip', ip, deps.settings.passwordResetPerIp));
  await limit(deps, counters);
  const user = await new UserRepo(deps.db).getByEmail(email.trim().toLowerCase());
  if (!user || user.disabled) return { userId: user?.id, mailed: false };
  const token = newPasswordResetToken();
  await new PasswordResetRepo(deps.db).create(hashSecret(token), {
    userId: user.id,
    createdAt: deps.now.toISOString(),
    expiresAt: epochSeconds(deps.now) + deps.settings.passwordResetTtlSeconds,
  });
  const mail = passwordResetMail({
    email: user.email,
    link: deps.mail.link('reset-password', token),
    validMinutes: Math.round(deps.settings.passwordResetTtlSeconds / 60),
  });
  await deps.mail.mailer.send({
    to: { address: user.email },
    ...mail,
    kind: 'password_reset',
    tags: { userId: user.id },
  });
  return { userId: user.id, mailed: true };
}

function invalid(): AppError {
  return new AppError('invalid_token', 'This reset link is invalid, already used or expired.');
}

/**
 * Sets the new password with a mailed token: once, before it expires, for an enabled account
 * whose password has not changed since. Every session of the account ends.
 */
export async function confirmPasswordReset(
  deps: PasswordResetDeps,
  input: { token: string; password: string },
  ip: string | undefined,
): Promise<{ userId: string; sessionsEnded: number }> {
  if (ip) await limit(deps, [counter('reset-confirm-ip', ip, deps.settings.passwordResetPerIp)]);
  const tokenHash = hashSecret(input.token);
  const resets = new PasswordResetRepo(deps.db);
  const reset = await resets.get(tokenHash);
  if (!reset || reset.usedAt || reset.expiresAt <= epochSeconds(deps.now)) throw invalid();
  const users = new UserRepo(deps.db);
  const user = await users.get(reset.userId);
  if (!user || user.disabled) throw invalid();
  if (user.passwordChangedAt && user.passwordChangedAt > reset.createdAt) throw invalid();
  // Single use: claimed before anything changes.
  if (!(await resets.claim(tokenHash, deps.now))) throw invalid();
  await users.setPasswordHash(user.id, await hashPassword(input.password), deps.now);
  // The link came through the mail: the address is proved.
  await users.markEmailVerified(user.id, deps.now);
  const sessionsEnded = await new SessionRepo(deps.db).revokeAll(
    user.id,
    'password_changed',
    deps.now.toISOString(),
  );
  return { userId: user.id, sessionsEnded };
}

import type { SignupRequest } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import { dbForTenant, type TenantDbFactory } from '../../engine/data/tenant-data';
import { AppError } from '../../engine/errors';
import { sha256Hex } from '../../engine/ids';
import { hashPassword } from '../../engine/security/password';
import { PlatformSettingsRepo } from '../platform/platform-settings.repo';
import { TenantRepo, type Tenant } from '../platform/tenant.repo';
import { signupExistingAccountMail, signupVerificationMail, type MailDeps } from './mail-templates';
import { MemberRepo } from './membership.repo';
import { hit, overLimit, type Counter } from './rate-limiter';
import { hashSecret, newSignupToken } from './secret-tokens';
import type { AuthSettings } from './settings';
import { SignupRepo } from './signup.repo';
import { EmailTakenError, UserRepo, type User } from './user.repo';

// Self-serve sign-up. Asking never tells whether the address has an account (the caller answers
// the same either way): a new address is mailed a verification link, an existing account a note
// that someone tried. The password is hashed when asked and kept, as its hash only, in the
// pending item until the link is used (once, within `signupTtlSeconds`); then the account (its
// address proved), the workspace it owns and its first session are made. The platform can close
// sign-up (`PlatformSettingsRepo`): asking answers 403 then, and links already mailed stop working.

export type SignupDeps = {
  db: Db;
  tenantDb?: TenantDbFactory;
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

async function limit(deps: SignupDeps, counters: Counter[]): Promise<void> {
  const blocked = overLimit(await hit(deps.db, deps.now, counters), deps.now, {
    code: 'too_many_attempts',
    message: 'Too many sign-up attempts.',
  });
  if (blocked) throw blocked;
}

export async function signupOpen(db: Db): Promise<boolean> {
  return (await new PlatformSettingsRepo(db).get()).signupEnabled;
}

async function requireOpen(db: Db): Promise<void> {
  if (!(await signupOpen(db))) {
    throw new AppError('signup_disabled', 'Self-serve sign-up is closed on this platform.');
  }
}

export type SignupRequested = {
  /** The account the address already belongs to (for the audit trail only). */
  existingUserId?: string;
};

/**
 * Mails a verification link to a new address, or a "someone tried" note to an existing account.
 * Limited per address and per client IP, counted either way, so a 429 tells nothing either; the
 * password is hashed either way too, so the time taken does not tell.
 */
export async function requestSignup(
  deps: SignupDeps,
  input: SignupRequest,
  ip: string | undefined,
): Promise<SignupRequested> {
  await requireOpen(deps.db);
  const email = input.email.trim().toLowerCase();
  const counters = [counter('signup-address', email, deps.settings.signupPerAddress)];
  if (ip) counters.push(counter('signup-ip', ip, deps.settings.signupPerIp));
  await limit(deps, counters);
  const passwordHash = await hashPassword(input.password);
  const existing = await new UserRepo(deps.db).getByEmail(email);
  if (existing) {
    await deps.mail.mailer.send({
      to: { address: existing.email },
      ...signupExistingAccountMail({
        email: existing.email,
        signInLink: deps.mail.page('login'),
        resetLink: deps.mail.page('forgot-password'),
      }),
      kind: 'signup_existing_account',
      tags: { userId: existing.id },
    });
    return { existingUserId: existing.id };
  }
  const token = newSignupToken();
  await new SignupRepo(deps.db).create(hashSecret(token), {
    email,
    ...(input.name ? { name: input.name } : {}),
    workspaceName: input.workspaceName,
    passwordHash,
    createdAt: deps.now.toISOString(),
    expiresAt: epochSeconds(deps.now) + deps.settings.signupTtlSeconds,
  });
  await deps.mail.mailer.send({
    to: { address: email, ...(input.name ? { name: input.name } : {}) },
    ...signupVerificationMail({
      email,
      workspaceName: input.workspaceName,
      link: deps.mail.link('signup/confirm', token),
      validHours: Math.round(deps.settings.signupTtlSeconds / 3600),
    }),
    kind: 'signup_verification',
  });
  return {};
}

function invalid(): AppError {
  return new AppError('invalid_token', 'This sign-up link is invalid, already used or expired.');
}

function taken(): AppError {
  return new AppError(
    'conflict',
    'This address already has a Switchboard account: sign in with it instead.',
  );
}

export type SignupConfirmed = { user: User; tenant: Tenant };

/**
 * Uses a mailed sign-up token: once, before it expires, while sign-up is open and the address
 * still has no account. Creates the account (address verified) and the workspace it owns.
 */
export async function confirmSignup(
  deps: SignupDeps,
  token: string,
  ip: string | undefined,
): Promise<SignupConfirmed> {
  if (ip) await limit(deps, [counter('signup-confirm-ip', ip, deps.settings.signupPerIp)]);
  await requireOpen(deps.db);
  const tokenHash = hashSecret(token);
  const signups = new SignupRepo(deps.db);
  const pending = await signups.get(tokenHash);
  if (!pending || pending.usedAt || pending.expiresAt <= epochSeconds(deps.now)) throw invalid();
  const users = new UserRepo(deps.db);
  // An account made meanwhile (an invitation accepted, a workspace created for it) keeps its own
  // password: the one chosen at sign-up is not applied to it.
  if (await users.getByEmail(pending.email)) throw taken();
  // Single use: claimed before anything is created.
  if (!(await signups.claim(tokenHash, deps.now))) throw invalid();
  let user: User;
  try {
    user = await users.create(
      { email: pending.email, passwordHash: pending.passwordHash, emailVerified: true },
      deps.now,
    );
  } catch (err) {
    if (err instanceof EmailTakenError) throw taken();
    throw err;
  }
  const tenant = await new TenantRepo(deps.db).create(pending.workspaceName, deps.now);
  await new MemberRepo(dbForTenant(deps, tenant.id), tenant.id, deps.db).add({
    userId: user.id,
    role: 'owner',
    tenantName: tenant.name,
  });
  return { user, tenant };
}

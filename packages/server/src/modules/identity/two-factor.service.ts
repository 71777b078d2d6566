import { randomBytes } from 'node:crypto';
import type {
  RecoveryCodesResponse,
  StartTwoFactorResponse,
  TwoFactorChallenge as ChallengeAnswer,
} from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { AppError } from '../../engine/errors';
import type { TokenCipher } from '../../engine/security/token-cipher';
import { hit, overLimit, twoFactorAccountCounter, unhit } from './rate-limiter';
import { accountTrails, type AuditSink } from './account-audit';
import { hashSecret } from './secret-tokens';
import type { AuthSettings } from './settings';
import { base32Decode, newTotpSecret, otpauthUri, totpDefaults, verifyTotp } from './totp';
import { TwoFactorChallengeRepo, TwoFactorRepo } from './two-factor.repo';
import { UserRepo, type User } from './user.repo';

// Two-factor sign-in: enrolment (start → confirm with a first code → on), the second step of a
// sign-in (a challenge answered with a TOTP code or a recovery code), turning it off, and new
// recovery codes. Every wrong code counts against the account (and, at sign-in, the challenge).

export type TwoFactorDeps = {
  db: Db;
  cipher: TokenCipher;
  now: Date;
  settings: AuthSettings;
  /** Where wrong codes are recorded (the account's trails). */
  record: AuditSink;
};

/** Which step asked for a code, for the audit trail. */
export type CodeCheck = 'sign_in' | 'enrolment' | 'disable' | 'recovery_codes';

/** What proves the second factor: a TOTP code, or one of the recovery codes. */
export type SecondFactor = { code?: string; recoveryCode?: string };
export type SecondFactorKind = 'totp' | 'recovery_code';

const recoveryCodeCount = 10;
const recoveryAlphabet = 'abcdefghijklmnopqrstuvwxyz234567';

// The secret is bound to its user: a ciphertext copied to another account does not decrypt.
const cipherContext = (userId: string) => ({ userId, purpose: 'totp' });

/** `abcd-efgh-ijkl-mnop`: 80 random bits, so a fast hash at rest is enough (like our tokens). */
function newRecoveryCode(): string {
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => recoveryAlphabet[b & 31]!).join('');
  return chars.match(/.{4}/g)!.join('-');
}

function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** Salted with the user id, so the same code would not hash alike in two accounts. */
function recoveryCodeHash(userId: string, code: string): string {
  return hashSecret(`${userId}:${normaliseRecoveryCode(code)}`);
}

function newRecoveryCodes(userId: string): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: recoveryCodeCount }, newRecoveryCode);
  return { codes, hashes: codes.map((code) => recoveryCodeHash(userId, code)) };
}

const wrongCode = () =>
  new AppError('invalid_two_factor_code', 'The code is not right, or was already used.');

/**
 * Runs one code check under the account's limit: every attempt reserves a slot first (so a burst
 * cannot all be checked), a right code gives its slot back, and a wrong one is audited.
 */
async function limited<T>(
  deps: TwoFactorDeps,
  user: User,
  step: CodeCheck,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const hits = await hit(deps.db, deps.now, [
    twoFactorAccountCounter(user.id, deps.settings.twoFactorPerAccount),
  ]);
  const actor = { kind: 'user' as const, id: user.id, email: user.email };
  const blocked = overLimit(hits, deps.now, {
    code: 'too_many_attempts',
    message: 'Too many wrong two-factor codes for this account.',
  });
  if (blocked) {
    if (hits.some((h) => h.count === h.limit + 1)) {
      await deps.record(
        { action: 'auth.two_factor_throttled', actor, details: { step } },
        { ...(await accountTrails(deps.db, user.id)), platform: true },
      );
    }
    throw blocked;
  }
  const result = await check();
  if (result === undefined) {
    await deps.record(
      { action: 'auth.two_factor_failed', actor, details: { step } },
      await accountTrails(deps.db, user.id),
    );
    throw wrongCode();
  }
  await Promise.all(hits.map((h) => unhit(deps.db, h)));
  return result;
}

async function decryptSecret(deps: TwoFactorDeps, userId: string, ciphertext: string) {
  return base32Decode(await deps.cipher.decrypt(ciphertext, cipherContext(userId)));
}

/** Checks a second factor against the active secret or the recovery codes, spending what it uses. */
export async function verifySecondFactor(
  deps: TwoFactorDeps,
  user: User,
  factor: SecondFactor,
  step: CodeCheck,
): Promise<{ via: SecondFactorKind; recoveryCodesLeft?: number }> {
  const repo = new TwoFactorRepo(deps.db);
  return limited(deps, user, step, async () => {
    const record = await repo.get(user.id);
    if (!record?.secretCiphertext) return undefined;
    if (factor.recoveryCode !== undefined) {
      const left = await repo.useRecoveryCode(
        user.id,
        recoveryCodeHash(user.id, factor.recoveryCode),
      );
      return left === undefined
        ? undefined
        : { via: 'recovery_code' as const, recoveryCodesLeft: left };
    }
    const secret = await decryptSecret(deps, user.id, record.secretCiphertext);
    const matched = verifyTotp(secret, (factor.code ?? '').replace(/\s/g, ''), deps.now.getTime());
    if (matched === undefined || matched <= (record.lastUsedStep ?? -1)) return undefined;
    // Conditional on the step: two requests with the same code cannot both pass.
    return (await repo.useStep(user.id, matched)) ? { via: 'totp' as const } : undefined;
  });
}

/** A new secret, pending until a code from it confirms. Refused while two-factor is on. */
export async function startEnrolment(
  deps: TwoFactorDeps,
  user: User,
): Promise<StartTwoFactorResponse> {
  if (user.twoFactorEnabledAt) {
    throw new AppError('two_factor_already_enabled', 'Two-factor sign-in is already on.');
  }
  const secret = newTotpSecret();
  await new TwoFactorRepo(deps.db).setPending(
    user.id,
    await deps.cipher.encrypt(secret, cipherContext(user.id)),
    deps.now,
  );
  const issuer = deps.settings.twoFactorIssuer;
  return {
    secret,
    otpauthUri: otpauthUri({ issuer, accountName: user.email, secret }),
    issuer,
    accountName: user.email,
    digits: totpDefaults.digits,
    period: totpDefaults.periodSeconds,
  };
}

/** The first code from the app turns two-factor on; the recovery codes are returned once. */
export async function confirmEnrolment(
  deps: TwoFactorDeps,
  user: User,
  code: string,
): Promise<RecoveryCodesResponse> {
  if (user.twoFactorEnabledAt) {
    throw new AppError('two_factor_already_enabled', 'Two-factor sign-in is already on.');
  }
  const repo = new TwoFactorRepo(deps.db);
  const record = await repo.get(user.id);
  const pending = record?.pendingSecretCiphertext;
  if (!pending) {
    throw new AppError('two_factor_not_enabled', 'Start the set-up first: no secret is pending.');
  }
  const secret = await decryptSecret(deps, user.id, pending);
  const step = await limited(deps, user, 'enrolment', async () =>
    verifyTotp(secret, code.replace(/\s/g, ''), deps.now.getTime()),
  );
  const { codes, hashes } = newRecoveryCodes(user.id);
  const activated = await repo.activate(user.id, {
    pendingCiphertext: pending,
    recoveryCodeHashes: hashes,
    step,
    at: deps.now,
  });
  if (!activated) {
    throw new AppError('conflict', 'The set-up was restarted meanwhile: use the newest secret.');
  }
  await new UserRepo(deps.db).setTwoFactorEnabled(user.id, deps.now);
  return { recoveryCodes: codes };
}

/** Turns two-factor off after the caller proved the password (the handler) and a factor. */
export async function disableTwoFactor(
  deps: TwoFactorDeps,
  user: User,
  factor: SecondFactor,
): Promise<{ via: SecondFactorKind }> {
  if (!user.twoFactorEnabledAt) {
    throw new AppError('two_factor_not_enabled', 'Two-factor sign-in is not on.');
  }
  const { via } = await verifySecondFactor(deps, user, factor, 'disable');
  // The flag first: from here sign-in no longer asks for a code, then the secret goes.
  await new UserRepo(deps.db).setTwoFactorEnabled(user.id, undefined);
  await new TwoFactorRepo(deps.db).delete(user.id);
  return { via };
}

/** Ten new recovery codes; the old ones stop working. */
export async function regenerateRecoveryCodes(
  deps: TwoFactorDeps,
  user: User,
  code: string,
): Promise<RecoveryCodesResponse> {
  if (!user.twoFactorEnabledAt) {
    throw new AppError('two_factor_not_enabled', 'Two-factor sign-in is not on.');
  }
  await verifySecondFactor(deps, user, { code }, 'recovery_codes');
  const { codes, hashes } = newRecoveryCodes(user.id);
  if (!(await new TwoFactorRepo(deps.db).replaceRecoveryCodes(user.id, hashes))) {
    throw new AppError('two_factor_not_enabled', 'Two-factor sign-in was turned off meanwhile.');
  }
  return { recoveryCodes: codes };
}

export async function twoFactorDetails(
  db: Db,
  user: User,
): Promise<{ pending: boolean; recoveryCodesLeft: number }> {
  const record = await new TwoFactorRepo(db).get(user.id);
  return {
    pending: Boolean(record?.pendingSecretCiphertext),
    recoveryCodesLeft: user.twoFactorEnabledAt ? (record?.recoveryCodeHashes.length ?? 0) : 0,
  };
}

// ---- the second step of a sign-in

function newChallengeToken(): string {
  return `tfc_${randomBytes(32).toString('base64url')}`;
}

const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** The password was right: a short-lived, single-use challenge instead of a session. */
export async function createChallenge(
  deps: Pick<TwoFactorDeps, 'db' | 'now' | 'settings'>,
  user: User,
  tenantId?: string,
): Promise<ChallengeAnswer> {
  const token = newChallengeToken();
  const ttl = deps.settings.twoFactorChallengeTtlSeconds;
  await new TwoFactorChallengeRepo(deps.db).create(hashSecret(token), {
    userId: user.id,
    tenantId,
    createdAt: deps.now.toISOString(),
    expiresAt: epochSeconds(deps.now) + ttl,
    attempts: 0,
  });
  return { twoFactorRequired: true, challenge: token, expiresIn: ttl };
}

const challengeInvalid = () =>
  new AppError(
    'invalid_token',
    'This sign-in expired or was already completed. Sign in with your password again.',
  );

/**
 * Completes a challenge with a second factor. A challenge takes a few wrong codes and is then
 * spent (the password is asked again); the account's own limit holds across challenges. Returns
 * the person to start a session for; the challenge is spent before that, so it yields one session.
 */
export async function completeChallenge(
  deps: TwoFactorDeps,
  token: string,
  factor: SecondFactor,
): Promise<{ user: User; tenantId?: string; via: SecondFactorKind; recoveryCodesLeft?: number }> {
  const challenges = new TwoFactorChallengeRepo(deps.db);
  const tokenHash = hashSecret(token);
  const challenge = await challenges.get(tokenHash);
  if (!challenge || challenge.expiresAt <= epochSeconds(deps.now)) throw challengeInvalid();
  const attempts = await challenges.countAttempt(tokenHash);
  if (attempts === undefined) throw challengeInvalid();
  if (attempts > deps.settings.twoFactorAttemptsPerChallenge) {
    await challenges.consume(tokenHash);
    throw new AppError(
      'too_many_attempts',
      'Too many wrong codes for this sign-in. Sign in with your password again.',
    );
  }
  const user = await new UserRepo(deps.db).get(challenge.userId);
  if (!user?.twoFactorEnabledAt) throw challengeInvalid();
  const verified = await verifySecondFactor(deps, user, factor, 'sign_in');
  if (!(await challenges.consume(tokenHash))) throw challengeInvalid();
  return { user, tenantId: challenge.tenantId, ...verified };
}

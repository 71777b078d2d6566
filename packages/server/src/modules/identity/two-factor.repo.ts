import type { Db, Item, Key } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

/**
 * A person's TOTP secret and recovery codes: `USER#<id>` / `TWOFACTOR`. The secrets are
 * ciphertexts of the token cipher (KMS in AWS) bound to the user; recovery codes are SHA-256
 * hashes in a string set, each removed as it is used. Whether two-factor is on is the user
 * item's `twoFactorEnabledAt` (user.repo.ts): this item is written before that flag is set and
 * deleted after it is cleared, so the flag never points at a missing secret.
 */
export type TwoFactorRecord = {
  userId: string;
  secretCiphertext?: string;
  enabledAt?: string;
  /** The last TOTP step accepted: a code of that step or an earlier one never works again. */
  lastUsedStep?: number;
  recoveryCodeHashes: string[];
  /** An enrolment started and not yet confirmed with a code. */
  pendingSecretCiphertext?: string;
  pendingAt?: string;
};

const twoFactorKey = (userId: string): Key => ({ PK: keys.user(userId).PK, SK: 'TWOFACTOR' });

function toRecord(item: Item): TwoFactorRecord {
  const codes = item.recoveryCodes as Set<string> | undefined;
  return {
    userId: item.userId,
    secretCiphertext: item.secretCiphertext,
    enabledAt: item.enabledAt,
    lastUsedStep: typeof item.lastUsedStep === 'number' ? item.lastUsedStep : undefined,
    recoveryCodeHashes: codes ? [...codes] : [],
    pendingSecretCiphertext: item.pendingSecretCiphertext,
    pendingAt: item.pendingAt,
  };
}

export class TwoFactorRepo {
  constructor(private readonly db: Db) {}

  async get(userId: string): Promise<TwoFactorRecord | undefined> {
    const item = await this.db.get(twoFactorKey(userId));
    return item ? toRecord(item) : undefined;
  }

  /** Starts (or restarts) an enrolment; an active secret, if any, is left as it is. */
  async setPending(userId: string, ciphertext: string, at: Date): Promise<void> {
    await this.db.update(
      twoFactorKey(userId),
      { set: 'userId = :uid, pendingSecretCiphertext = :ct, pendingAt = :at, entity = :entity' },
      {
        values: {
          ':uid': userId,
          ':ct': ciphertext,
          ':at': at.toISOString(),
          ':entity': 'TwoFactor',
        },
      },
    );
  }

  /**
   * Makes the pending secret the active one with fresh recovery codes, only if the pending secret
   * is still `pendingCiphertext` (a second enrolment started meanwhile wins). `step` is the step of
   * the confirming code, so that code cannot be replayed at sign-in.
   */
  async activate(
    userId: string,
    input: { pendingCiphertext: string; recoveryCodeHashes: string[]; step: number; at: Date },
  ): Promise<boolean> {
    const updated = await this.db.update(
      twoFactorKey(userId),
      {
        set: 'secretCiphertext = :ct, enabledAt = :at, lastUsedStep = :step, recoveryCodes = :codes',
        remove: 'pendingSecretCiphertext, pendingAt',
      },
      {
        condition: 'pendingSecretCiphertext = :ct',
        values: {
          ':ct': input.pendingCiphertext,
          ':at': input.at.toISOString(),
          ':step': input.step,
          ':codes': new Set(input.recoveryCodeHashes),
        },
      },
    );
    return updated !== undefined;
  }

  /** Accepts a TOTP step once: false when that step (or a later one) was already used. */
  async useStep(userId: string, step: number): Promise<boolean> {
    const updated = await this.db.update(
      twoFactorKey(userId),
      { set: 'lastUsedStep = :step' },
      {
        condition:
          'attribute_exists(secretCiphertext) AND (attribute_not_exists(lastUsedStep) OR lastUsedStep < :step)',
        values: { ':step': step },
      },
    );
    return updated !== undefined;
  }

  /** Spends a recovery code: the number left, or undefined when it was not (or no longer) there. */
  async useRecoveryCode(userId: string, codeHash: string): Promise<number | undefined> {
    const updated = await this.db.update(
      twoFactorKey(userId),
      { del: 'recoveryCodes :spent' },
      {
        condition: 'attribute_exists(secretCiphertext) AND contains(recoveryCodes, :hash)',
        values: { ':spent': new Set([codeHash]), ':hash': codeHash },
      },
    );
    if (!updated) return undefined;
    return (updated.recoveryCodes as Set<string> | undefined)?.size ?? 0;
  }

  async replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<boolean> {
    const updated = await this.db.update(
      twoFactorKey(userId),
      { set: 'recoveryCodes = :codes' },
      {
        condition: 'attribute_exists(secretCiphertext)',
        values: { ':codes': new Set(codeHashes) },
      },
    );
    return updated !== undefined;
  }

  async delete(userId: string): Promise<void> {
    await this.db.delete(twoFactorKey(userId));
  }
}

/**
 * A sign-in waiting for its second factor: `TFCHALLENGE#<sha256 of the challenge token>` /
 * `CHALLENGE`. Holds no secret (the token is only known to the client), counts wrong codes, and
 * is deleted by the code that completes it, so it yields one session at most.
 */
export type TwoFactorChallenge = {
  userId: string;
  /** The workspace the session should open in (an accepted invitation's). */
  tenantId?: string;
  createdAt: string;
  /** Epoch seconds (also the TTL attribute). */
  expiresAt: number;
  attempts: number;
};

const challengeKey = (tokenHash: string): Key => ({
  PK: `TFCHALLENGE#${tokenHash}`,
  SK: 'CHALLENGE',
});

export class TwoFactorChallengeRepo {
  constructor(private readonly db: Db) {}

  async create(tokenHash: string, challenge: TwoFactorChallenge): Promise<void> {
    await this.db.put(
      { ...challengeKey(tokenHash), ...challenge, entity: 'TwoFactorChallenge' },
      { ifNotExists: true },
    );
  }

  async get(tokenHash: string): Promise<TwoFactorChallenge | undefined> {
    const item = await this.db.get(challengeKey(tokenHash));
    if (!item) return undefined;
    return {
      userId: item.userId,
      tenantId: item.tenantId,
      createdAt: item.createdAt,
      expiresAt: Number(item.expiresAt),
      attempts: Number(item.attempts ?? 0),
    };
  }

  /** Counts one code attempt; the new total, or undefined when the challenge is gone. */
  async countAttempt(tokenHash: string): Promise<number | undefined> {
    const updated = await this.db.update(
      challengeKey(tokenHash),
      { add: 'attempts :one' },
      { condition: 'attribute_exists(PK)', values: { ':one': 1 } },
    );
    return updated ? Number(updated.attempts) : undefined;
  }

  /** Spends the challenge; false when another request spent it first. */
  async consume(tokenHash: string): Promise<boolean> {
    return this.db.delete(challengeKey(tokenHash), { condition: 'attribute_exists(PK)' });
  }
}

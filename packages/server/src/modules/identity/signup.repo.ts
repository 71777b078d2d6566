import type { Db, Item, Key } from '../../engine/data/dynamo';

// Pending self-serve sign-ups: `SIGNUP#<sha256 of token>` / `SIGNUP`, global like the reset
// tokens (no tenant exists yet). The token itself is only in the mailed link; the item holds what
// the confirmation needs: the address, the workspace's name and the password's scrypt hash (never
// the password). `usedAt` makes it single use and `expiresAt` (epoch s, also the TTL) bounds it.

export type PendingSignup = {
  email: string;
  name?: string;
  workspaceName: string;
  passwordHash: string;
  createdAt: string;
  expiresAt: number;
  usedAt?: string;
};

export function pendingSignupKey(tokenHash: string): Key {
  return { PK: `SIGNUP#${tokenHash}`, SK: 'SIGNUP' };
}

function toPending(item: Item): PendingSignup {
  return {
    email: item.email,
    name: item.name,
    workspaceName: item.workspaceName,
    passwordHash: item.passwordHash,
    createdAt: item.createdAt,
    expiresAt: item.expiresAt,
    usedAt: item.usedAt,
  };
}

export class SignupRepo {
  constructor(private readonly db: Db) {}

  async create(tokenHash: string, pending: PendingSignup): Promise<void> {
    const created = await this.db.put(
      { ...pendingSignupKey(tokenHash), ...pending, entity: 'PendingSignup' },
      { ifNotExists: true },
    );
    if (!created) throw new Error('sign-up token collision');
  }

  async get(tokenHash: string): Promise<PendingSignup | undefined> {
    const item = await this.db.get(pendingSignupKey(tokenHash));
    return item ? toPending(item) : undefined;
  }

  /**
   * Single use: only the first claim of an unexpired token succeeds. The password hash goes with
   * it: nothing needs it once the account exists (or never will).
   */
  async claim(tokenHash: string, at: Date): Promise<boolean> {
    const updated = await this.db.update(
      pendingSignupKey(tokenHash),
      { set: 'usedAt = :at', remove: 'passwordHash' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(usedAt) AND expiresAt > :now',
        values: { ':at': at.toISOString(), ':now': Math.floor(at.getTime() / 1000) },
      },
    );
    return updated !== undefined;
  }
}

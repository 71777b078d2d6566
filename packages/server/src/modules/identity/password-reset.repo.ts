import type { Db, Item, Key } from '../../engine/data/dynamo';

// Password reset tokens: `RESET#<sha256 of token>` / `RESET`, global like the refresh tokens (a
// reset names no tenant). The token itself is only in the mail; `usedAt` makes it single use and
// `expiresAt` (epoch s, also the TTL attribute) bounds it.

export type PasswordResetToken = {
  userId: string;
  createdAt: string;
  expiresAt: number;
  usedAt?: string;
};

export function passwordResetKey(tokenHash: string): Key {
  return { PK: `RESET#${tokenHash}`, SK: 'RESET' };
}

function toToken(item: Item): PasswordResetToken {
  return {
    userId: item.userId,
    createdAt: item.createdAt,
    expiresAt: item.expiresAt,
    usedAt: item.usedAt,
  };
}

export class PasswordResetRepo {
  constructor(private readonly db: Db) {}

  async create(tokenHash: string, token: PasswordResetToken): Promise<void> {
    const created = await this.db.put(
      { ...passwordResetKey(tokenHash), ...token, entity: 'PasswordReset' },
      { ifNotExists: true },
    );
    if (!created) throw new Error('password reset token collision');
  }

  async get(tokenHash: string): Promise<PasswordResetToken | undefined> {
    const item = await this.db.get(passwordResetKey(tokenHash));
    return item ? toToken(item) : undefined;
  }

  /** Single use: only the first claim of an unexpired token succeeds. */
  async claim(tokenHash: string, at: Date): Promise<boolean> {
    const updated = await this.db.update(
      passwordResetKey(tokenHash),
      { set: 'usedAt = :at' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(usedAt) AND expiresAt > :now',
        values: { ':at': at.toISOString(), ':now': Math.floor(at.getTime() / 1000) },
      },
    );
    return updated !== undefined;
  }
}

import type { Role } from '../../engine/topology';
import { randomId } from '../../engine/ids';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type User = {
  id: string;
  email: string;
  passwordHash: string;
  platformAdmin: boolean;
  disabled: boolean;
  createdAt: string;
  /** Set once the person proved they read mail at this address (an invitation or reset link). */
  emailVerifiedAt?: string;
  passwordChangedAt?: string;
  /** Two-factor sign-in is on since then (the secrets are in two-factor.repo.ts). */
  twoFactorEnabledAt?: string;
};
export type Membership = {
  tenantId: string;
  userId: string;
  role: Role;
  tenantName?: string;
  /** Takes auto-assigned conversations (modules/assignment/availability.repo.ts); absent: yes. */
  available?: boolean;
};

function toUser(item: Item): User {
  return {
    id: item.id,
    email: item.email,
    passwordHash: item.passwordHash,
    platformAdmin: item.platformAdmin === true,
    disabled: item.disabled === true,
    createdAt: item.createdAt,
    emailVerifiedAt: item.emailVerifiedAt,
    passwordChangedAt: item.passwordChangedAt,
    twoFactorEnabledAt: item.twoFactorEnabledAt,
  };
}

export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
}

// Users are global (one person, several tenants); memberships are written tenant side first (the
// authoritative copy used for authorisation) and then user side (the list shown at sign-in).
export class UserRepo {
  constructor(private readonly db: Db) {}

  async create(
    input: {
      email: string;
      passwordHash: string;
      platformAdmin?: boolean;
      /** The account is created from a mailed link, which proves the address. */
      emailVerified?: boolean;
    },
    now = new Date(),
  ): Promise<User> {
    const user: User = {
      id: randomId('us'),
      email: input.email.toLowerCase(),
      passwordHash: input.passwordHash,
      platformAdmin: input.platformAdmin ?? false,
      disabled: false,
      createdAt: now.toISOString(),
      ...(input.emailVerified ? { emailVerifiedAt: now.toISOString() } : {}),
    };
    // Claim the e-mail first: a unique key without a transaction.
    const claimed = await this.db.put(
      { ...keys.userEmail(user.email), userId: user.id, entity: 'UserEmail' },
      { ifNotExists: true },
    );
    if (!claimed) throw new EmailTakenError(`${user.email} is already registered`);
    await this.db.put({ ...keys.user(user.id), ...user, entity: 'User' });
    return user;
  }

  async get(userId: string): Promise<User | undefined> {
    const item = await this.db.get(keys.user(userId));
    return item ? toUser(item) : undefined;
  }

  async getMany(userIds: string[]): Promise<Map<string, User>> {
    const items = await this.db.batchGet([...new Set(userIds)].map((id) => keys.user(id)));
    return new Map(items.map((item) => [item.id as string, toUser(item)]));
  }

  async getByEmail(email: string): Promise<User | undefined> {
    const claim = await this.db.get(keys.userEmail(email));
    if (!claim) return undefined;
    return this.get(claim.userId as string);
  }

  async setPasswordHash(userId: string, passwordHash: string, at: Date): Promise<boolean> {
    const updated = await this.db.update(
      keys.user(userId),
      { set: 'passwordHash = :hash, passwordChangedAt = :at' },
      {
        condition: 'attribute_exists(PK)',
        values: { ':hash': passwordHash, ':at': at.toISOString() },
      },
    );
    return updated !== undefined;
  }

  /** Records that the person proved the address (kept from the first proof). */
  async markEmailVerified(userId: string, at: Date): Promise<void> {
    await this.db.update(
      keys.user(userId),
      { set: 'emailVerifiedAt = if_not_exists(emailVerifiedAt, :at)' },
      { condition: 'attribute_exists(PK)', values: { ':at': at.toISOString() } },
    );
  }

  /**
   * Turns two-factor on (`at`) or off (undefined). This flag is what sign-in and the tenant policy
   * read; it is set after the secret is stored and cleared before the secret is deleted.
   */
  async setTwoFactorEnabled(userId: string, at: Date | undefined): Promise<boolean> {
    const updated = await this.db.update(
      keys.user(userId),
      at ? { set: 'twoFactorEnabledAt = :at' } : { remove: 'twoFactorEnabledAt' },
      {
        condition: 'attribute_exists(PK)',
        values: at ? { ':at': at.toISOString() } : undefined,
      },
    );
    return updated !== undefined;
  }

  async setDisabled(userId: string, disabled: boolean): Promise<User | undefined> {
    const updated = await this.db.update(
      keys.user(userId),
      { set: 'disabled = :disabled' },
      { condition: 'attribute_exists(PK)', values: { ':disabled': disabled } },
    );
    return updated ? toUser(updated) : undefined;
  }

  /** The authoritative membership (tenant side): what authorisation trusts. */
  async getMembership(tenantId: string, userId: string): Promise<Membership | undefined> {
    const item = await this.db.get(keys.member(tenantId, userId));
    return item ? { tenantId, userId, role: item.role, tenantName: item.tenantName } : undefined;
  }

  async listMemberships(userId: string): Promise<Membership[]> {
    const page = await this.db.query({
      pk: keys.user(userId).PK,
      sk: { beginsWith: 'MEMBERSHIP#' },
    });
    return page.items.map((item) => ({
      tenantId: item.tenantId,
      userId,
      role: item.role,
      tenantName: item.tenantName,
    }));
  }
}

import type { Role } from '../topology';
import type { Db, Item } from './dynamo';
import { keys } from './keys';

export type Invitation = {
  id: string;
  tenantId: string;
  email: string;
  role: Role;
  invitedBy?: string;
  createdAt: string;
  /** Epoch seconds (also the TTL attribute). */
  expiresAt: number;
  acceptedAt?: string;
};

function toInvitation(item: Item): Invitation {
  return {
    id: item.id,
    tenantId: item.tenantId,
    email: item.email,
    role: item.role,
    invitedBy: item.invitedBy,
    createdAt: item.createdAt,
    expiresAt: item.expiresAt,
    acceptedAt: item.acceptedAt,
  };
}

/** A tenant's invitations. Built only through the tenant-scoped accessor. Stores the token's hash only. */
export class InvitationRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async create(tokenHash: string, input: Omit<Invitation, 'tenantId'>): Promise<Invitation> {
    const invitation: Invitation = { ...input, tenantId: this.tenantId };
    const created = await this.db.put(
      { ...keys.invitation(tokenHash), ...invitation, entity: 'Invitation' },
      { ifNotExists: true },
    );
    if (!created) throw new Error('invitation token collision');
    return invitation;
  }
}

/** Platform-level: accepting names no tenant, only the token. */
export class InvitationLookup {
  constructor(private readonly db: Db) {}

  async get(tokenHash: string): Promise<Invitation | undefined> {
    const item = await this.db.get(keys.invitation(tokenHash));
    return item ? toInvitation(item) : undefined;
  }

  /** Single use: only the first claim of an unexpired invitation succeeds. */
  async claim(tokenHash: string, at: Date): Promise<boolean> {
    const updated = await this.db.update(
      keys.invitation(tokenHash),
      { set: 'acceptedAt = :at' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(acceptedAt) AND expiresAt > :now',
        values: { ':at': at.toISOString(), ':now': Math.floor(at.getTime() / 1000) },
      },
    );
    return updated !== undefined;
  }
}

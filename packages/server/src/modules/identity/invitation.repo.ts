import type { Role } from '../../engine/topology';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

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

/** A tenant's invitations. Built only through the tenant-scoped accessor. Only the token's hash is kept. */
export class InvitationRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    /** For the global pointers outside the tenant's partitions (see tenant-data.ts). */
    private readonly platformDb: Db = db,
  ) {}

  /** Claims the token's pointer, then writes the invitation in the tenant's partition. */
  async create(tokenHash: string, input: Omit<Invitation, 'tenantId'>): Promise<Invitation> {
    const invitation: Invitation = { ...input, tenantId: this.tenantId };
    const claimed = await this.platformDb.put(
      {
        ...keys.invitationPointer(tokenHash),
        tenantId: this.tenantId,
        invitationId: invitation.id,
        expiresAt: invitation.expiresAt,
        entity: 'InvitationPointer',
      },
      { ifNotExists: true },
    );
    if (!claimed) throw new Error('invitation token collision');
    await this.db.put({
      ...keys.invitation(this.tenantId, invitation.id),
      ...invitation,
      entity: 'Invitation',
    });
    return invitation;
  }

  async get(invitationId: string): Promise<Invitation | undefined> {
    const item = await this.db.get(keys.invitation(this.tenantId, invitationId));
    return item ? toInvitation(item) : undefined;
  }

  /** Single use: only the first claim of an unexpired invitation succeeds. */
  async claim(invitationId: string, at: Date): Promise<boolean> {
    const updated = await this.db.update(
      keys.invitation(this.tenantId, invitationId),
      { set: 'acceptedAt = :at' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(acceptedAt) AND expiresAt > :now',
        values: { ':at': at.toISOString(), ':now': Math.floor(at.getTime() / 1000) },
      },
    );
    return updated !== undefined;
  }
}

/** Platform-level: accepting names no tenant, only the token. */
export class InvitationLookup {
  constructor(private readonly db: Db) {}

  async resolve(tokenHash: string): Promise<Invitation | undefined> {
    const pointer = await this.db.get(keys.invitationPointer(tokenHash));
    if (!pointer) return undefined;
    return new InvitationRepo(this.db, pointer.tenantId as string).get(
      pointer.invitationId as string,
    );
  }
}

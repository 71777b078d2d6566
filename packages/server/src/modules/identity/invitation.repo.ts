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
  /** When the current link was mailed (creation or the latest resend). */
  sentAt?: string;
  /**
   * SHA-256 of the one token that accepts it: the latest mailed. A resend replaces it, so the
   * link mailed before dies. An invitation without one predates mailed links (its token was
   * shown to the inviter) and accepts nothing.
   */
  tokenHash?: string;
  /** Epoch seconds (also the TTL attribute). */
  expiresAt: number;
  acceptedAt?: string;
  revokedAt?: string;
};

function toInvitation(item: Item): Invitation {
  return {
    id: item.id,
    tenantId: item.tenantId,
    email: item.email,
    role: item.role,
    invitedBy: item.invitedBy,
    createdAt: item.createdAt,
    sentAt: item.sentAt,
    tokenHash: item.tokenHash,
    expiresAt: item.expiresAt,
    acceptedAt: item.acceptedAt,
    revokedAt: item.revokedAt,
  };
}

/** Not accepted, not revoked, and its token is the current one: what may still be changed. */
const pendingWith = 'attribute_not_exists(acceptedAt) AND attribute_not_exists(revokedAt)';

/** A tenant's invitations. Built only through the tenant-scoped accessor. Only the token's hash is kept. */
export class InvitationRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    /** For the global pointers outside the tenant's partitions (see tenant-data.ts). */
    private readonly platformDb: Db = db,
  ) {}

  /** Claims the token's pointer, then writes the invitation in the tenant's partition. */
  async create(
    tokenHash: string,
    input: Omit<Invitation, 'tenantId' | 'tokenHash'>,
  ): Promise<Invitation> {
    const invitation: Invitation = { ...input, tenantId: this.tenantId, tokenHash };
    await this.putPointer(tokenHash, invitation.id, invitation.expiresAt);
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

  async list(): Promise<Invitation[]> {
    const out: Invitation[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({
        pk: keys.tenant(this.tenantId).PK,
        sk: { beginsWith: 'INVITE#' },
        startKey,
        consistent: true,
      });
      out.push(...page.items.map(toInvitation));
      startKey = page.lastKey;
    } while (startKey);
    return out;
  }

  /**
   * Replaces a pending invitation's token (a resend): the new pointer first, then the invitation,
   * on the condition that `fromHash` is still its token, then the old pointer goes. Undefined when
   * it was accepted, revoked or resent meanwhile.
   */
  async rotateToken(
    invitationId: string,
    fromHash: string,
    toHash: string,
    change: { sentAt: string; expiresAt: number },
  ): Promise<Invitation | undefined> {
    await this.putPointer(toHash, invitationId, change.expiresAt);
    const updated = await this.db.update(
      keys.invitation(this.tenantId, invitationId),
      { set: 'tokenHash = :to, sentAt = :at, expiresAt = :exp' },
      {
        condition: `attribute_exists(PK) AND tokenHash = :from AND ${pendingWith}`,
        values: {
          ':to': toHash,
          ':from': fromHash,
          ':at': change.sentAt,
          ':exp': change.expiresAt,
        },
      },
    );
    if (!updated) {
      await this.platformDb.delete(keys.invitationPointer(toHash));
      return undefined;
    }
    await this.platformDb.delete(keys.invitationPointer(fromHash));
    return toInvitation(updated);
  }

  /** Revokes a pending invitation; undefined when it was accepted or revoked already. */
  async revoke(invitationId: string, at: Date): Promise<Invitation | undefined> {
    const updated = await this.db.update(
      keys.invitation(this.tenantId, invitationId),
      { set: 'revokedAt = :at' },
      {
        condition: `attribute_exists(PK) AND ${pendingWith}`,
        values: { ':at': at.toISOString() },
      },
    );
    if (!updated) return undefined;
    const invitation = toInvitation(updated);
    if (invitation.tokenHash) {
      await this.platformDb.delete(keys.invitationPointer(invitation.tokenHash));
    }
    return invitation;
  }

  /**
   * Single use: only the first claim with the current token of an unexpired, unrevoked invitation
   * succeeds.
   */
  async claim(invitationId: string, tokenHash: string, at: Date): Promise<boolean> {
    const updated = await this.db.update(
      keys.invitation(this.tenantId, invitationId),
      { set: 'acceptedAt = :at' },
      {
        condition: `attribute_exists(PK) AND tokenHash = :hash AND ${pendingWith} AND expiresAt > :now`,
        values: {
          ':at': at.toISOString(),
          ':hash': tokenHash,
          ':now': Math.floor(at.getTime() / 1000),
        },
      },
    );
    return updated !== undefined;
  }

  private async putPointer(tokenHash: string, invitationId: string, expiresAt: number) {
    const claimed = await this.platformDb.put(
      {
        ...keys.invitationPointer(tokenHash),
        tenantId: this.tenantId,
        invitationId,
        expiresAt,
        entity: 'InvitationPointer',
      },
      { ifNotExists: true },
    );
    if (!claimed) throw new Error('invitation token collision');
  }
}

/** Platform-level: accepting names no tenant, only the token. */
export class InvitationLookup {
  constructor(private readonly db: Db) {}

  /**
   * The invitation a token accepts: only the latest mailed token of an unrevoked invitation (an
   * expired or accepted one is returned, for its caller to refuse).
   */
  async resolve(tokenHash: string): Promise<Invitation | undefined> {
    const pointer = await this.db.get(keys.invitationPointer(tokenHash));
    if (!pointer) return undefined;
    const invitation = await new InvitationRepo(this.db, pointer.tenantId as string).get(
      pointer.invitationId as string,
    );
    if (!invitation || invitation.tokenHash !== tokenHash || invitation.revokedAt) return undefined;
    return invitation;
  }
}

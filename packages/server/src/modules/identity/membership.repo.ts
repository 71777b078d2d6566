import type { Role } from '../../engine/topology';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import type { Membership } from './user.repo';

export class LastOwnerError extends Error {
  override readonly name = 'LastOwnerError';
}

/** The membership changed under us (another admin acted first). */
export class MembershipChangedError extends Error {
  override readonly name = 'MembershipChangedError';
}

function toMembership(tenantId: string, item: Item): Membership {
  return {
    tenantId,
    userId: item.userId,
    role: item.role,
    tenantName: item.tenantName,
    ...(item.available === false ? { available: false } : {}),
  };
}

/**
 * A tenant's members. The tenant-side item (`TENANT#<id>` / `MEMBER#<userId>`) is authoritative;
 * the user-side copy (`USER#<id>` / `MEMBERSHIP#<tenantId>`) feeds sign-in and tenant switching;
 * it is outside the tenant's partitions, so it goes through `platformDb`.
 *
 * A tenant never loses its last owner. Without transactions, the guard is a counter on the tenant's
 * METADATA item (`ownerCount`): taking an owner away first decrements it on the condition that
 * another owner remains, so two owners demoting each other at once cannot both succeed.
 */
export class MemberRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
    /** For the global pointers outside the tenant's partitions (see tenant-data.ts). */
    private readonly platformDb: Db = db,
  ) {}

  async get(userId: string): Promise<Membership | undefined> {
    const item = await this.db.get(keys.member(this.tenantId, userId));
    return item ? toMembership(this.tenantId, { ...item, userId }) : undefined;
  }

  async list(): Promise<Membership[]> {
    const out: Membership[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({
        pk: keys.tenant(this.tenantId).PK,
        sk: { beginsWith: 'MEMBER#' },
        startKey,
        consistent: true,
      });
      out.push(
        ...page.items.map((item) =>
          toMembership(this.tenantId, {
            ...item,
            userId: item.userId ?? String(item.SK).slice('MEMBER#'.length),
          }),
        ),
      );
      startKey = page.lastKey;
    } while (startKey);
    return out;
  }

  /** Adds a member; false when the user already is one (nothing changes then). */
  async add(input: { userId: string; role: Role; tenantName?: string }): Promise<boolean> {
    const m: Membership = { ...input, tenantId: this.tenantId };
    if (m.role === 'owner') await this.ensureOwnerCount();
    const created = await this.db.put(
      { ...keys.member(this.tenantId, m.userId), ...m, entity: 'Member' },
      { ifNotExists: true },
    );
    if (!created) return false;
    await this.putUserSide(m);
    if (m.role === 'owner') await this.addOwnerSeat(1);
    return true;
  }

  /** Changes a role from `from` (as read by the caller) to `to`. */
  async setRole(userId: string, from: Role, to: Role): Promise<Membership> {
    if (from === to) {
      const current = await this.get(userId);
      if (!current) throw new MembershipChangedError('membership is gone');
      return current;
    }
    await this.ensureOwnerCount();
    if (from === 'owner') await this.takeOwnerSeat();
    const updated = await this.db.update(
      keys.member(this.tenantId, userId),
      { set: '#role = :to' },
      {
        condition: 'attribute_exists(PK) AND #role = :from',
        names: { '#role': 'role' },
        values: { ':to': to, ':from': from },
      },
    );
    if (!updated) {
      if (from === 'owner') await this.addOwnerSeat(1);
      throw new MembershipChangedError('membership changed concurrently');
    }
    if (to === 'owner') await this.addOwnerSeat(1);
    const m = toMembership(this.tenantId, { ...updated, userId });
    await this.putUserSide(m);
    return m;
  }

  /** Removes a member whose role the caller read as `role`. */
  async remove(userId: string, role: Role): Promise<void> {
    await this.ensureOwnerCount();
    if (role === 'owner') await this.takeOwnerSeat();
    const removed = await this.db.delete(keys.member(this.tenantId, userId), {
      condition: 'attribute_exists(PK) AND #role = :role',
      names: { '#role': 'role' },
      values: { ':role': role },
    });
    if (!removed) {
      if (role === 'owner') await this.addOwnerSeat(1);
      throw new MembershipChangedError('membership changed concurrently');
    }
    await this.platformDb.delete(keys.userMembership(userId, this.tenantId));
  }

  private async putUserSide(m: Membership): Promise<void> {
    await this.platformDb.put({
      ...keys.userMembership(m.userId, this.tenantId),
      ...m,
      entity: 'UserMembership',
    });
  }

  /** Tenants created before the counter existed get it from a count of their owners, once. */
  private async ensureOwnerCount(): Promise<void> {
    const tenant = await this.db.get(keys.tenant(this.tenantId));
    if (!tenant || typeof tenant.ownerCount === 'number') return;
    const owners = (await this.list()).filter((m) => m.role === 'owner').length;
    await this.db.update(
      keys.tenant(this.tenantId),
      { set: 'ownerCount = :n' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(ownerCount)',
        values: { ':n': owners },
      },
    );
  }

  private async takeOwnerSeat(): Promise<void> {
    const updated = await this.db.update(
      keys.tenant(this.tenantId),
      { add: 'ownerCount :minus' },
      { condition: 'ownerCount > :one', values: { ':minus': -1, ':one': 1 } },
    );
    if (!updated) throw new LastOwnerError('the tenant would have no owner');
  }

  private async addOwnerSeat(n: number): Promise<void> {
    await this.db.update(
      keys.tenant(this.tenantId),
      { add: 'ownerCount :n' },
      { condition: 'attribute_exists(PK)', values: { ':n': n } },
    );
  }
}

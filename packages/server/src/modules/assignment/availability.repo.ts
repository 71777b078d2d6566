import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

export type Availability = { available: boolean; changedAt?: string };

/**
 * A member's availability for auto-assignment in one workspace: `available` and
 * `availabilityChangedAt` on the tenant-side membership item (`TENANT#<id>` / `MEMBER#<userId>`),
 * so each workspace has its own and the team list reads it with the members. Absent: available.
 */
export class AvailabilityRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async get(userId: string): Promise<Availability | undefined> {
    const item = await this.db.get(keys.member(this.tenantId, userId));
    if (!item) return undefined;
    return {
      available: item.available !== false,
      ...(typeof item.availabilityChangedAt === 'string'
        ? { changedAt: item.availabilityChangedAt }
        : {}),
    };
  }

  /** Sets it on the membership; undefined when the user is not a member (any more). */
  async set(userId: string, available: boolean, at: string): Promise<Availability | undefined> {
    const item = await this.db.update(
      keys.member(this.tenantId, userId),
      { set: 'available = :a, availabilityChangedAt = :at' },
      { condition: 'attribute_exists(PK)', values: { ':a': available, ':at': at } },
    );
    return item ? { available, changedAt: at } : undefined;
  }
}

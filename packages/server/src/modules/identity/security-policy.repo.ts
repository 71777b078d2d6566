import type { Db, Key } from '../../engine/data/dynamo';
import { tenantPk } from '../../engine/data/keys';

/** A workspace's sign-in rules: `TENANT#<id>` / `SECURITYPOLICY` (absent: nothing required). */
export type SecurityPolicy = {
  requireTwoFactorForAdmins: boolean;
  updatedAt?: string;
  /** The user who last changed it. */
  updatedBy?: string;
};

export const noPolicy: SecurityPolicy = { requireTwoFactorForAdmins: false };

const policyKey = (tenantId: string): Key => ({ PK: tenantPk(tenantId), SK: 'SECURITYPOLICY' });

// Read by authenticate.ts for each tenant request of an owner or admin without two-factor (the
// only people it can stop), so the policy applies from the next request after it changes.
export class SecurityPolicyRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async get(): Promise<SecurityPolicy> {
    const item = await this.db.get(policyKey(this.tenantId));
    if (!item) return noPolicy;
    return {
      requireTwoFactorForAdmins: item.requireTwoFactorForAdmins === true,
      updatedAt: item.updatedAt,
      updatedBy: item.updatedBy,
    };
  }

  async put(policy: SecurityPolicy): Promise<void> {
    await this.db.put({
      ...policyKey(this.tenantId),
      ...policy,
      tenantId: this.tenantId,
      entity: 'SecurityPolicy',
    });
  }

  /** The policies of several tenants at once (the workspaces a person belongs to). */
  static async getMany(db: Db, tenantIds: string[]): Promise<Map<string, SecurityPolicy>> {
    if (tenantIds.length === 0) return new Map();
    const items = await db.batchGet([...new Set(tenantIds)].map(policyKey));
    return new Map(
      items.map((item) => [
        item.tenantId as string,
        { requireTwoFactorForAdmins: item.requireTwoFactorForAdmins === true },
      ]),
    );
  }
}

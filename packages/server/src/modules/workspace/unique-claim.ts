import type { Db, Key } from '../../engine/data/dynamo';

// A name that must be unique in a tenant (a label's name, a canned reply's short code) is claimed
// with a conditional put of its own item naming the owner, before the owner is written or renamed.
// Without transactions a crash may leave a claim behind whose owner is gone or has another name:
// such a claim is stale, and the next claimant takes it over (conditionally, so two cannot).

export type ClaimOwnerCheck = (ownerId: string) => Promise<boolean>;

/** True when `ownerId` holds the claim (now or already); false when a live owner holds it. */
export async function claimUnique(
  db: Db,
  key: Key,
  ownerId: string,
  ownerStillHolds: ClaimOwnerCheck,
): Promise<boolean> {
  if (await db.put({ ...key, ownerId, entity: 'UniqueClaim' }, { ifNotExists: true })) return true;
  const claim = await db.get(key);
  if (!claim) return db.put({ ...key, ownerId, entity: 'UniqueClaim' }, { ifNotExists: true });
  const holder = String(claim.ownerId);
  if (holder === ownerId) return true;
  if (await ownerStillHolds(holder)) return false;
  return db.put(
    { ...key, ownerId, entity: 'UniqueClaim' },
    { condition: 'ownerId = :holder', values: { ':holder': holder } },
  );
}

/** Gives a claim up, only if `ownerId` still holds it. */
export async function releaseUnique(db: Db, key: Key, ownerId: string): Promise<void> {
  await db.delete(key, { condition: 'ownerId = :me', values: { ':me': ownerId } });
}

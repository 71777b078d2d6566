import { z } from 'zod';
import type { Item } from './dynamo';

// Pages over a GSI: where the next page starts, as the item's own keys plus its index sort key.
// Clients see it only inside an opaque cursor; the repository rebuilds the index partition key
// itself, so a cursor can never move a query into another partition.

export const indexPositionSchema = z.object({
  pk: z.string().max(256),
  sk: z.string().max(512),
  gsk: z.string().max(512),
});
export type IndexPosition = z.infer<typeof indexPositionSchema>;

export function startKeyAt(
  position: IndexPosition | undefined,
  index: { pkName: string; skName: string; pk: string },
): Item | undefined {
  return (
    position && {
      PK: position.pk,
      SK: position.sk,
      [index.pkName]: index.pk,
      [index.skName]: position.gsk,
    }
  );
}

export function positionOf(lastKey: Item | undefined, skName: string): IndexPosition | undefined {
  return (
    lastKey && { pk: String(lastKey.PK), sk: String(lastKey.SK), gsk: String(lastKey[skName]) }
  );
}

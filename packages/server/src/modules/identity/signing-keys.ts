import type { WritableSecretStore } from '../../engine/ports/secrets';
import {
  accessTokenTtlSeconds,
  generateSigningKey,
  keyActivationDelaySeconds,
  keySetMaxAgeMs,
  parseKeySet,
  type StoredKeySet,
} from '../../engine/security/jwt';

export type RotationOptions = {
  now?: Date;
  /** Extra time a retired key stays, for clock skew and slow clients. */
  marginSeconds?: number;
};

export type RotationResult = { keySet: StoredKeySet; addedKid: string; droppedKids: string[] };

/**
 * When a key stops signing everywhere: its successor becomes the signer after the activation delay,
 * and an instance may keep its old copy of the set for up to `keySetMaxAgeMs` more.
 */
function retiredAt(successorCreatedAt: string): number {
  return Date.parse(successorCreatedAt) + keyActivationDelaySeconds * 1000 + keySetMaxAgeMs;
}

/**
 * Appends a new signing key to a stored set and drops every key whose tokens have all expired:
 * a key is kept until its successor has been signing for a token lifetime plus the margin. Pure,
 * apart from generating the key, so it is easy to test and to run from a scheduled job.
 */
export async function rotateKeySet(
  keySetJson: string,
  opts: RotationOptions = {},
): Promise<RotationResult> {
  const now = opts.now ?? new Date();
  const marginMs = (opts.marginSeconds ?? 5 * 60) * 1000;
  const added = await generateSigningKey(now);
  const byAge = [...parseKeySet(keySetJson).keys, added].sort((a, b) =>
    a.createdAt.localeCompare(b.createdAt),
  );
  const kept = byAge.filter((key, i) => {
    const successor = byAge[i + 1];
    if (!successor) return true;
    return (
      now.getTime() <= retiredAt(successor.createdAt) + accessTokenTtlSeconds * 1000 + marginMs
    );
  });
  const droppedKids = byAge.filter((k) => !kept.includes(k)).map((k) => k.kid);
  return { keySet: { keys: kept }, addedKid: added.kid, droppedKids };
}

/** Rotates the key set kept in the secret store (run it on a schedule, e.g. every 30 days). */
export async function rotateSigningKey(
  store: WritableSecretStore,
  opts: RotationOptions = {},
): Promise<RotationResult> {
  const current = await store.get('jwtSigningKeys', () => {
    throw new Error('no JWT signing key set to rotate');
  });
  const result = await rotateKeySet(current, opts);
  await store.put('jwtSigningKeys', JSON.stringify(result.keySet));
  return result;
}

import { describe, expect, it } from 'vitest';
import type { SecretName, WritableSecretStore } from '../../engine/ports/secrets';
import {
  TokenService,
  accessTokenTtlSeconds,
  generateSigningKeySet,
  keyActivationDelaySeconds,
  parseKeySet,
  signingKeyOf,
} from '../../engine/security/jwt';
import { rotateKeySet, rotateSigningKey } from './signing-keys';

class MemoryStore implements WritableSecretStore {
  readonly values = new Map<SecretName, string>();
  async get(name: SecretName, generate: () => string): Promise<string> {
    if (!this.values.has(name)) this.values.set(name, generate());
    return this.values.get(name)!;
  }
  async put(name: SecretName, value: string): Promise<void> {
    this.values.set(name, value);
  }
}

const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const claims = { userId: 'us_1', tenantId: 'tn_1', platformAdmin: false, sessionId: 'se_1' };

describe('rotateSigningKey', () => {
  it('appends a key that signs only after every instance has had time to learn it', async () => {
    const original = await generateSigningKeySet(t0);
    const firstKid = parseKeySet(original).keys[0]!.kid;
    const { keySet, addedKid, droppedKids } = await rotateKeySet(original, { now: at(60) });
    expect(keySet.keys.map((k) => k.kid)).toEqual([firstKid, addedKid]);
    expect(droppedKids).toEqual([]);
    // Published at once, signing only after the activation delay.
    expect(signingKeyOf(keySet, at(61)).kid).toBe(firstKid);
    expect(signingKeyOf(keySet, at(60 + keyActivationDelaySeconds / 60 + 1)).kid).toBe(addedKid);
  });

  it('keeps old keys verifiable until their tokens expire, then drops them', async () => {
    const store = new MemoryStore();
    await store.put('jwtSigningKeys', await generateSigningKeySet(t0));
    let beforeNow = at(30);
    const before = await TokenService.fromSecrets(store, { now: () => beforeNow });
    const oldToken = await before.sign(claims);

    const first = await rotateSigningKey(store, { now: at(60) });
    // A fresh instance after the rotation signs with the new key and still verifies the old token.
    const after = await TokenService.fromSecrets(store, { now: () => at(120) });
    expect((await after.verify(oldToken)).userId).toBe('us_1');
    const newToken = await after.sign(claims);
    expect(JSON.parse(Buffer.from(newToken.split('.')[0]!, 'base64url').toString()).kid).toBe(
      first.addedKid,
    );
    // An instance that loaded before the rotation re-reads the set when it meets the unknown kid
    // (normally it has re-read long before: its cache lives shorter than the activation delay).
    beforeNow = at(31);
    expect((await before.verify(newToken)).userId).toBe('us_1');

    // A second rotation soon after keeps everything; much later the first key goes.
    const soon = await rotateSigningKey(store, { now: at(61) });
    expect(soon.droppedKids).toEqual([]);
    const retiredFor = (keyActivationDelaySeconds + 5 * 60 + accessTokenTtlSeconds) / 60;
    const late = await rotateSigningKey(store, { now: at(60 + retiredFor + 6) });
    expect(late.droppedKids).toHaveLength(1);
    expect(late.keySet.keys).toHaveLength(3);
    const pruned = await TokenService.fromSecrets(store);
    await expect(pruned.verify(oldToken)).rejects.toThrow();
    expect((await pruned.verify(newToken)).userId).toBe('us_1');
    // No private key ever reaches the published set.
    for (const key of pruned.jwks.keys) expect(key).not.toHaveProperty('d');
  });

  it('refuses to rotate a store that has no key set', async () => {
    await expect(rotateSigningKey(new MemoryStore())).rejects.toThrow(/no JWT signing key set/);
  });
});

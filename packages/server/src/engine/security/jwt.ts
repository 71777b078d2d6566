import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  createLocalJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
  type CryptoKey,
} from 'jose';
import type { Role } from '../topology';
import type { SecretStore } from '../ports/secrets';

// ES256 access tokens. The signing key set lives in Secrets Manager (AWS) or under the data dir
// (sandbox), generated once and rotated by `rotateSigningKey` (domain/auth/signing-keys.ts).
//
// Rotation without a window where some instance rejects a good token:
// - every key in the set verifies;
// - a new key is published `keyActivationDelaySeconds` before it signs, longer than any instance
//   keeps its in-memory copy (`keySetMaxAgeMs`), so every instance knows a key before tokens exist;
// - a retired key stays in the set until the tokens it signed have expired (see the rotation).

export const accessTokenTtlSeconds = 15 * 60;
export const keyActivationDelaySeconds = 10 * 60;
export const keySetMaxAgeMs = 5 * 60 * 1000;
/** An unknown `kid` makes an instance re-read the set, at most this often (tokens are untrusted input). */
const unknownKidReloadMs = 5_000;
const issuer = 'switchboard';
const audience = 'switchboard-api';

export type StoredKey = { kid: string; createdAt: string; privateJwk: JWK; publicJwk: JWK };
export type StoredKeySet = { keys: StoredKey[] };

export type AccessClaims = {
  userId: string;
  tenantId?: string;
  role?: Role;
  platformAdmin: boolean;
  sessionId?: string;
};

export async function generateSigningKey(now = new Date()): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  return {
    kid,
    createdAt: now.toISOString(),
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
}

export async function generateSigningKeySet(now = new Date()): Promise<string> {
  return JSON.stringify({ keys: [await generateSigningKey(now)] } satisfies StoredKeySet);
}

export function parseKeySet(json: string): StoredKeySet {
  const set = JSON.parse(json) as StoredKeySet;
  if (!Array.isArray(set.keys) || set.keys.length === 0) {
    throw new Error('the JWT signing key set is empty');
  }
  return set;
}

/** The key that signs now: the newest one already published long enough, else the oldest. */
export function signingKeyOf(set: StoredKeySet, now: Date): StoredKey {
  const byAge = [...set.keys].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const activeBefore = now.getTime() - keyActivationDelaySeconds * 1000;
  const active = byAge.filter((k) => Date.parse(k.createdAt) <= activeBefore);
  const chosen = active[active.length - 1] ?? byAge[0];
  if (!chosen) throw new Error('the JWT signing key set is empty');
  return chosen;
}

type Loaded = {
  signingKey: CryptoKey;
  signingKid: string;
  jwks: JSONWebKeySet;
  keySet: ReturnType<typeof createLocalJWKSet>;
  loadedAt: number;
};

export type TokenServiceOptions = { now?: () => Date };

export class TokenService {
  private loaded!: Loaded;
  private lastReload = 0;
  private readonly now: () => Date;

  private constructor(
    private readonly readKeySet: () => Promise<string>,
    opts: TokenServiceOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
  }

  static async fromSecrets(
    secrets: SecretStore,
    opts: TokenServiceOptions = {},
  ): Promise<TokenService> {
    // Generation is async (WebCrypto) but the store wants a sync generator: prepare one first.
    const fresh = await generateSigningKeySet();
    const service = new TokenService(() => secrets.get('jwtSigningKeys', () => fresh), opts);
    await service.reload();
    return service;
  }

  /** A service over a fixed key set (tests, tools). */
  static async fromKeySet(json: string, opts: TokenServiceOptions = {}): Promise<TokenService> {
    const service = new TokenService(async () => json, opts);
    await service.reload();
    return service;
  }

  /** The public keys, for `/.well-known/jwks.json`. */
  get jwks(): JSONWebKeySet {
    return this.loaded.jwks;
  }

  async currentJwks(): Promise<JSONWebKeySet> {
    await this.fresh();
    return this.loaded.jwks;
  }

  async sign(claims: AccessClaims): Promise<string> {
    await this.fresh();
    const { signingKey, signingKid } = this.loaded;
    return new SignJWT({
      tid: claims.tenantId,
      role: claims.role,
      pa: claims.platformAdmin || undefined,
      sid: claims.sessionId,
    })
      .setProtectedHeader({ alg: 'ES256', kid: signingKid, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${accessTokenTtlSeconds}s`)
      .sign(signingKey);
  }

  /** Verifies signature (ES256 only: `alg: none` and HMAC confusion fail here), issuer, audience, expiry. */
  async verify(token: string): Promise<AccessClaims> {
    await this.fresh();
    try {
      return await this.verifyWith(this.loaded, token);
    } catch (err) {
      // A key published by another instance's rotation since we loaded: re-read once and retry.
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      if (this.now().getTime() - this.lastReload < unknownKidReloadMs) throw err;
      await this.reload();
      return this.verifyWith(this.loaded, token);
    }
  }

  private async verifyWith(loaded: Loaded, token: string): Promise<AccessClaims> {
    const { payload } = await jwtVerify(token, loaded.keySet, {
      algorithms: ['ES256'],
      issuer,
      audience,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    return {
      userId: payload.sub as string,
      tenantId: typeof payload.tid === 'string' ? payload.tid : undefined,
      role: typeof payload.role === 'string' ? (payload.role as Role) : undefined,
      platformAdmin: payload.pa === true,
      sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
    };
  }

  private async fresh(): Promise<void> {
    if (this.now().getTime() - this.loaded.loadedAt > keySetMaxAgeMs) await this.reload();
  }

  private async reload(): Promise<void> {
    const now = this.now();
    this.lastReload = now.getTime();
    const set = parseKeySet(await this.readKeySet());
    const signer = signingKeyOf(set, now);
    const jwks = { keys: set.keys.map((k) => k.publicJwk) };
    this.loaded = {
      signingKey: (await importJWK(signer.privateJwk, 'ES256')) as CryptoKey,
      signingKid: signer.kid,
      jwks,
      keySet: createLocalJWKSet(jwks),
      loadedAt: now.getTime(),
    };
  }
}

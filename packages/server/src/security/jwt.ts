import { randomUUID } from 'node:crypto';
import {
  SignJWT,
  createLocalJWKSet,
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
// (sandbox), generated once. The newest key signs; every key in the set verifies, so a rotated
// key keeps its tokens valid until they expire.

export const accessTokenTtlSeconds = 15 * 60;
const issuer = 'switchboard';
const audience = 'switchboard-api';

type StoredKey = { kid: string; createdAt: string; privateJwk: JWK; publicJwk: JWK };

export type AccessClaims = {
  userId: string;
  tenantId?: string;
  role?: Role;
  platformAdmin: boolean;
  sessionId?: string;
};

export async function generateSigningKeySet(): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = randomUUID();
  const key: StoredKey = {
    kid,
    createdAt: new Date().toISOString(),
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  };
  return JSON.stringify({ keys: [key] });
}

export class TokenService {
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;

  private constructor(
    private readonly signingKey: CryptoKey,
    private readonly signingKid: string,
    readonly jwks: JSONWebKeySet,
  ) {
    this.keySet = createLocalJWKSet(jwks);
  }

  static async fromSecrets(secrets: SecretStore): Promise<TokenService> {
    // Generation is async (WebCrypto) but the store wants a sync generator: prepare one first.
    const fresh = await generateSigningKeySet();
    const stored = JSON.parse(await secrets.get('jwtSigningKeys', () => fresh)) as {
      keys: StoredKey[];
    };
    const newest = [...stored.keys].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
    if (!newest) throw new Error('the JWT signing key set is empty');
    const signingKey = (await importJWK(newest.privateJwk, 'ES256')) as CryptoKey;
    return new TokenService(signingKey, newest.kid, { keys: stored.keys.map((k) => k.publicJwk) });
  }

  async sign(claims: AccessClaims): Promise<string> {
    return new SignJWT({
      tid: claims.tenantId,
      role: claims.role,
      pa: claims.platformAdmin || undefined,
      sid: claims.sessionId,
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.signingKid, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${accessTokenTtlSeconds}s`)
      .sign(this.signingKey);
  }

  /** Verifies signature (ES256 only: `alg: none` and HMAC confusion fail here), issuer, audience, expiry. */
  async verify(token: string): Promise<AccessClaims> {
    const { payload } = await jwtVerify(token, this.keySet, {
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
}

import type { Db, Key } from '../../engine/data/dynamo';

// One single sign-on in progress, between the redirect to the provider and its callback:
// `SSOFLOW#<sha256(state)>` / `FLOW`. Keyed by the state's hash (the state itself travels through
// the browser and the provider, so it is never stored), short-lived, and taken exactly once: the
// callback deletes it on a condition, so a replayed callback finds nothing.

export type SsoFlow = {
  /** The platform's provider, or a workspace's own. */
  provider: 'platform' | 'tenant';
  /** The workspace the person signs in to (and may be admitted to); absent: platform alone. */
  tenantId?: string;
  /** The issuer and client the request went to: the callback uses exactly these. */
  issuer: string;
  clientId: string;
  nonce: string;
  codeVerifier: string;
  /** SHA-256 of the httpOnly cookie that binds the flow to the browser that started it. */
  browserHash: string;
  /** An `/app/…` path to land on. */
  next?: string;
  createdAt: string;
  /** Epoch seconds; also the TTL attribute. */
  expiresAt: number;
};

const flowKey = (stateHash: string): Key => ({ PK: `SSOFLOW#${stateHash}`, SK: 'FLOW' });

export class SsoFlowRepo {
  constructor(private readonly db: Db) {}

  async create(stateHash: string, flow: SsoFlow): Promise<void> {
    const created = await this.db.put(
      { ...flowKey(stateHash), ...flow, entity: 'SsoFlow' },
      { ifNotExists: true },
    );
    if (!created) throw new Error('sso state collision');
  }

  /**
   * The flow, removed: only the first caller gets it (a conditional delete after the read), so
   * two callbacks racing with the same state cannot both continue.
   */
  async take(stateHash: string): Promise<SsoFlow | undefined> {
    const key = flowKey(stateHash);
    const item = await this.db.get(key);
    if (!item) return undefined;
    const taken = await this.db.delete(key, {
      condition: 'attribute_exists(PK) AND createdAt = :created',
      values: { ':created': item.createdAt },
    });
    if (!taken) return undefined;
    return {
      provider: item.provider,
      tenantId: item.tenantId,
      issuer: item.issuer,
      clientId: item.clientId,
      nonce: item.nonce,
      codeVerifier: item.codeVerifier,
      browserHash: item.browserHash,
      next: item.next,
      createdAt: item.createdAt,
      expiresAt: item.expiresAt,
    };
  }
}

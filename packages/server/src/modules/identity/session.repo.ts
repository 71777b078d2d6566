import type { Db, Item } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';

/** A refresh-token family: one sign-in, rotated on every refresh, ended by logout or reuse. */
export type Session = {
  id: string;
  userId: string;
  tenantId?: string;
  /** SHA-256 of the one refresh token that may be used next. */
  currentHash: string;
  /** The token `currentHash` replaced, to tell a lost race (two tabs refreshing at once) from a replay. */
  previousHash?: string;
  generation: number;
  createdAt: string;
  refreshedAt?: string;
  /** Absolute end of the family, epoch seconds (also the TTL attribute). */
  expiresAt: number;
  revokedAt?: string;
  revokedReason?: SessionEndReason;
  ip?: string;
  userAgent?: string;
  /** Where the last refresh came from (`refreshedAt` is when): the session's last use. */
  lastIp?: string;
};

export type SessionEndReason =
  | 'logout'
  | 'refresh_reuse'
  | 'password_changed'
  | 'user_disabled'
  | 'admin'
  /** Ended from the sessions list (one, or all others). */
  | 'revoked';

function toSession(item: Item): Session {
  return {
    id: item.id,
    userId: item.userId,
    tenantId: item.tenantId,
    currentHash: item.currentHash,
    previousHash: item.previousHash,
    generation: item.generation,
    createdAt: item.createdAt,
    refreshedAt: item.refreshedAt,
    expiresAt: item.expiresAt,
    revokedAt: item.revokedAt,
    revokedReason: item.revokedReason,
    ip: item.ip,
    userAgent: item.userAgent,
    lastIp: item.lastIp,
  };
}

// Sessions and the refresh tokens that point at them. No transaction is needed: a token item is
// written before the session accepts it (compare-and-set on `currentHash`), so a crash in between
// leaves an orphan token nobody holds, never a token that works without its session agreeing.
export class SessionRepo {
  constructor(private readonly db: Db) {}

  async create(session: Session): Promise<void> {
    await this.putTokenRef(session, session.currentHash);
    await this.db.put(
      { ...keys.session(session.userId, session.id), ...session, entity: 'Session' },
      { ifNotExists: true },
    );
  }

  async get(userId: string, sessionId: string): Promise<Session | undefined> {
    const item = await this.db.get(keys.session(userId, sessionId));
    return item ? toSession(item) : undefined;
  }

  /** Which session a refresh token belongs to (current or already used), if any. */
  async findByTokenHash(
    tokenHash: string,
  ): Promise<{ userId: string; sessionId: string } | undefined> {
    const item = await this.db.get(keys.refreshToken(tokenHash));
    return item ? { userId: item.userId, sessionId: item.sessionId } : undefined;
  }

  /**
   * Moves the family to a new refresh token, only if `fromHash` is still the current one and the
   * session is live. False means someone used `fromHash` first (or the session ended).
   */
  async rotate(
    session: Session,
    fromHash: string,
    toHash: string,
    change: { tenantId?: string; at: string; nowEpochSeconds: number; ip?: string },
  ): Promise<boolean> {
    await this.putTokenRef(session, toHash);
    const updated = await this.db.update(
      keys.session(session.userId, session.id),
      {
        set: `currentHash = :to, previousHash = :from, refreshedAt = :at${change.tenantId ? ', tenantId = :tid' : ''}${change.ip ? ', lastIp = :ip' : ''}`,
        add: 'generation :one',
      },
      {
        condition:
          'currentHash = :from AND attribute_not_exists(revokedAt) AND expiresAt > :nowEpoch',
        values: {
          ':to': toHash,
          ':from': fromHash,
          ':at': change.at,
          ':one': 1,
          ':nowEpoch': change.nowEpochSeconds,
          ...(change.tenantId ? { ':tid': change.tenantId } : {}),
          ...(change.ip ? { ':ip': change.ip } : {}),
        },
      },
    );
    return updated !== undefined;
  }

  /** Ends the session; the first end reason wins. Returns false when it was already ended or missing. */
  async revoke(
    userId: string,
    sessionId: string,
    reason: SessionEndReason,
    at: string,
  ): Promise<boolean> {
    const updated = await this.db.update(
      keys.session(userId, sessionId),
      { set: 'revokedAt = :at, revokedReason = :reason' },
      {
        condition: 'attribute_exists(PK) AND attribute_not_exists(revokedAt)',
        values: { ':at': at, ':reason': reason },
      },
    );
    return updated !== undefined;
  }

  async listForUser(userId: string): Promise<Session[]> {
    const out: Session[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query({
        pk: keys.user(userId).PK,
        sk: { beginsWith: 'SESSION#' },
        startKey,
        consistent: true,
      });
      out.push(...page.items.map(toSession));
      startKey = page.lastKey;
    } while (startKey);
    return out;
  }

  /** Ends every live session of a user but `exceptSessionId`; returns how many ended. */
  async revokeAll(
    userId: string,
    reason: SessionEndReason,
    at: string,
    exceptSessionId?: string,
  ): Promise<number> {
    const live = (await this.listForUser(userId)).filter(
      (s) => !s.revokedAt && s.id !== exceptSessionId,
    );
    const ended = await Promise.all(live.map((s) => this.revoke(userId, s.id, reason, at)));
    return ended.filter(Boolean).length;
  }

  private async putTokenRef(session: Session, tokenHash: string): Promise<void> {
    await this.db.put(
      {
        ...keys.refreshToken(tokenHash),
        userId: session.userId,
        sessionId: session.id,
        expiresAt: session.expiresAt,
        entity: 'RefreshToken',
      },
      { ifNotExists: true },
    );
  }
}

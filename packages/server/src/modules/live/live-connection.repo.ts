import type { Db, Item } from '../../engine/data/dynamo';
import type { LiveConnectionFilter, LiveIdentity } from '../../engine/ports/live-connections';

// The connections table of the deployed live sockets (topology's `liveConnectionsTable`): who
// each API Gateway connection belongs to. Written at `$connect` from the authorizer's context,
// deleted at `$disconnect`, on a 410 from PostToConnection, and when its session ends.

/** API Gateway ends a WebSocket connection after 2 hours; the TTL cleans what nobody deleted. */
export const CONNECTION_MAX_SECONDS = 2 * 3600;

export type LiveConnection = LiveIdentity & { connectionId: string };

const tenantPk = (tenantId: string) => `TENANT#${tenantId}`;
const userPk = (userId: string) => `USER#${userId}`;
const connSk = (connectionId: string) => `CONN#${connectionId}`;

function toConnection(item: Item): LiveConnection {
  return {
    connectionId: String(item.connectionId),
    tenantId: String(item.tenantId),
    userId: String(item.userId),
    role: item.role,
    sessionId: String(item.sessionId),
  };
}

export class LiveConnectionRepo {
  /** `db` is bound to the connections table, not the main one. */
  constructor(private readonly db: Db) {}

  async put(conn: LiveConnection, now: Date): Promise<void> {
    await this.db.put({
      PK: tenantPk(conn.tenantId),
      SK: connSk(conn.connectionId),
      GSI1PK: userPk(conn.userId),
      GSI1SK: connSk(conn.connectionId),
      ...conn,
      connectedAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + CONNECTION_MAX_SECONDS,
    });
  }

  async delete(tenantId: string, connectionId: string): Promise<void> {
    await this.db.delete({ PK: tenantPk(tenantId), SK: connSk(connectionId) });
  }

  /** A tenant's open connections (fan-out), or a person's in every tenant (their session ended). */
  async list(filter: LiveConnectionFilter): Promise<LiveConnection[]> {
    const found: LiveConnection[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.query(
        'tenantId' in filter
          ? { pk: tenantPk(filter.tenantId), sk: { beginsWith: 'CONN#' }, startKey }
          : { pk: userPk(filter.userId), index: 'GSI1', sk: { beginsWith: 'CONN#' }, startKey },
      );
      found.push(...page.items.map(toConnection));
      startKey = page.lastKey;
    } while (startKey);
    return found;
  }
}

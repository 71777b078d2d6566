import type { Role } from '@switchboard/contracts';
import type { Db } from '../../engine/data/dynamo';
import { keys } from '../../engine/data/keys';
import type { LiveIdentity } from '../../engine/ports/live-connections';

// Live tickets in the main table (keys.liveTicket): written when a member asks for one, taken
// once when the socket opens. The ticket itself is never stored, only its SHA-256.

export type StoredLiveTicket = LiveIdentity & { createdAt: string; expiresAt: number };

export class LiveTicketRepo {
  constructor(private readonly db: Db) {}

  async create(ticketHash: string, ticket: StoredLiveTicket): Promise<void> {
    const created = await this.db.put(
      { ...keys.liveTicket(ticketHash), ...ticket, entity: 'LiveTicket' },
      { ifNotExists: true },
    );
    if (!created) throw new Error('live ticket collision');
  }

  /**
   * Takes the ticket: read, then a conditional delete that only one caller can win, so two
   * sockets racing with the same ticket get one connection. An expired ticket is deleted too
   * (nothing depends on TTL expiry) and refused.
   */
  async take(ticketHash: string, nowMs: number): Promise<LiveIdentity | undefined> {
    const key = keys.liveTicket(ticketHash);
    const item = await this.db.get(key);
    if (!item) return undefined;
    const won = await this.db.delete(key, { condition: 'attribute_exists(PK)' });
    if (!won || typeof item.expiresAt !== 'number' || item.expiresAt * 1000 <= nowMs) {
      return undefined;
    }
    return {
      tenantId: String(item.tenantId),
      userId: String(item.userId),
      role: item.role as Role,
      sessionId: String(item.sessionId),
    };
  }
}

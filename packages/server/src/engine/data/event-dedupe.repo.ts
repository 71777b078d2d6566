import type { Db } from './dynamo';
import { keys } from './keys';

/** How long a consumer remembers an event: far beyond any queue retention or bus retry. */
const KEEP_SECONDS = 30 * 24 * 3600;

/**
 * Per-rule "already handled" markers for bus events, one tenant's. Consumers check before the
 * work and mark after it (conditional put); the work itself is idempotent, so a crash between the
 * two only repeats harmless work.
 */
export class EventDedupeRepo {
  constructor(
    private readonly db: Db,
    private readonly tenantId: string,
  ) {}

  async seen(rule: string, eventId: string): Promise<boolean> {
    return (await this.db.get(keys.eventMarker(this.tenantId, rule, eventId))) !== undefined;
  }

  /** Returns false when the marker already existed (another delivery finished first). */
  async mark(rule: string, eventId: string, now: Date): Promise<boolean> {
    return this.db.put(
      {
        ...keys.eventMarker(this.tenantId, rule, eventId),
        entity: 'EventMarker',
        handledAt: now.toISOString(),
        expiresAt: Math.floor(now.getTime() / 1000) + KEEP_SECONDS,
      },
      { ifNotExists: true },
    );
  }
}

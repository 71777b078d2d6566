import { randomId } from '../../engine/ids';
import type { Db, Item } from '../../engine/data/dynamo';
import { keys, tenantPk } from '../../engine/data/keys';

export type AuditActor =
  | { kind: 'user'; id: string; email?: string }
  | { kind: 'apiKey'; id: string }
  | { kind: 'anonymous'; email?: string }
  | { kind: 'system' };

/** Who did what, when and from where. Never secrets: ids, codes and short labels only. */
export type AuditEvent = {
  id: string;
  at: string;
  action: string;
  actor: AuditActor;
  target?: { type: string; id: string };
  ip?: string;
  userAgent?: string;
  details?: Record<string, string | number | boolean>;
};

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'at'> & { at?: string };

function toEvent(item: Item): AuditEvent {
  return {
    id: item.id,
    at: item.at,
    action: item.action,
    actor: item.actor,
    target: item.target,
    ip: item.ip,
    userAgent: item.userAgent,
    details: item.details,
  };
}

/** An append-only audit trail in one partition: a tenant's (`TENANT#<id>`) or the platform's. */
export class AuditLog {
  private constructor(
    private readonly db: Db,
    private readonly pk: string,
  ) {}

  static forTenant(db: Db, tenantId: string): AuditLog {
    return new AuditLog(db, tenantPk(tenantId));
  }

  static forPlatform(db: Db): AuditLog {
    return new AuditLog(db, keys.platformPk);
  }

  async record(input: NewAuditEvent, now = new Date()): Promise<AuditEvent> {
    const event: AuditEvent = { ...input, id: randomId('ev'), at: input.at ?? now.toISOString() };
    await this.db.put(
      { ...keys.audit(this.pk, event.at, event.id), ...event, entity: 'AuditEvent' },
      { ifNotExists: true },
    );
    return event;
  }

  /** Newest first; `before` is the sort key of the last event of the previous page. */
  async list(
    limit: number,
    before?: string,
  ): Promise<{ items: AuditEvent[]; nextBefore?: string }> {
    // BETWEEN is inclusive: ask for one more when the cursor's own event comes back first.
    const page = await this.db.query({
      pk: this.pk,
      sk: before ? { between: [keys.auditPrefix, before] } : { beginsWith: keys.auditPrefix },
      newestFirst: true,
      limit: before ? limit + 2 : limit + 1,
    });
    const found = page.items.filter((item) => item.SK !== before);
    const items = found.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toEvent),
      nextBefore: found.length > limit && last ? String(last.SK) : undefined,
    };
  }
}

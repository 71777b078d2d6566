import type { Db } from '../../engine/data/dynamo';
import type { AuditActor } from '../platform/audit.repo';
import { UserRepo, type Membership } from './user.repo';

// How identity services record account events without knowing HTTP: the handler hands in a sink
// bound to its request (who, from which IP), the service says what happened and in which trails.

export type AuditScope = { tenantIds?: string[]; platform?: boolean };

export type AccountAuditEvent = {
  action: string;
  actor?: AuditActor;
  target?: { type: string; id: string };
  details?: Record<string, string | number | boolean>;
};

/** Records an event in the given trails (the handler binds it to the request). */
export type AuditSink = (event: AccountAuditEvent, scope: AuditScope) => Promise<void>;

/** A person's account events go to every tenant they belong to (or the platform's trail). */
export function trailsOfMemberships(memberships: Membership[]): AuditScope {
  return memberships.length > 0
    ? { tenantIds: memberships.map((m) => m.tenantId) }
    : { platform: true };
}

export async function accountTrails(db: Db, userId: string | undefined): Promise<AuditScope> {
  if (!userId) return { platform: true };
  return trailsOfMemberships(await new UserRepo(db).listMemberships(userId));
}

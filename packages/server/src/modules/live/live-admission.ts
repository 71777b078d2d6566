import type { Db } from '../../engine/data/dynamo';
import type { LiveIdentity } from '../../engine/ports/live-connections';
import { SessionRepo } from '../identity/session.repo';
import { UserRepo } from '../identity/user.repo';
import { TenantRepo } from '../platform/tenant.repo';
import { redeemLiveTicket } from './live-tickets.service';

// Whether a live socket may open (or stay open) for an identity a ticket carried: what let the
// ticket be issued must still hold when the socket opens. A session revoked, a person disabled
// or removed, a workspace suspended between the ticket and the connect: refused. The same reads
// the HTTP authentication makes (engine/http/authenticate.ts), in one parallel round trip.

/** The identity as it stands now (the membership's current role), or undefined. */
export async function currentLiveIdentity(
  db: Db,
  identity: LiveIdentity,
  now: Date,
): Promise<LiveIdentity | undefined> {
  const users = new UserRepo(db);
  const [session, user, membership, tenant] = await Promise.all([
    new SessionRepo(db).get(identity.userId, identity.sessionId),
    users.get(identity.userId),
    users.getMembership(identity.tenantId, identity.userId),
    new TenantRepo(db).get(identity.tenantId),
  ]);
  const sessionLive =
    session !== undefined && !session.revokedAt && session.expiresAt > now.getTime() / 1000;
  if (!sessionLive || !user || user.disabled || !membership || tenant?.status !== 'active') {
    return undefined;
  }
  return { ...identity, role: membership.role };
}

/** Takes a ticket once and checks what it carries: the socket's identity, or undefined. */
export async function admitLiveTicket(
  db: Db,
  ticket: string | null | undefined,
  now: Date,
): Promise<LiveIdentity | undefined> {
  const identity = await redeemLiveTicket(db, ticket, now.getTime());
  return identity && currentLiveIdentity(db, identity, now);
}

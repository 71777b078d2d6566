import { randomBytes } from 'node:crypto';
import type { Db } from '../../engine/data/dynamo';
import type { LiveIdentity } from '../../engine/ports/live-connections';
import { hashSecret } from '../identity/secret-tokens';
import { LiveTicketRepo } from './live-ticket.repo';

// A ticket trades a signed-in member's session for one socket: 256 random bits, valid 30 s,
// single use. Browsers cannot put an Authorization header on a WebSocket, and an access token in
// a URL would be valid (and sit in access logs) for its whole lifetime.

export const LIVE_TICKET_TTL_SECONDS = 30;

/** `lt_` marks it for what it is (like `rt_`, `pr_`): nobody mistakes it for an access token. */
const ticketPattern = /^lt_[A-Za-z0-9_-]{43}$/;

export async function issueLiveTicket(
  db: Db,
  identity: LiveIdentity,
  now: Date,
): Promise<{ ticket: string; expiresAt: Date }> {
  const ticket = `lt_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(now.getTime() + LIVE_TICKET_TTL_SECONDS * 1000);
  await new LiveTicketRepo(db).create(hashSecret(ticket), {
    ...identity,
    createdAt: now.toISOString(),
    expiresAt: Math.floor(expiresAt.getTime() / 1000),
  });
  return { ticket, expiresAt };
}

/** The identity a ticket was issued to, once; undefined for a malformed, used or expired one. */
export async function redeemLiveTicket(
  db: Db,
  ticket: string | null | undefined,
  nowMs: number,
): Promise<LiveIdentity | undefined> {
  if (!ticket || !ticketPattern.test(ticket)) return undefined;
  return new LiveTicketRepo(db).take(hashSecret(ticket), nowMs);
}

import { roleSchema } from '@switchboard/contracts';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { z } from 'zod';
import type { Db } from '../data/dynamo';
import type { Logger } from '../log';
import type { LiveIdentity } from '../ports/live-connections';
import { liveSocket } from '../topology';
import { admitLiveTicket, currentLiveIdentity } from '../../modules/live/live-admission';
import type { LiveConnectionRepo } from '../../modules/live/live-connection.repo';

// The deployed live socket's Lambda side (API Gateway WebSocket API, topology `liveSocket`):
// `$connect`'s REQUEST authorizer, and one handler for `$connect`, `$disconnect` and `$default`.
// The sandbox's `/live` server (engine/local/live-socket-server.ts) does the same in one place.
// Events from API Gateway are parsed with Zod: an unexpected shape is refused, never guessed at.

export type LiveAuthorizerDeps = { db: Db; log: Logger; now?: () => Date };

const authorizerEventSchema = z.object({
  methodArn: z.string().min(1),
  queryStringParameters: z
    .record(z.string(), z.string().optional())
    .nullish()
    .transform((query) => query ?? {}),
});

/** What the authorizer hands to the routes (API Gateway keeps it for the whole connection). */
const identityContextSchema = z.object({
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  role: roleSchema,
  sessionId: z.string().min(1),
});

function policy(
  effect: 'Allow' | 'Deny',
  resource: string,
  principalId: string,
  context?: LiveIdentity,
): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    ...(context ? { context: { ...context } } : {}),
  };
}

/**
 * Takes the ticket once (conditional delete: two sockets racing with it get one connection) and
 * checks its session, person, membership and workspace. A refusal is a Deny (API Gateway answers
 * 403), not a thrown `Unauthorized`: a bad ticket is a normal answer, not a Lambda error that
 * would page someone through the function's Errors alarm.
 */
export function createLiveAuthorizer(deps: LiveAuthorizerDeps) {
  return async (raw: unknown): Promise<APIGatewayAuthorizerResult> => {
    const event = authorizerEventSchema.safeParse(raw);
    if (!event.success) {
      deps.log.warn('live authorizer: unexpected event', { issues: event.error.issues.length });
      // Without a method ARN there is nothing to scope a policy to: refuse everything.
      return policy('Deny', '*', 'anonymous');
    }
    const { methodArn, queryStringParameters } = event.data;
    const ticket = queryStringParameters[liveSocket.ticketQueryParameter];
    const identity = await admitLiveTicket(deps.db, ticket, deps.now?.() ?? new Date());
    if (!identity) return policy('Deny', methodArn, 'anonymous');
    return policy('Allow', methodArn, identity.userId, identity);
  };
}

const routeEventSchema = z.object({
  requestContext: z.object({
    routeKey: z.string(),
    connectionId: z.string().min(1),
    authorizer: z.unknown().optional(),
  }),
  body: z.string().nullish(),
});

/** What a WebSocket route's Lambda answers; a body reaches the client on `$default` only. */
export type LiveRouteResult = { statusCode: number; body?: string };

export type LiveSocketDeps = {
  /** The main table: sessions, users, memberships, workspaces (read only). */
  db: Db;
  connections: LiveConnectionRepo;
  log: Logger;
  now?: () => Date;
};

/** A client's keep-alive (web/src/lib/live.tsx); API Gateway drops a socket idle for 10 min. */
const ping = '{"type":"ping"}';
const pong = '{"type":"pong"}';
/** Clients send nothing else: whatever it is, it changes nothing and is answered with this. */
const unsupported = '{"type":"error","code":"unsupported_message"}';

export function createLiveSocketHandler(deps: LiveSocketDeps) {
  const now = () => deps.now?.() ?? new Date();
  return async (raw: unknown): Promise<LiveRouteResult> => {
    const event = routeEventSchema.safeParse(raw);
    if (!event.success) {
      deps.log.warn('live socket: unexpected event', { issues: event.error.issues.length });
      return { statusCode: 400 };
    }
    const { routeKey, connectionId, authorizer } = event.data.requestContext;
    const identity = identityContextSchema.safeParse(authorizer);

    if (routeKey === '$connect') {
      // Only the authorizer's context says who this is; without it the connection is refused.
      if (!identity.success) return { statusCode: 403 };
      const who = identity.data;
      // Written first, checked after: a session revoked meanwhile either is seen here, or its
      // closeWhere (which runs after the revoke is written) finds this row and deletes it.
      await deps.connections.put({ ...who, connectionId }, now());
      if (!(await currentLiveIdentity(deps.db, who, now()))) {
        await deps.connections.delete(who.tenantId, connectionId);
        return { statusCode: 403 };
      }
      return { statusCode: 200 };
    }

    if (routeKey === '$disconnect') {
      // API Gateway passes $connect's authorizer context on; without it the TTL cleans up.
      if (identity.success) await deps.connections.delete(identity.data.tenantId, connectionId);
      else deps.log.warn('live disconnect without identity', { connectionId });
      return { statusCode: 200 };
    }

    // $default: the only route a connected client's frames reach.
    return { statusCode: 200, body: event.data.body === ping ? pong : unsupported };
  };
}

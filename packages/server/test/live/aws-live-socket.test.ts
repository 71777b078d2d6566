import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLiveAuthorizer,
  createLiveSocketHandler,
} from '../../src/engine/aws/live-socket-handlers';
import { silentLogger } from '../../src/engine/log';
import { liveSocket } from '../../src/engine/topology';
import { LiveConnectionRepo } from '../../src/modules/live/live-connection.repo';
import { onboard, signIn, startAuthSandbox, type AuthSandbox } from '../auth/helpers';
import { issueTicket } from './live-client';
import { createConnectionsTable } from './connections-table';

// The deployed socket's Lambda side against a real table (the sandbox's dynalite): tickets and
// sessions made through the REST API, the connections table created from the topology as the
// stack creates it. API Gateway is the only stand-in: its events are built as it sends them.

let t: AuthSandbox;
let connections: LiveConnectionRepo;
let authorize: ReturnType<typeof createLiveAuthorizer>;
let route: ReturnType<typeof createLiveSocketHandler>;

const apiArn = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5';
const connectArn = `${apiArn}/${liveSocket.stageName}/$connect`;

/** A REQUEST authorizer event for `$connect`, as API Gateway sends it. */
function authorizerEvent(query: Record<string, string> | null) {
  return {
    type: 'REQUEST',
    methodArn: connectArn,
    headers: { Host: 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com' },
    queryStringParameters: query,
    stageVariables: {},
    requestContext: {
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId: 'authorizing',
      apiId: 'a1b2c3d4e5',
      stage: liveSocket.stageName,
    },
  };
}

let seq = 0;
const newConnectionId = () => `conn${process.pid}x${++seq}=`;

/** A route event; `authorizer` is what the authorizer's context became (plus principalId). */
function routeEvent(
  routeKey: '$connect' | '$disconnect' | '$default',
  connectionId: string,
  authorizer?: Record<string, unknown>,
  body?: string,
) {
  const eventType = { $connect: 'CONNECT', $disconnect: 'DISCONNECT', $default: 'MESSAGE' };
  return {
    requestContext: {
      routeKey,
      eventType: eventType[routeKey],
      connectionId,
      apiId: 'a1b2c3d4e5',
      stage: liveSocket.stageName,
      ...(authorizer ? { authorizer } : {}),
    },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body }),
  };
}

/** A signed-in owner, a ticket of theirs, and the identity the authorizer answered for it. */
async function admitted() {
  const { tenantId, owner } = await onboard(t);
  const session = await signIn(t, owner.email);
  const { ticket } = await issueTicket(t, session.accessToken);
  const result = await authorize(authorizerEvent({ ticket }));
  expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  const context = { principalId: owner.id, ...result.context } as Record<
    'principalId' | 'tenantId' | 'userId' | 'role' | 'sessionId',
    string
  >;
  return { tenantId, owner, session, context };
}

beforeAll(async () => {
  t = await startAuthSandbox();
  const db = await createConnectionsTable(
    `http://127.0.0.1:${t.sb.database.port}`,
    `LiveConnections-${process.pid}`,
  );
  connections = new LiveConnectionRepo(db);
  const deps = { db: t.sb.db, log: silentLogger, now: t.clock.now };
  authorize = createLiveAuthorizer(deps);
  route = createLiveSocketHandler({ ...deps, connections });
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('the $connect authorizer', () => {
  it('allows a fresh ticket once, on this method only, with who it was issued to', async () => {
    const { tenantId, owner } = await onboard(t);
    const { ticket } = await issueTicket(t, owner.session.accessToken);
    const first = await authorize(authorizerEvent({ ticket }));
    expect(first.principalId).toBe(owner.id);
    expect(first.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: connectArn },
    ]);
    expect(first.context).toEqual({
      tenantId,
      userId: owner.id,
      role: 'owner',
      sessionId: expect.any(String),
    });
    // Single use: the same ticket a second time is refused.
    const second = await authorize(authorizerEvent({ ticket }));
    expect(second.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(second.context).toBeUndefined();
  });

  it('denies no ticket, a malformed one, a made-up one and an expired one', async () => {
    const { owner } = await onboard(t);
    const denied = async (query: Record<string, string> | null) =>
      (await authorize(authorizerEvent(query))).policyDocument.Statement[0]!.Effect;
    expect(await denied(null)).toBe('Deny');
    expect(await denied({})).toBe('Deny');
    expect(await denied({ ticket: 'not a ticket' })).toBe('Deny');
    expect(await denied({ ticket: `lt_${'A'.repeat(43)}` })).toBe('Deny');
    const { ticket } = await issueTicket(t, owner.session.accessToken);
    t.clock.advance(31);
    try {
      expect(await denied({ ticket })).toBe('Deny');
    } finally {
      t.clock.advance(-31);
    }
  });

  it('denies a ticket whose session was revoked before the socket opened', async () => {
    const { owner } = await onboard(t);
    const session = await signIn(t, owner.email);
    const { ticket } = await issueTicket(t, session.accessToken);
    const logout = await t.api.request('POST', '/auth/logout', { token: session.accessToken });
    expect(logout.status).toBe(204);
    const result = await authorize(authorizerEvent({ ticket }));
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  });

  it('denies a ticket of a workspace suspended before the socket opened', async () => {
    const { tenantId, owner } = await onboard(t);
    const { ticket } = await issueTicket(t, owner.session.accessToken);
    const res = await t.api.request('POST', `/admin/tenants/${tenantId}/suspend`, {
      token: t.adminToken,
      body: {},
    });
    expect(res.status).toBe(200);
    const result = await authorize(authorizerEvent({ ticket }));
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  });

  it('denies an event that is not a REQUEST authorizer event', async () => {
    const result = await authorize({ queryStringParameters: { ticket: 'x' } });
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
  });
});

describe('the socket routes', () => {
  it('$connect writes the connection from the authorizer context; $disconnect deletes it', async () => {
    const { tenantId, owner, context } = await admitted();
    const connectionId = newConnectionId();
    expect(await route(routeEvent('$connect', connectionId, context))).toEqual({
      statusCode: 200,
    });
    expect(await connections.list({ tenantId })).toEqual([
      {
        connectionId,
        tenantId,
        userId: owner.id,
        role: 'owner',
        sessionId: context.sessionId,
      },
    ]);
    // Found by person too (their session ends in every workspace at once).
    expect((await connections.list({ userId: owner.id })).map((c) => c.connectionId)).toEqual([
      connectionId,
    ]);
    expect(await route(routeEvent('$disconnect', connectionId, context))).toEqual({
      statusCode: 200,
    });
    expect(await connections.list({ tenantId })).toEqual([]);
  });

  it('$connect refuses, and keeps no row, when the session ended after the authorizer ran', async () => {
    const { tenantId, session, context } = await admitted();
    const logout = await t.api.request('POST', '/auth/logout', { token: session.accessToken });
    expect(logout.status).toBe(204);
    const result = await route(routeEvent('$connect', newConnectionId(), context));
    expect(result.statusCode).toBe(403);
    expect(await connections.list({ tenantId })).toEqual([]);
  });

  it('$connect refuses a connection without (or with a broken) authorizer context', async () => {
    const { tenantId, context } = await admitted();
    expect((await route(routeEvent('$connect', newConnectionId()))).statusCode).toBe(403);
    const forged = { ...context, role: 'superuser' };
    expect((await route(routeEvent('$connect', newConnectionId(), forged))).statusCode).toBe(403);
    expect(await connections.list({ tenantId })).toEqual([]);
  });

  it('$default answers a ping with a pong and anything else with a small error', async () => {
    const { context } = await admitted();
    const id = newConnectionId();
    expect(await route(routeEvent('$default', id, context, '{"type":"ping"}'))).toEqual({
      statusCode: 200,
      body: '{"type":"pong"}',
    });
    const other = await route(routeEvent('$default', id, context, '{"action":"subscribe"}'));
    expect(JSON.parse(other.body!)).toEqual({ type: 'error', code: 'unsupported_message' });
  });

  it('answers 400 to an event that is not API Gateway’s', async () => {
    expect(await route({ hello: 'world' })).toEqual({ statusCode: 400 });
  });
});

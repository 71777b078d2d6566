import { getConnInfo as nodeConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { getConnInfo as lambdaConnInfo } from 'hono/aws-lambda';
import type { RequestInfo } from '../../modules/identity/sessions.service';

// The client's address from the transport only, never from a header the client writes: on AWS the
// source IP API Gateway saw (`requestContext.identity.sourceIp`), in the sandbox the socket's peer.
// A request with neither (`app.request()` in unit tests) has no known IP.

type Bindings = { requestContext?: unknown; incoming?: unknown; server?: unknown } | undefined;

export function clientIp(c: Context): string | undefined {
  const env = c.env as Bindings;
  try {
    if (env?.requestContext) return lambdaConnInfo(c).remote.address;
    if (env?.incoming || env?.server) return nodeConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
  return undefined;
}

export function requestInfo(c: Context): RequestInfo {
  return { ip: clientIp(c), userAgent: c.req.header('user-agent')?.slice(0, 256) };
}

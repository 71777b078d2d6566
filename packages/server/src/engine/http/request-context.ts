import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { LambdaContext, LambdaEvent } from 'hono/aws-lambda';
import { childLogger, type Logger } from '../log';

// Every request gets an id, echoed as `x-request-id` and carried by the request's logger, so a
// caller's report, the API Gateway logs and ours can be matched line by line.

export const requestIdHeader = 'x-request-id';

/** What a caller may send as its own request id: it ends up in logs and a response header. */
const callerRequestId = /^[A-Za-z0-9._-]{1,128}$/;
/** API Gateway's ids (HTTP APIs end theirs with `=`): printable ASCII, nothing to inject. */
const gatewayRequestId = /^[\x21-\x7e]{1,128}$/;

export type RequestContextVariables = { requestId: string; requestLog: Logger };
export type RequestContextEnv = { Variables: RequestContextVariables };

/** What hono/aws-lambda's `handle()` passes as `c.env`; the Node server passes something else. */
type LambdaBindings = { event?: LambdaEvent; lambdaContext?: LambdaContext } | undefined;

function gatewayIdsOf(c: Context): { requestId?: string; lambdaRequestId?: string } {
  const env = c.env as LambdaBindings;
  const requestContext = env?.event?.requestContext;
  const id = requestContext && 'requestId' in requestContext ? requestContext.requestId : undefined;
  const lambdaRequestId = env?.lambdaContext?.awsRequestId;
  return {
    ...(typeof id === 'string' && gatewayRequestId.test(id) ? { requestId: id } : {}),
    ...(typeof lambdaRequestId === 'string' ? { lambdaRequestId } : {}),
  };
}

/**
 * The request id: the caller's `x-request-id` when it is a valid one, else API Gateway's (on
 * Lambda), else a new UUID. Sets it on the response and a child of `log` with `requestId` (and,
 * on Lambda, `lambdaRequestId`) on the context; read them with `requestIdOf` / `requestLog`.
 */
export function requestContext(log: Logger): MiddlewareHandler<RequestContextEnv> {
  return async (c, next) => {
    const header = c.req.header(requestIdHeader);
    const gateway = gatewayIdsOf(c);
    const requestId =
      header !== undefined && callerRequestId.test(header)
        ? header
        : (gateway.requestId ?? randomUUID());
    c.set('requestId', requestId);
    c.set(
      'requestLog',
      childLogger(log, {
        requestId,
        ...(gateway.lambdaRequestId ? { lambdaRequestId: gateway.lambdaRequestId } : {}),
      }),
    );
    // Set before the handler runs, so error and not-found responses carry it too.
    c.header(requestIdHeader, requestId);
    await next();
  };
}

/** The request's id, or undefined when the middleware did not run (an app built without it). */
export function requestIdOf(c: Context): string | undefined {
  return (c as Context<RequestContextEnv>).get('requestId');
}

/** The request's logger (with its `requestId`), or `fallback` when the middleware did not run. */
export function requestLog(c: Context, fallback: Logger): Logger {
  return (c as Context<RequestContextEnv>).get('requestLog') ?? fallback;
}

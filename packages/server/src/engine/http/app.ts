import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Db } from '../data/dynamo';
import type { TenantDbFactory } from '../data/tenant-data';
import type { AuthOverrides } from '../../modules/identity/settings';
import type { LeadDeps } from '../../modules/leads/lead-deps';
import { AppError, TooManyRequestsError } from '../errors';
import type { Logger } from '../log';
import type { GraphClient } from '../../modules/messaging/meta/graph-client';
import type { ThroughputLimiter } from '../../modules/messaging/throughput-limiter';
import type { BlobStore } from '../ports/blobs';
import type { DeadLetterAdmin } from '../ports/dlq';
import type { QueueSender } from '../ports/queue';
import type { TokenService } from '../security/jwt';
import type { TokenCipher } from '../security/token-cipher';
import type { RouteContractOf } from '@switchboard/contracts';
import { deployedRoutes, type FunctionName, type QueueName, type RouteId } from '../topology';
import type { Caller } from './auth-context';
import { authenticate } from './authenticate';
import { handlers } from '../../modules/handlers';
import { requestContext, requestLog } from './request-context';
import { routeInput, type RouteInput } from './route-input';
import { fieldErrors } from './validate';

export type AppDeps = {
  /** The function's own table access: platform items and global pointers. */
  db: Db;
  /**
   * A tenant's partitions, on credentials IAM limits to them (aws/deps.ts); absent, `db` serves
   * tenants too (the sandbox: dynalite has no IAM).
   */
  tenantDb?: TenantDbFactory;
  log: Logger;
  /** Lazy: a function whose routes never verify tokens (the webhook receiver) never loads the keys. */
  tokens: () => Promise<TokenService>;
  cipher: TokenCipher;
  incomingQueue: QueueSender;
  blobs: BlobStore;
  meta: { appSecret: string; verifyToken: string };
  /** Dead-letter queues a platform admin may inspect and redrive, by the topology's queue name. */
  dlq: Record<QueueName, DeadLetterAdmin>;
  now?: () => Date;
  /** Auth limits and lifetimes; defaults in domain/auth/settings.ts. */
  auth?: AuthOverrides;
  /** Meta Graph API client; when absent one is built from META_GRAPH_BASE_URL / META_GRAPH_VERSION. */
  graph?: GraphClient;
  /** Per-sender send throughput (token buckets); when absent, one per process at 80 msg/s. */
  sendLimiter?: ThroughputLimiter;
  /** Leads: the event bus, asset URL signing, CRM connector settings, submission limits. */
  leads: LeadDeps;
};

/** What a handler gets: the request, its verified caller, the dependencies and its typed input. */
export type RouteRequest<Id extends RouteId = RouteId> = RouteInput<RouteContractOf<Id>> & {
  c: Context;
  caller: Caller;
  deps: AppDeps;
};
export type RouteHandler<Id extends RouteId = RouteId> = (
  req: RouteRequest<Id>,
) => Promise<Response>;
/** Every route of the contracts has exactly one handler: the type fails when one is missing. */
export type HandlerTable = { [Id in RouteId]: RouteHandler<Id> };

const defaultMaxBodyBytes = 1024 * 1024;

export function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...details } };
}

export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** One Hono app per function (or all of them, in the sandbox), wired from the route table. */
export function createApp(deps: AppDeps, opts: { functions?: FunctionName[] } = {}): Hono {
  const app = new Hono();
  app.use('*', requestContext(deps.log));

  app.onError((err, c) => {
    if (err instanceof AppError) {
      const retryAfter =
        err instanceof TooManyRequestsError
          ? err.retryAfterSeconds
          : err.details?.retryAfterSeconds;
      if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
      return c.json(errorBody(err.code, err.message, err.details), err.status as 400);
    }
    if (err instanceof z.ZodError) {
      return c.json(
        errorBody('validation_failed', 'The request is invalid.', { fields: fieldErrors(err) }),
        400,
      );
    }
    requestLog(c, deps.log).error('unhandled error', {
      path: c.req.path,
      method: c.req.method,
      error: err.name,
      detail: err.message,
    });
    return c.json(
      errorBody('internal_error', 'Something went wrong on our side. Please retry.'),
      500,
    );
  });
  app.notFound((c) =>
    c.json(
      errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`, { reason: 'no_route' }),
      404,
    ),
  );

  const selected = deployedRoutes.filter(
    (route) => !opts.functions || opts.functions.includes(route.function),
  );
  for (const route of selected) {
    const handler = handlers[route.id] as RouteHandler;
    const limit = route.maxBodyBytes ?? defaultMaxBodyBytes;
    app.on(
      route.method,
      honoPath(route.path),
      bodyLimit({
        maxSize: limit,
        onError: (c) =>
          c.json(
            errorBody('payload_too_large', `The request body is larger than ${limit} bytes.`),
            413,
          ),
      }),
      async (c) => {
        const caller = await authenticate(c, route.access, deps);
        return handler({ c, caller, deps, ...routeInput(c, route) } as RouteRequest);
      },
    );
  }
  return app;
}

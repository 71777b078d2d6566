import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Db } from '../data/dynamo';
import { TenantRepo } from '../data/tenant.repo';
import { tenantData } from '../data/tenant-data';
import { UserRepo } from '../data/user.repo';
import { AppError } from '../errors';
import type { Logger } from '../log';
import type { BlobStore } from '../ports/blobs';
import type { DeadLetterAdmin } from '../ports/dlq';
import type { QueueSender } from '../ports/queue';
import type { TokenService } from '../security/jwt';
import type { TokenCipher } from '../security/token-cipher';
import {
  routes,
  type Access,
  type FunctionName,
  type QueueName,
  type RouteId,
  type RouteSpec,
} from '../topology';
import { roleRank, type Caller } from './auth-context';
import { handlers } from './handlers';
import { fieldErrors } from './validate';

export type AppDeps = {
  db: Db;
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
};

export type RouteHandler = (c: Context, caller: Caller, deps: AppDeps) => Promise<Response>;
export type HandlerTable = Record<RouteId, RouteHandler>;

const defaultMaxBodyBytes = 1024 * 1024;

export function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...details } };
}

function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match?.[1];
}

/** Builds the caller from the verified credential only: never from a path, body or header the client picks. */
async function authenticate(c: Context, access: Access, deps: AppDeps): Promise<Caller> {
  if (access.kind === 'public' || access.kind === 'signature') return { kind: 'anonymous' };
  const token = bearerToken(c);
  if (!token) throw new AppError('unauthenticated', 'Sign in: this route needs a bearer token.');
  const tokens = await deps.tokens();
  const claims = await tokens.verify(token).catch(() => {
    throw new AppError('unauthenticated', 'The access token is invalid or expired.');
  });
  const user = await new UserRepo(deps.db).get(claims.userId);
  if (!user || user.disabled)
    throw new AppError('unauthenticated', 'The access token is invalid or expired.');
  if (access.kind === 'user') {
    return {
      kind: 'user',
      userId: user.id,
      platformAdmin: user.platformAdmin,
      tenantId: claims.tenantId,
      role: claims.role,
      sessionId: claims.sessionId,
    };
  }
  if (access.kind === 'platformAdmin') {
    if (!user.platformAdmin) throw new AppError('forbidden', 'This route is for platform admins.');
    return { kind: 'user', userId: user.id, platformAdmin: true, sessionId: claims.sessionId };
  }
  const tenantId = claims.tenantId;
  if (!tenantId)
    throw new AppError('forbidden', 'Select a tenant first (POST /auth/switch-tenant).');
  // The tenant-side membership is authoritative: a removed or demoted member loses access at once.
  const [membership, tenant] = await Promise.all([
    new UserRepo(deps.db).getMembership(tenantId, user.id),
    new TenantRepo(deps.db).get(tenantId),
  ]);
  if (!membership || !tenant)
    throw new AppError('forbidden', 'You are not a member of this tenant.');
  if (tenant.status !== 'active')
    throw new AppError('tenant_suspended', 'This tenant is suspended.');
  if (roleRank[membership.role] < roleRank[access.role]) {
    throw new AppError('forbidden', `This action needs the ${access.role} role or higher.`);
  }
  const ctx = {
    tenantId,
    actor: { kind: 'user' as const, userId: user.id, role: membership.role },
  };
  return {
    kind: 'tenant',
    ctx,
    data: tenantData(deps.db, ctx),
    userId: user.id,
    role: membership.role,
  };
}

export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/** One Hono app per function (or all of them, in the sandbox), wired from the route table. */
export function createApp(deps: AppDeps, opts: { functions?: FunctionName[] } = {}): Hono {
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof AppError) {
      return c.json(errorBody(err.code, err.message, err.details), err.status as 400);
    }
    if (err instanceof z.ZodError) {
      return c.json(
        errorBody('validation_failed', 'The request is invalid.', { fields: fieldErrors(err) }),
        400,
      );
    }
    deps.log.error('unhandled error', {
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
    c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}.`), 404),
  );

  const selected: readonly RouteSpec[] = routes.filter(
    (route) => !opts.functions || opts.functions.includes(route.function),
  );
  for (const route of selected) {
    const handler = handlers[route.id as RouteId];
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
      async (c) => handler(c, await authenticate(c, route.access, deps), deps),
    );
  }
  return app;
}

import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { AppError, TooManyRequestsError } from '../errors';
import { deployedRoutes, type FunctionName } from '../topology';
import { authenticate } from './authenticate';
import { handlers } from '../../modules/handlers';
import { requestContext, requestLog } from './request-context';
import { routeInput } from './route-input';
import type { AppDeps, HandlerTable, RouteHandler, RouteRequest } from './route-handler';
import { fieldErrors } from './validate';

export type { AppDeps, HandlerTable, RouteHandler, RouteRequest };

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
        const input = routeInput(c, route, caller, deps.cursorKey);
        return handler({ c, caller, deps, ...input } as RouteRequest);
      },
    );
  }
  return app;
}

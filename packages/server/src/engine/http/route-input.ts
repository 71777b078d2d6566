import {
  paramsSchemaOf,
  type BodyOf,
  type ParamsOf,
  type QueryOf,
  type RouteContract,
} from '@switchboard/contracts';
import type { Context } from 'hono';
import type { ZodType } from 'zod';
import { AppError, NotFoundError } from '../errors';
import type { Caller } from './auth-context';
import { pageCursor, type PageCursor } from './cursor';
import { jsonShapeIssue } from './json-shape';
import { fieldErrors } from './validate';

// The edge's half of a route contract: path parameters, query and body parsed with the route's
// own schemas before its handler sees them, failing with the same codes everywhere.

export type RouteInput<C extends RouteContract> = {
  params: ParamsOf<C>;
  query: QueryOf<C>;
  /**
   * The JSON body, validated. Called by the handler, so checks that must come first (the
   * Origin of a public form, its rate limit) still answer before a bad body does.
   */
  body: () => Promise<BodyOf<C>>;
  /** The list's page cursor, sealed to this route, this caller's tenant and this query. */
  cursors: PageCursor;
};

/** Whose data a cursor walks: a tenant's, or (platform routes) the signed-in user's view. */
function cursorOwner(caller: Caller): string {
  if (caller.kind === 'tenant') return `tenant:${caller.ctx.tenantId}`;
  if (caller.kind === 'user') return `user:${caller.userId}`;
  return 'anonymous';
}

/**
 * Path ids end up in DynamoDB keys, which refuse keys over 1-2 KB with a server error. An id no
 * object can have is simply not found: 404 before any handler builds a key from it.
 */
function parseParams(c: Context, route: RouteContract): unknown {
  const result = paramsSchemaOf(route).safeParse(c.req.param());
  if (!result.success) throw new NotFoundError('Object');
  return result.data;
}

function parseQuery(c: Context, route: RouteContract): unknown {
  if (!route.query) return undefined;
  const result = route.query.safeParse(c.req.query());
  if (!result.success) {
    throw new AppError('validation_failed', 'The query string is invalid.', {
      fields: fieldErrors(result.error),
    });
  }
  return result.data;
}

/** JSON text → the schema's output; an empty body is `undefined` when the schema allows it. */
export function parseJsonText<T>(text: string, schema: ZodType<T>): T {
  if (text.trim() === '') {
    const empty = schema.safeParse(undefined);
    if (empty.success) return empty.data;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError('invalid_json', 'The request body is not valid JSON.');
  }
  const shape = jsonShapeIssue(raw);
  if (shape) {
    throw new AppError('validation_failed', 'The request body is invalid.', {
      fields: { [shape.path]: shape.message },
    });
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new AppError('validation_failed', 'The request body is invalid.', {
      fields: fieldErrors(result.error),
    });
  }
  return result.data;
}

export function routeInput<C extends RouteContract>(
  c: Context,
  route: C & { id: string },
  caller: Caller,
  cursorKey: () => Promise<Uint8Array>,
): RouteInput<C> {
  const params = parseParams(c, route);
  const query = parseQuery(c, route);
  let body: Promise<unknown> | undefined;
  const given = (query as { cursor?: unknown } | undefined)?.cursor;
  return {
    params,
    query,
    cursors: pageCursor(
      cursorKey,
      {
        route: route.id,
        tenant: cursorOwner(caller),
        params: params as Record<string, unknown>,
        query: query as Record<string, unknown> | undefined,
      },
      typeof given === 'string' ? given : undefined,
    ),
    body: () => {
      const schema = route.body;
      body ??= schema
        ? c.req.text().then((text) => parseJsonText(text, schema))
        : Promise.resolve(undefined);
      return body;
    },
  } as RouteInput<C>;
}

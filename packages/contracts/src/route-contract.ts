import { z, type ZodType } from 'zod';
import type { Access } from './access';
import type { ErrorCode } from './errors';

// A route is written once, here: its method, path, access, inputs, responses and the error codes
// it may answer. The server validates input from it and hands each handler typed input, the
// OpenAPI document is generated from it, and the web client takes paths, params and response
// types from it. Deployment (which Lambda serves a route) is the topology's business, not this.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type ResponseSpec = {
  description: string;
  /**
   * JSON responses: the body's schema. Absent with `contentType` for text, HTML, CSV or bytes
   * (`*\/*`: bytes of whatever type the object has, such as a stored attachment).
   */
  schema?: ZodType;
  contentType?: string;
};

export type HeaderSpec = { name: string; description: string; required?: boolean };

export type RouteContract = {
  method: HttpMethod;
  /** API Gateway style: `/conversations/{id}/messages`. */
  path: string;
  access: Access;
  tag: string;
  summary: string;
  description?: string;
  /** Path parameters; by default each `{name}` is an opaque id of 1–128 characters. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** The JSON body the edge parses and validates before the handler runs. */
  body?: ZodType;
  /**
   * A body the handler reads itself, for documentation only: bytes whose signature must be
   * checked first (Meta webhooks), CSV, an image, or a body that may also come as text/plain.
   */
  rawBody?: { contentType: string; schema?: ZodType; description?: string };
  headers?: readonly HeaderSpec[];
  /** Max request body in bytes; the edge answers 413 above it (1 MiB when unset). */
  maxBodyBytes?: number;
  /** The success response(s), by status. */
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Failures this route raises beyond those its access and inputs imply (see standardErrors). */
  errors?: readonly ErrorCode[];
};

/** Gives each contract its id (the key it is declared under), keeping the literal types. */
export function defineRoutes<const T extends Record<string, RouteContract>>(
  routes: T,
): { [K in keyof T]: T[K] & { id: K } } {
  return Object.fromEntries(
    Object.entries(routes).map(([id, route]) => [id, { ...route, id }]),
  ) as { [K in keyof T]: T[K] & { id: K } };
}

type PathParamNames<P extends string> = P extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PathParamNames<Rest>
  : never;

type Output<S> = S extends ZodType ? z.output<S> : undefined;
type InputOf<S> = S extends ZodType ? z.input<S> : undefined;

/** What the handler of a route receives, already validated. */
export type ParamsOf<C extends RouteContract> = C['params'] extends z.ZodObject
  ? z.output<C['params']>
  : { [K in PathParamNames<C['path']>]: string };
export type QueryOf<C extends RouteContract> = Output<C['query']>;
export type BodyOf<C extends RouteContract> = Output<C['body']>;

/** What a client sends: schemas' input side (defaults may be left out). */
export type QueryInputOf<C extends RouteContract> = InputOf<C['query']>;
export type BodyInputOf<C extends RouteContract> = InputOf<C['body']>;

type SuccessStatus<C extends RouteContract> = Extract<keyof C['responses'], number>;
/** The JSON body of a route's success response(s). */
export type ResponseOf<
  C extends RouteContract,
  S extends number = SuccessStatus<C>,
> = S extends keyof C['responses']
  ? C['responses'][S] extends { schema: infer R }
    ? Output<R>
    : undefined
  : never;

const defaultParam = z.string().min(1).max(128);

/** The path-parameter schema of a route: its own, or an opaque id per `{name}`. */
export function paramsSchemaOf(route: RouteContract): z.ZodObject {
  if (route.params) return route.params;
  const shape: Record<string, ZodType> = {};
  for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) shape[name!] = defaultParam;
  return z.object(shape);
}

/** `/conversations/{id}` + `{ id: 'a b' }` → `/conversations/a%20b`. */
export function buildPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`Missing path parameter ${name} for ${path}`);
    return encodeURIComponent(value);
  });
}

/** The error codes a route may answer: its own, and those its access and inputs imply. */
export function errorCodesOf(route: RouteContract): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.errors ?? []);
  if (route.body || route.rawBody) {
    codes.add('invalid_json').add('validation_failed').add('payload_too_large');
  }
  if (route.query) codes.add('validation_failed');
  if (route.path.includes('{')) codes.add('not_found');
  // A key presented where the route takes none is refused as out of scope.
  if (route.access.kind !== 'public' && route.access.kind !== 'signature') {
    codes.add('insufficient_scope');
  }
  switch (route.access.kind) {
    case 'signature':
      codes.add('invalid_signature');
      break;
    case 'user':
      codes.add('unauthenticated').add('account_disabled');
      break;
    case 'platformAdmin':
      codes.add('unauthenticated').add('forbidden');
      break;
    case 'tenant':
      codes.add('unauthenticated').add('forbidden').add('tenant_suspended').add('rate_limited');
      // The workspace's two-factor policy, for an owner or admin who has not turned it on.
      codes.add('two_factor_required');
      if (route.access.scope) {
        codes
          .add('invalid_api_key')
          .add('api_key_revoked')
          .add('insufficient_scope')
          .add('ip_not_allowed');
      }
      break;
    case 'public':
      break;
  }
  return [...codes];
}

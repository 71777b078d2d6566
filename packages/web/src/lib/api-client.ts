import {
  apiErrorSchema,
  buildPath,
  loginResponseSchema,
  routeContracts,
  twoFactorChallengeSchema,
  type ApiError as ApiErrorBody,
  type BodyInputOf,
  type LoginResponse,
  type ParamsOf,
  type QueryInputOf,
  type ResponseOf,
  type ResponseSpec,
  type RouteContract,
  type RouteContracts,
  type RouteId,
  type TwoFactorChallenge,
} from '@switchboard/contracts';
import type { z, ZodType } from 'zod';
import { isErrorCode, messageForCode, noRouteMessage, type WebErrorCode } from './errors';

// The typed API client. The access token lives in this module's memory only (never in
// localStorage); the refresh token is an httpOnly cookie scoped to /auth that script cannot read.
// A reload restores the session by calling POST /auth/refresh, which the browser sends the cookie to.

/** Same origin by default (the sandbox serves the app); a deployment may point at its API domain. */
export const apiBase = (process.env.NEXT_PUBLIC_API_URL ?? '').replace(/\/$/, '');

export type ApiErrorDetails = {
  fields?: Record<string, string>;
  retryAfterSeconds?: number;
  /** `no_route`: the server has no route with that method and path. */
  reason?: ApiErrorBody['error']['reason'];
};

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly fields: Record<string, string>;
  readonly retryAfterSeconds?: number;
  readonly reason?: ApiErrorDetails['reason'];
  constructor(
    readonly status: number,
    readonly code: WebErrorCode,
    /** The server's own text: for developers (logs, the console), never shown as is. */
    readonly serverMessage: string,
    details: ApiErrorDetails = {},
  ) {
    super(details.reason === 'no_route' ? noRouteMessage : messageForCode(code));
    this.fields = details.fields ?? {};
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.reason = details.reason;
  }

  /** The route is not deployed on this server (a feature still being built). */
  get routeMissing(): boolean {
    return this.reason === 'no_route';
  }
}

export type Session = Omit<LoginResponse, 'refreshToken' | 'refreshExpiresIn'>;

// With the cookie in place a server may leave the refresh token out of the body.
const sessionResponseSchema = loginResponseSchema.partial({
  refreshToken: true,
  refreshExpiresIn: true,
});

type Listener = (session: Session | null) => void;

let session: Session | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<Session | null> | null = null;
/** This page already learned there is no session: later screens need not ask again. */
let knownSignedOut = false;

export function isKnownSignedOut(): boolean {
  return knownSignedOut;
}
const listeners = new Set<Listener>();

export function currentSession(): Session | null {
  return session;
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setSession(next: z.infer<typeof sessionResponseSchema> | null): Session | null {
  clearTimeout(refreshTimer);
  knownSignedOut = !next;
  if (next) {
    // The refresh token is the cookie's business; never keep the body's copy.
    const { refreshToken: _r, refreshExpiresIn: _e, ...rest } = next;
    session = rest;
    // Renew a minute early so a request never carries an expired token.
    const delay = Math.max(10, next.expiresIn - 60) * 1000;
    refreshTimer = setTimeout(() => void refreshSession(), delay);
  } else {
    session = null;
  }
  for (const listener of listeners) listener(session);
  return session;
}

/** A code this client does not know (a newer server) reads as the generic one for its status. */
function fallbackCode(status: number): WebErrorCode {
  return status >= 500 ? 'internal_error' : 'bad_request';
}

/** An error answer's status and text as an `ApiError` (also used by the upload's XMLHttpRequest). */
export function errorFromBody(status: number, text: string): ApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = apiErrorSchema.safeParse(body);
  if (!parsed.success) return new ApiError(status, fallbackCode(status), text);
  const { code, message, fields, reason, retryAfterSeconds } = parsed.data.error;
  return new ApiError(status, isErrorCode(code) ? code : fallbackCode(status), message, {
    fields,
    reason,
    retryAfterSeconds: typeof retryAfterSeconds === 'number' ? retryAfterSeconds : undefined,
  });
}

async function parseError(res: Response): Promise<ApiError> {
  return errorFromBody(res.status, await res.text().catch(() => ''));
}

async function rawFetch(path: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(`${apiBase}${path}`, { credentials: 'include', ...init });
  } catch {
    throw new ApiError(0, 'network_error', 'fetch failed');
  }
}

function authHeader(): Record<string, string> {
  return session ? { authorization: `Bearer ${session.accessToken}` } : {};
}

/** The routes that answer with a session; the refresh token's cookie rides along (`/auth`). */
type SessionRoute =
  'auth.login' | 'auth.refresh' | 'auth.switchTenant' | 'auth.acceptInvite' | 'auth.loginTwoFactor';

// These stay on rawFetch rather than `call`: a 401 here is the answer (wrong password, a spent
// refresh token), never a cue to refresh and replay.
async function sessionJson<Id extends SessionRoute>(
  id: Id,
  body?: BodyInputOf<RouteContracts[Id]>,
): Promise<unknown> {
  const route = routeContracts[id];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (session) headers.authorization = `Bearer ${session.accessToken}`;
  const res = await rawFetch(route.path, {
    method: route.method,
    headers,
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw await parseError(res);
  return res.json();
}

async function sessionCall<Id extends SessionRoute>(
  id: Id,
  body?: BodyInputOf<RouteContracts[Id]>,
): Promise<Session | null> {
  return setSession(sessionResponseSchema.parse(await sessionJson(id, body)));
}

/** A password sign-in: the session, or (two-factor on) a challenge for `auth.completeTwoFactor`. */
export type SignInResult =
  | { kind: 'session'; session: Session | null }
  | { kind: 'challenge'; challenge: TwoFactorChallenge };

async function signInCall<Id extends 'auth.login' | 'auth.acceptInvite'>(
  id: Id,
  body: BodyInputOf<RouteContracts[Id]>,
): Promise<SignInResult> {
  const json = await sessionJson(id, body);
  const challenge = twoFactorChallengeSchema.safeParse(json);
  if (challenge.success) return { kind: 'challenge', challenge: challenge.data };
  return { kind: 'session', session: setSession(sessionResponseSchema.parse(json)) };
}

/**
 * Swaps the refresh cookie for a new access token. Refresh tokens are single use, so two tabs
 * refreshing at once would look like a stolen token: a Web Lock serialises refreshes across tabs.
 */
export function refreshSession(): Promise<Session | null> {
  refreshing ??= (async () => {
    let retried = false;
    const run = async (): Promise<Session | null> => {
      try {
        return await sessionCall('auth.refresh');
      } catch (err) {
        // 409: another tab rotated the cookie a moment ago; the browser now holds the new one.
        if (err instanceof ApiError && err.status === 409 && !retried) {
          retried = true;
          await new Promise((r) => setTimeout(r, 250));
          return run();
        }
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
          setSession(null);
          return null;
        }
        throw err;
      }
    };
    try {
      if (typeof navigator !== 'undefined' && navigator.locks) {
        return await navigator.locks.request('switchboard-refresh', run);
      }
      return await run();
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export const auth = {
  login: (email: string, password: string) => signInCall('auth.login', { email, password }),
  /** The second step of a sign-in with two-factor on: a code from the app, or a recovery code. */
  completeTwoFactor: (challenge: string, factor: { code: string } | { recoveryCode: string }) =>
    sessionCall('auth.loginTwoFactor', { challenge, ...factor }),
  switchTenant: (tenantId: string) => sessionCall('auth.switchTenant', { tenantId }),
  acceptInvite: (token: string, password: string) =>
    signInCall('auth.acceptInvite', { token, password }),
  async logout(): Promise<void> {
    // The server must revoke the session and clear the cookie, or a reload would sign back in:
    // an expired access token is renewed once and the logout replayed.
    const { path, method } = routeContracts['auth.logout'];
    const call = () => rawFetch(path, { method, headers: authHeader() });
    try {
      let res = await call();
      if (res.status === 401 && (await refreshSession())) res = await call();
    } catch {
      // Offline: the in-memory token goes anyway.
    } finally {
      setSession(null);
    }
  },
};

type QueryValues = Record<string, unknown>;

type RequestOptions = {
  body?: unknown;
  /** Multipart or binary bodies go as they are. */
  rawBody?: BodyInit;
  query?: QueryValues;
  signal?: AbortSignal;
  /** Public routes (the hosted form) never send the token. */
  anonymous?: boolean;
  headers?: Record<string, string>;
};

export function withQuery(path: string, query?: QueryValues): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null && item !== '') params.append(key, String(item));
    }
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

/**
 * Sends a request with the session's token, renews an expired token once and replays, and turns
 * a failure into an `ApiError`. The caller reads the (successful) response.
 */
async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const url = withQuery(path, opts.query);
  const attempt = async () => {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (!opts.anonymous && session) headers.authorization = `Bearer ${session.accessToken}`;
    let body: BodyInit | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    return rawFetch(url, { method, headers, body, signal: opts.signal });
  };
  let res = await attempt();
  if (res.status === 401 && !opts.anonymous) {
    // The access token expired under us (a sleeping laptop): renew once and replay.
    if (await refreshSession()) res = await attempt();
  }
  if (!res.ok) throw await parseError(res);
  return res;
}

// ---- typed calls: every path, method, input and response schema comes from the route contracts

type Contract<Id extends RouteId> = RouteContracts[Id];
/** `Nothing extends T`: every key of T is optional. */
type Nothing = Record<never, never>;

type ParamsPart<C extends RouteContract> = [keyof ParamsOf<C>] extends [never]
  ? { params?: undefined }
  : { params: ParamsOf<C> };

type QueryPart<C extends RouteContract> = C extends { query: ZodType }
  ? Nothing extends QueryInputOf<C>
    ? { query?: QueryInputOf<C> }
    : { query: QueryInputOf<C> }
  : { query?: undefined };

type BodyPart<C extends RouteContract> = C extends { body: ZodType }
  ? undefined extends BodyInputOf<C>
    ? { body?: BodyInputOf<C>; rawBody?: undefined }
    : { body: BodyInputOf<C>; rawBody?: undefined }
  : C extends { rawBody: object }
    ? /** Bytes the route reads itself (CSV, an image): sent as they are. */
      { rawBody: BodyInit; body?: undefined }
    : { body?: undefined; rawBody?: undefined };

export type CallOptions<Id extends RouteId> = ParamsPart<Contract<Id>> &
  QueryPart<Contract<Id>> &
  BodyPart<Contract<Id>> & {
    signal?: AbortSignal;
    /** Public routes (the hosted form) never send the token. */
    anonymous?: boolean;
    headers?: Record<string, string>;
  };

/** What a route answers on success: its schema's output (`undefined` for 204 and non-JSON). */
export type CallResult<Id extends RouteId> = ResponseOf<Contract<Id>>;

type CallArgs<Id extends RouteId> =
  Nothing extends CallOptions<Id> ? [opts?: CallOptions<Id>] : [opts: CallOptions<Id>];

type AnyCallOptions = RequestOptions & { params?: Record<string, string> };

function sendRoute(id: RouteId, opts: AnyCallOptions): Promise<Response> {
  const route: RouteContract = routeContracts[id];
  const { params, body, ...rest } = opts;
  const path = buildPath(route.path, params);
  // A POST, PUT or PATCH without a body of its own still sends `{}` as JSON.
  const writes = route.method !== 'GET' && route.method !== 'DELETE';
  const json = body !== undefined ? body : writes && opts.rawBody === undefined ? {} : undefined;
  return send(route.method, path, { ...rest, body: json });
}

/**
 * Calls a route by its id: `call('conversations.get', { params: { id } })`. The response is
 * parsed with the schema the contract declares for the status the server answered (unknown
 * fields are stripped, so a newer server's additions never break a screen); a status the
 * contract does not declare, or a body its schema refuses, is a `bad_response`.
 */
export async function call<Id extends RouteId>(
  id: Id,
  ...args: CallArgs<Id>
): Promise<CallResult<Id>> {
  // Read through `unknown[]`: destructuring the generic tuple makes the checker expand every
  // route's options into one union, which outgrows what it can represent.
  const opts = (args as readonly unknown[])[0] as AnyCallOptions | undefined;
  const res = await sendRoute(id, opts ?? {});
  const route: RouteContract = routeContracts[id];
  const spec: ResponseSpec | undefined = route.responses[res.status];
  if (!spec) {
    console.error(`Unexpected status ${res.status} from ${id}`);
    throw new ApiError(res.status, 'bad_response', `undeclared status ${res.status}`);
  }
  if (res.status === 204 || !spec.schema) return undefined as CallResult<Id>;
  let data: unknown;
  try {
    data = await res.json();
  } catch {
    // The body never arrived whole (the page navigated away while it was read, or the connection
    // dropped): a network failure, not a server that broke its contract.
    throw new ApiError(0, 'network_error', `the response of ${id} could not be read`);
  }
  const parsed = spec.schema.safeParse(data);
  if (!parsed.success) {
    console.error(`Unexpected response from ${id}`, JSON.stringify(parsed.error.issues));
    throw new ApiError(res.status, 'bad_response', parsed.error.message);
  }
  return parsed.data as CallResult<Id>;
}

export const api = { call };

/** Downloads a route's file through the authenticated client (CSV export) and saves it. */
export async function download<Id extends RouteId>(
  id: Id,
  filename: string,
  ...args: CallArgs<Id>
): Promise<void> {
  const opts = (args as readonly unknown[])[0] as AnyCallOptions | undefined;
  const res = await sendRoute(id, opts ?? {});
  const text = await res.text();
  const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

import {
  apiErrorSchema,
  loginResponseSchema,
  type ApiError as ApiErrorBody,
  type LoginResponse,
} from '@switchboard/contracts';
import type { z } from 'zod';
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

async function parseError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const parsed = apiErrorSchema.safeParse(body);
  if (!parsed.success) return new ApiError(res.status, fallbackCode(res.status), text);
  const { code, message, fields, reason, retryAfterSeconds } = parsed.data.error;
  return new ApiError(res.status, isErrorCode(code) ? code : fallbackCode(res.status), message, {
    fields,
    reason,
    retryAfterSeconds: typeof retryAfterSeconds === 'number' ? retryAfterSeconds : undefined,
  });
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

async function sessionCall(path: string, body?: unknown): Promise<Session | null> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (session) headers.authorization = `Bearer ${session.accessToken}`;
  const res = await rawFetch(path, {
    method: 'POST',
    headers,
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw await parseError(res);
  return setSession(sessionResponseSchema.parse(await res.json()));
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
        return await sessionCall('/auth/refresh');
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
  login: (email: string, password: string) => sessionCall('/auth/login', { email, password }),
  switchTenant: (tenantId: string) => sessionCall('/auth/switch-tenant', { tenantId }),
  acceptInvite: (token: string, password: string) =>
    sessionCall('/auth/accept-invite', { token, password }),
  async logout(): Promise<void> {
    // The server must revoke the session and clear the cookie, or a reload would sign back in:
    // an expired access token is renewed once and the logout replayed.
    const call = () => rawFetch('/auth/logout', { method: 'POST', headers: authHeader() });
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

export type RequestOptions<T> = {
  body?: unknown;
  /** Multipart or binary bodies go as they are. */
  rawBody?: BodyInit;
  query?: Record<string, string | number | boolean | undefined | null>;
  schema?: z.ZodType<T>;
  signal?: AbortSignal;
  /** Public routes (the hosted form) never send the token. */
  anonymous?: boolean;
  headers?: Record<string, string>;
};

function withQuery(path: string, query?: RequestOptions<unknown>['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

export async function request<T = unknown>(
  method: string,
  path: string,
  opts: RequestOptions<T> = {},
): Promise<T> {
  const url = withQuery(path, opts.query);
  const send = async () => {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (!opts.anonymous && session) headers.authorization = `Bearer ${session.accessToken}`;
    let body: BodyInit | undefined = opts.rawBody;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    return rawFetch(url, { method, headers, body, signal: opts.signal });
  };
  let res = await send();
  if (res.status === 401 && !opts.anonymous) {
    // The access token expired under us (a sleeping laptop): renew once and replay.
    if (await refreshSession()) res = await send();
  }
  if (!res.ok) throw await parseError(res);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json() : await res.text();
  if (!opts.schema) return data as T;
  const parsed = opts.schema.safeParse(data);
  if (!parsed.success) {
    console.error(`Unexpected response from ${method} ${path}`, parsed.error.issues);
    throw new ApiError(res.status, 'bad_response', parsed.error.message);
  }
  return parsed.data;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions<T>) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions<T>) =>
    request<T>('POST', path, { ...opts, body: opts?.rawBody ? undefined : (body ?? {}) }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions<T>) =>
    request<T>('PATCH', path, { ...opts, body: opts?.rawBody ? undefined : (body ?? {}) }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions<T>) =>
    request<T>('PUT', path, { ...opts, body: opts?.rawBody ? undefined : (body ?? {}) }),
  delete: <T>(path: string, opts?: RequestOptions<T>) => request<T>('DELETE', path, opts),
};

/** Downloads a file through the authenticated client (CSV export) and saves it. */
export async function download(
  path: string,
  filename: string,
  query?: RequestOptions<unknown>['query'],
) {
  const text = await request<string>('GET', path, { query });
  const blob = new Blob([typeof text === 'string' ? text : JSON.stringify(text)], {
    type: 'text/csv;charset=utf-8',
  });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

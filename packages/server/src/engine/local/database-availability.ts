import { AsyncLocalStorage } from 'node:async_hooks';
import type { DbMiddleware } from '../data/dynamo';
import { DatabaseUnavailableError } from '../errors';

// How database calls live through a restart of the sandbox's dynalite child: each call waits for
// the database to be up (at most its scope's `waitMs`), is pointed at the port the database has
// now, and, when the connection breaks under it (the child died mid-request), waits and tries
// again. A call that cannot wait long enough fails with DatabaseUnavailableError: a 503 with
// Retry-After at the edge, a retry-later for a queue consumer. Retrying a write whose answer was
// lost is safe: every write is idempotent (the `lostResponse` fault proves it).

/** What the middleware needs of the supervisor (DynaliteSupervisor; a fake in tests). */
export type DatabaseGate = {
  whenUp(deadline: number): Promise<void>;
  readonly port: number;
  unavailableError(): DatabaseUnavailableError;
};

/** A caller's patience: HTTP requests wait briefly, queue consumers longer. */
export type DatabaseWaitScope = {
  waitMs: number;
  /** Set when a call in this scope gave up: the edge turns the answer into a 503. */
  unavailable?: DatabaseUnavailableError;
};

const scopes = new AsyncLocalStorage<DatabaseWaitScope>();

/** Runs `fn` with database calls waiting up to `waitMs` each for a restarting database. */
export function withDatabaseWait<T>(waitMs: number, fn: (scope: DatabaseWaitScope) => T): T {
  const scope: DatabaseWaitScope = { waitMs };
  return scopes.run(scope, () => fn(scope));
}

const connectionErrorCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** A socket that could not connect or broke mid-request (not an answer from the database). */
export function isConnectionError(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false;
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && connectionErrorCodes.has(code)) return true;
  if (Array.isArray(errors) && errors.some((e) => isConnectionError(e, depth + 1))) return true;
  return cause !== undefined && isConnectionError(cause, depth + 1);
}

type HttpRequestLike = { hostname?: string; port?: number; headers?: Record<string, string> };

// A restart may have moved the database to another port; the request was serialised before it.
function pointAt(args: unknown, port: number): void {
  const request = (args as { request?: HttpRequestLike }).request;
  if (!request || request.port === undefined || request.port === port) return;
  request.port = port;
  if (request.headers && 'host' in request.headers) {
    request.headers.host = `${request.hostname ?? '127.0.0.1'}:${port}`;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The Db middleware (deserialize step, outside the fault injector): waits, re-points and retries
 * as described above. Calls outside any scope wait `defaultWaitMs`.
 */
export function databaseAvailabilityMiddleware(
  gate: DatabaseGate,
  opts: { defaultWaitMs: number },
): DbMiddleware {
  return {
    name: 'switchboardDatabaseAvailability',
    handler: (next) => async (args) => {
      const scope = scopes.getStore();
      const deadline = Date.now() + (scope?.waitMs ?? opts.defaultWaitMs);
      const giveUp = (error: DatabaseUnavailableError) => {
        if (scope) scope.unavailable = error;
        return error;
      };
      for (let attempt = 0; ; attempt++) {
        try {
          await gate.whenUp(deadline);
        } catch (err) {
          throw err instanceof DatabaseUnavailableError ? giveUp(err) : err;
        }
        pointAt(args, gate.port);
        try {
          return await next(args);
        } catch (err) {
          if (!isConnectionError(err)) throw err;
          // The child's exit may not have been seen yet: look again shortly.
          const pause = Math.min(25 * 2 ** attempt, 250);
          if (Date.now() + pause >= deadline) throw giveUp(gate.unavailableError());
          await sleep(pause);
        }
      }
    },
  };
}

import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError } from '../errors';
import {
  databaseAvailabilityMiddleware,
  isConnectionError,
  withDatabaseWait,
  type DatabaseGate,
} from './database-availability';

const errno = (code: string, message = code) => Object.assign(new Error(message), { code });

/** A supervisor stand-in: down until `up()`, on `port`. */
function fakeGate(port = 4000): DatabaseGate & { up(): void; down(): void; port: number } {
  let isUp = true;
  const waiters = new Set<() => void>();
  return {
    port,
    up() {
      isUp = true;
      for (const w of [...waiters]) w();
    },
    down() {
      isUp = false;
    },
    whenUp(deadline) {
      if (isUp) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          if (isUp) resolve();
          else reject(new DatabaseUnavailableError('restarting', 3));
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        waiters.add(done);
      });
    },
    unavailableError: () => new DatabaseUnavailableError('restarting', 3),
  };
}

type Request = { hostname: string; port: number; headers: Record<string, string> };
const sdkArgs = (port: number) => ({
  request: { hostname: '127.0.0.1', port, headers: { host: `127.0.0.1:${port}` } } as Request,
});

describe('isConnectionError', () => {
  it('knows a refused, reset or broken connection, also inside cause and AggregateError', () => {
    // Act / Assess
    expect(isConnectionError(errno('ECONNREFUSED'))).toBe(true);
    expect(isConnectionError(errno('ECONNRESET', 'socket hang up'))).toBe(true);
    expect(isConnectionError(errno('EPIPE'))).toBe(true);
    expect(isConnectionError(new Error('wrapped', { cause: errno('ECONNRESET') }))).toBe(true);
    expect(isConnectionError(new AggregateError([errno('ECONNREFUSED')]))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('x'), { name: 'ValidationException' }))).toBe(
      false,
    );
    expect(isConnectionError(errno('ENOENT'))).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
  });
});

describe('databaseAvailabilityMiddleware', () => {
  it('retries a call whose connection broke once the database is back, on its new port', async () => {
    // Prepare: the first attempt fails as a dying child makes it fail; the database comes back
    // on another port 100 ms later.
    const gate = fakeGate(4000);
    const seen: { port: number; host: string }[] = [];
    const next = async (args: unknown) => {
      const { request } = args as { request: Request };
      seen.push({ port: request.port, host: request.headers.host! });
      if (seen.length === 1) {
        gate.down();
        setTimeout(() => {
          gate.port = 4001;
          gate.up();
        }, 100);
        throw errno('ECONNRESET', 'socket hang up');
      }
      return { output: 'ok' };
    };
    const handler = databaseAvailabilityMiddleware(gate, { defaultWaitMs: 2_000 }).handler(
      next,
      {},
    );

    // Act
    const result = await handler(sdkArgs(4000));

    // Assess
    expect(result).toEqual({ output: 'ok' });
    expect(seen).toEqual([
      { port: 4000, host: '127.0.0.1:4000' },
      { port: 4001, host: '127.0.0.1:4001' },
    ]);
  });

  it('passes any other error through untouched, without retrying', async () => {
    // Prepare
    const gate = fakeGate();
    let calls = 0;
    const failure = Object.assign(new Error('bad key'), { name: 'ValidationException' });
    const handler = databaseAvailabilityMiddleware(gate, { defaultWaitMs: 1_000 }).handler(
      async () => {
        calls++;
        throw failure;
      },
      {},
    );

    // Act / Assess
    await expect(handler(sdkArgs(4000))).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it("gives up after the scope's wait with DatabaseUnavailableError, and marks the scope", async () => {
    // Prepare: a database that stays down.
    const gate = fakeGate();
    gate.down();
    let calls = 0;
    const handler = databaseAvailabilityMiddleware(gate, { defaultWaitMs: 60_000 }).handler(
      async () => {
        calls++;
        return {};
      },
      {},
    );

    // Act
    const started = Date.now();
    const outcome = await withDatabaseWait(150, async (scope) => {
      const error = await handler(sdkArgs(4000)).catch((e: unknown) => e);
      return { error, scope };
    });

    // Assess: the scope's 150 ms applied (not the default minute), no call went out.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome.error).toBeInstanceOf(DatabaseUnavailableError);
    expect((outcome.error as DatabaseUnavailableError).retryAfterSeconds).toBe(3);
    expect(outcome.scope.unavailable).toBe(outcome.error);
    expect(calls).toBe(0);
  });

  it('gives up on a database that is up but keeps refusing connections', async () => {
    // Prepare
    const gate = fakeGate();
    let calls = 0;
    const handler = databaseAvailabilityMiddleware(gate, { defaultWaitMs: 300 }).handler(
      async () => {
        calls++;
        throw errno('ECONNREFUSED');
      },
      {},
    );

    // Act / Assess
    await expect(handler(sdkArgs(4000))).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(10);
  });
});

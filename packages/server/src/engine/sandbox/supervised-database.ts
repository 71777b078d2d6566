import { Db, type DbMiddleware } from '../data/dynamo';
import type { Logger } from '../log';
import { databaseAvailabilityMiddleware, withDatabaseWait } from '../local/database-availability';
import {
  DynaliteSupervisor,
  type DatabaseGaveUpError,
  type DatabaseState,
} from '../local/dynalite-supervisor';
import type { SqsBatchHandler } from '../ports/queue';
import { table } from '../topology';

// The sandbox's database: dynalite in a supervised child process (local/dynalite-supervisor.ts),
// the Db client that waits through its restarts (local/database-availability.ts), and the two
// places that decide how long to wait: an HTTP request briefly, then a 503 with Retry-After; a
// queue consumer longer, then a retry-later of its record.

export type SandboxDatabaseOptions = {
  /** Restarts allowed within `windowMs` before the sandbox stops. Default 5 in 60 s. */
  maxRestarts?: number;
  windowMs?: number;
  /** Wait before a restart, doubled per death in the window. Default 100 ms up to 5 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** How long a request's database call waits for a restart before the 503. Default 2 s. */
  requestWaitMs?: number;
  /**
   * How long a queue consumer's database call waits. Default 30 s: below the shortest visibility
   * timeout (60 s), so a waiting record is not received twice.
   */
  consumerWaitMs?: number;
};

/** What the sandbox shows of its database process (tests kill it by pid). */
export type DatabaseProcess = {
  readonly pid: number | undefined;
  readonly port: number;
  readonly state: DatabaseState;
  readonly restarts: number;
};

export type SupervisedDatabase = {
  db: Db;
  process: DatabaseProcess;
  /** The HTTP app's fetch, answering 503 + Retry-After when a request's database call gave up. */
  serve<A extends unknown[]>(
    fetch: (request: Request, ...rest: A) => Response | Promise<Response>,
  ): (request: Request, ...rest: A) => Promise<Response>;
  /** A queue consumer whose database calls wait `consumerWaitMs` for a restart. */
  consumer(handler: SqsBatchHandler): SqsBatchHandler;
  /** Who to tell when the supervisor gives up (one listener; the sandbox's fail-stop). */
  onGiveUp(listener: (error: DatabaseGaveUpError) => void): void;
  stop(): Promise<void>;
};

export async function startSupervisedDatabase(opts: {
  path: string;
  log: Logger;
  database?: SandboxDatabaseOptions;
  /** More middleware after the availability one (fault injection). */
  middleware?: DbMiddleware[];
  sdkMaxAttempts?: number;
}): Promise<SupervisedDatabase> {
  const requestWaitMs = opts.database?.requestWaitMs ?? 2_000;
  const consumerWaitMs = opts.database?.consumerWaitMs ?? 30_000;
  let giveUpListener: ((error: DatabaseGaveUpError) => void) | undefined;
  let gaveUp: DatabaseGaveUpError | undefined;
  const supervisor = await DynaliteSupervisor.start({
    path: opts.path,
    log: opts.log,
    maxRestarts: opts.database?.maxRestarts,
    windowMs: opts.database?.windowMs,
    backoff: opts.database?.backoff,
    onGiveUp: (error) => {
      gaveUp = error;
      giveUpListener?.(error);
    },
  });
  // One Db for platform and tenant data alike: dynalite has no IAM, so there is no tenant-scoped
  // session to assume (deployed, aws/deps.ts gives each tenant its own `tenantDb`).
  const db = Db.connect({
    endpoint: supervisor.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    tableName: table.logicalName,
    maxAttempts: opts.sdkMaxAttempts ?? 5,
    middleware: [
      databaseAvailabilityMiddleware(supervisor, { defaultWaitMs: requestWaitMs }),
      ...(opts.middleware ?? []),
    ],
  });
  return {
    db,
    process: supervisor,
    serve:
      (fetch) =>
      (request, ...rest) =>
        withDatabaseWait(requestWaitMs, async () => fetch(request, ...rest)),
    consumer: (handler) => (event, context) =>
      withDatabaseWait(consumerWaitMs, () => handler(event, context)),
    onGiveUp(listener) {
      giveUpListener = listener;
      if (gaveUp) listener(gaveUp);
    },
    async stop() {
      db.destroy();
      await supervisor.stop();
    },
  };
}

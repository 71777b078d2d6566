import { Db, type DbMiddleware, type Key } from '../data/dynamo';
import { DatabaseUnavailableError } from '../errors';
import type { Logger } from '../log';
import {
  databaseAvailabilityMiddleware,
  withDatabaseWait,
  type DatabaseGate,
} from '../local/database-availability';
import {
  DynaliteSupervisor,
  type DatabaseGaveUpError,
  type DatabaseState,
} from '../local/dynalite-supervisor';
import { DynamoDbStreamsSource } from '../local/dynamodb-streams-source';
import type { LocalQueue } from '../local/local-queue';
import type { SqsBatchHandler } from '../ports/queue';
import { table } from '../topology';

// The sandbox's database: dynalite in a supervised child process (local/dynalite-supervisor.ts),
// or another DynamoDB API engine at `DYNAMODB_ENDPOINT` (DynamoDB Local, a real table) that the
// sandbox did not start and so does not restart; the Db client that waits through an outage of
// either (local/database-availability.ts), and the two places that decide how long to wait: an
// HTTP request briefly, then a 503 with Retry-After; a queue consumer longer, then a retry-later
// of its record.

type AwsCredentialIdentity = {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
};

/** Another engine than the sandbox's own dynalite (`DYNAMODB_ENDPOINT` and friends). */
export type DynamoDbEndpoint = {
  endpoint: string;
  /** Default `local`. */
  region?: string;
  /** Default `SocialCRMTable`; created with its indexes when absent. */
  tableName?: string;
  /** Default: `local`/`local` on a loopback endpoint, else the SDK's usual chain (AWS env, profile…). */
  credentials?: AwsCredentialIdentity;
};

/** Which engine the sandbox runs on, for its banner and its tests. */
export type DatabaseEngine =
  | { kind: 'dynalite'; endpoint: string; tableName: string }
  | { kind: 'endpoint'; endpoint: string; region: string; tableName: string };

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

/** What the sandbox shows of its database process (tests kill it by pid; none on an endpoint). */
export type DatabaseProcess = {
  readonly pid: number | undefined;
  readonly port: number;
  readonly state: DatabaseState;
  readonly restarts: number;
  readonly engine: DatabaseEngine;
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
  /**
   * The engine's own change stream (DynamoDB Streams) as the sandbox's source; undefined on
   * dynalite, which has none (the sandbox's change feed stands in). An engine whose table has no
   * stream cannot carry the domain events that leave through it: that is an error at start.
   */
  changeStream(opts: {
    streamArn: string | undefined;
    checkpointFile: string;
    watch: (key: Key) => boolean;
    deadLetters: Pick<LocalQueue, 'sendBatch'>;
  }): DynamoDbStreamsSource | undefined;
  /** Who to tell when the supervisor gives up (one listener; the sandbox's fail-stop). */
  onGiveUp(listener: (error: DatabaseGaveUpError) => void): void;
  stop(): Promise<void>;
};

export async function startSupervisedDatabase(opts: {
  /** dynalite's LevelDB directory (ignored with `endpoint`). */
  path: string;
  log: Logger;
  /** Run on this engine instead of dynalite. */
  endpoint?: DynamoDbEndpoint;
  database?: SandboxDatabaseOptions;
  /** More middleware after the availability one (fault injection). */
  middleware?: DbMiddleware[];
  sdkMaxAttempts?: number;
}): Promise<SupervisedDatabase> {
  const requestWaitMs = opts.database?.requestWaitMs ?? 2_000;
  const consumerWaitMs = opts.database?.consumerWaitMs ?? 30_000;
  let giveUpListener: ((error: DatabaseGaveUpError) => void) | undefined;
  let gaveUp: DatabaseGaveUpError | undefined;
  const tableName = opts.endpoint?.tableName ?? table.logicalName;
  let gate: DatabaseGate;
  let shown: DatabaseProcess;
  let stopEngine: () => Promise<void>;
  let client: { endpoint: string; region: string; credentials?: AwsCredentialIdentity };
  if (opts.endpoint) {
    const remote = new EndpointGate(opts.endpoint.endpoint);
    const region = opts.endpoint.region ?? 'local';
    client = {
      endpoint: opts.endpoint.endpoint,
      region,
      credentials: opts.endpoint.credentials ?? defaultCredentials(opts.endpoint.endpoint),
    };
    const engine: DatabaseEngine = {
      kind: 'endpoint',
      endpoint: opts.endpoint.endpoint,
      region,
      tableName,
    };
    gate = remote;
    shown = { pid: undefined, port: remote.port, state: 'up', restarts: 0, engine };
    stopEngine = async () => {};
  } else {
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
    // dynalite has no IAM, so any credentials do.
    client = {
      endpoint: supervisor.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    gate = supervisor;
    shown = {
      get pid() {
        return supervisor.pid;
      },
      get port() {
        return supervisor.port;
      },
      get state() {
        return supervisor.state;
      },
      get restarts() {
        return supervisor.restarts;
      },
      get engine(): DatabaseEngine {
        return { kind: 'dynalite', endpoint: supervisor.endpoint, tableName };
      },
    };
    stopEngine = () => supervisor.stop();
  }
  // One Db for platform and tenant data alike: no tenant-scoped session to assume here
  // (deployed, aws/deps.ts gives each tenant its own `tenantDb`).
  const db = Db.connect({
    ...client,
    tableName,
    maxAttempts: opts.sdkMaxAttempts ?? 5,
    middleware: [
      databaseAvailabilityMiddleware(gate, { defaultWaitMs: requestWaitMs }),
      ...(opts.middleware ?? []),
    ],
  });
  return {
    db,
    process: shown,
    serve:
      (fetch) =>
      (request, ...rest) =>
        withDatabaseWait(requestWaitMs, async () => fetch(request, ...rest)),
    consumer: (handler) => (event, context) =>
      withDatabaseWait(consumerWaitMs, () => handler(event, context)),
    changeStream(stream) {
      if (!opts.endpoint) return undefined;
      if (!stream.streamArn) {
        throw new Error(
          `The table ${tableName} at ${client.endpoint} has no stream with ${table.stream}: ` +
            'lead and conversation events leave through it. Enable it (aws dynamodb update-table' +
            ` --table-name ${tableName} --stream-specification` +
            ` StreamEnabled=true,StreamViewType=${table.stream}) or name another DYNAMODB_TABLE.`,
        );
      }
      return new DynamoDbStreamsSource({
        ...stream,
        streamArn: stream.streamArn,
        endpoint: client.endpoint,
        region: client.region,
        credentials: client.credentials,
        log: opts.log,
      });
    },
    onGiveUp(listener) {
      giveUpListener = listener;
      if (gaveUp) listener(gaveUp);
    },
    async stop() {
      db.destroy();
      await stopEngine();
    },
  };
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** `local`/`local` on a loopback engine without AWS credentials in the environment. */
function defaultCredentials(endpoint: string): AwsCredentialIdentity | undefined {
  if (process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE) return undefined;
  const host = new URL(endpoint).hostname;
  return loopbackHosts.has(host) ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
}

/**
 * An engine the sandbox did not start: nothing to wait for or restart, so every call goes out at
 * once; a call that cannot connect is retried by the availability middleware until its scope's
 * wait is over, then answered 503 + Retry-After (a queue record: retried later), never a 500.
 */
class EndpointGate implements DatabaseGate {
  readonly port: number;
  constructor(private readonly endpoint: string) {
    const url = new URL(endpoint);
    this.port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  }
  async whenUp(): Promise<void> {}
  unavailableError(): DatabaseUnavailableError {
    return new DatabaseUnavailableError(
      `The DynamoDB engine at ${this.endpoint} is not reachable.`,
      2,
    );
  }
}

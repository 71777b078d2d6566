import type { DbMiddleware } from '../data/dynamo';

// Fault injection for the sandbox's DynamoDB client, used by the fault tests and benchmarks.
// The injector is a middleware in the SDK client's `deserialize` step, which runs inside the SDK's
// retry loop: an injected error is classified and retried by the SDK exactly as the real one would
// be, and whatever the (reduced) retries do not absorb reaches the message processor, whose records
// then come back through the queue. Nothing here runs unless a sandbox is started with it.

/**
 * - `throughput`: ProvisionedThroughputExceededException (400, throttling)
 * - `throttling`: ThrottlingException (400, throttling)
 * - `internal`: InternalServerError (500)
 * - `timeout`: the request never leaves (a socket timeout before the write)
 * - `lostResponse`: the request is applied by DynamoDB, then the response is lost (a timeout after
 *   the write) — the case that proves every write is idempotent
 */
export type DynamoFaultKind = 'throughput' | 'throttling' | 'internal' | 'timeout' | 'lostResponse';

export const allDynamoFaultKinds: readonly DynamoFaultKind[] = [
  'throughput',
  'throttling',
  'internal',
  'timeout',
  'lostResponse',
];

export type DynamoFaultOptions = {
  /** Share of calls that fail, 0..1. Changeable at run time through `rate`. */
  rate: number;
  kinds?: readonly DynamoFaultKind[];
  /** Seed of the injector's own PRNG, so a failing run can be replayed. */
  seed?: number;
  /** Attempts the SDK makes per call (its own retries) while faults are on; default 2. */
  sdkMaxAttempts?: number;
  /** Only these commands fail (e.g. `PutItemCommand`); default all. */
  commands?: readonly string[];
};

/** An error shaped like the SDK's service exceptions, so its retry strategy classifies it as real. */
export class InjectedDynamoFault extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode?: number; attempts?: number };
  readonly injected = true;
  constructor(
    readonly kind: DynamoFaultKind,
    name: string,
    status: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = name;
    this.$fault = status !== undefined && status < 500 ? 'client' : 'server';
    this.$metadata = status !== undefined ? { httpStatusCode: status } : {};
  }
}

function faultOf(kind: DynamoFaultKind, command: string): InjectedDynamoFault {
  switch (kind) {
    case 'throughput':
      return new InjectedDynamoFault(
        kind,
        'ProvisionedThroughputExceededException',
        400,
        `injected: throughput exceeded on ${command}`,
      );
    case 'throttling':
      return new InjectedDynamoFault(
        kind,
        'ThrottlingException',
        400,
        `injected: throttled ${command}`,
      );
    case 'internal':
      return new InjectedDynamoFault(
        kind,
        'InternalServerError',
        500,
        `injected: internal error on ${command}`,
      );
    case 'timeout':
    case 'lostResponse':
      // The name the SDK gives a socket timeout; it is retried as a transient error.
      return new InjectedDynamoFault(
        kind,
        'TimeoutError',
        undefined,
        `injected: ${kind === 'timeout' ? 'request' : 'response'} timed out on ${command}`,
      );
  }
}

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class DynamoFaultInjector {
  /** Share of calls that fail; set to 0 to stop injecting (e.g. before the test's own reads). */
  rate: number;
  readonly kinds: readonly DynamoFaultKind[];
  readonly sdkMaxAttempts: number;
  readonly commands: ReadonlySet<string> | undefined;
  /** Attempts seen (each SDK retry counts) and faults injected, per kind. */
  readonly stats = {
    attempts: 0,
    injected: 0,
    byKind: Object.fromEntries(allDynamoFaultKinds.map((k) => [k, 0])) as Record<
      DynamoFaultKind,
      number
    >,
  };
  private readonly random: () => number;

  constructor(opts: DynamoFaultOptions) {
    if (!(opts.rate >= 0 && opts.rate <= 1)) throw new RangeError('rate must be within 0..1');
    this.rate = opts.rate;
    this.kinds = opts.kinds?.length ? opts.kinds : allDynamoFaultKinds;
    this.sdkMaxAttempts = opts.sdkMaxAttempts ?? 2;
    this.commands = opts.commands ? new Set(opts.commands) : undefined;
    this.random = prng(opts.seed ?? 0x5eed);
  }

  /** The middleware to give `Db.connect`. */
  get middleware(): DbMiddleware {
    return {
      name: 'switchboardFaultInjection',
      handler: (next, context) => async (args) => {
        const command = context.commandName ?? 'command';
        this.stats.attempts++;
        const kind = this.pick(command);
        if (kind === undefined) return next(args);
        this.stats.injected++;
        this.stats.byKind[kind]++;
        if (kind === 'lostResponse') {
          await next(args); // applied by the table...
          throw faultOf(kind, command); // ...but the caller never hears of it
        }
        throw faultOf(kind, command);
      },
    };
  }

  private pick(command: string): DynamoFaultKind | undefined {
    if (this.rate <= 0 || (this.commands && !this.commands.has(command))) return undefined;
    if (this.random() >= this.rate) return undefined;
    return this.kinds[Math.floor(this.random() * this.kinds.length)];
  }
}

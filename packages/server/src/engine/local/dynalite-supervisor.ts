import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DatabaseUnavailableError } from '../errors';
import type { Logger } from '../log';

// The sandbox's database is dynalite in a child process (dynalite-child.mjs). Nothing else watches
// that process, so this does: when it dies, it is started again on the same data (and, when it is
// free, the same port), after a backoff that doubles with each death in the window; past
// `maxRestarts` deaths in `windowMs` the supervisor gives up and says so, and the sandbox stops
// rather than answer every later request with an error. Callers wait for it with `whenUp`.

export type DatabaseState = 'up' | 'restarting' | 'failed' | 'stopped';

export type DynaliteSupervisorOptions = {
  /** The LevelDB directory; every restart opens the same one. */
  path: string;
  log: Logger;
  /** Restarts allowed within `windowMs`; the next death gives up. Default 5 in 60 s. */
  maxRestarts?: number;
  windowMs?: number;
  /** Wait before a restart: `initialMs`, doubled per death in the window, at most `maxMs`. */
  backoff?: { initialMs: number; maxMs: number };
  /** How long a start may take to print its port. Default 20 s. */
  startTimeoutMs?: number;
  /** Called once, when the supervisor gives up (the sandbox stops: see sandbox.ts). */
  onGiveUp?: (error: DatabaseGaveUpError) => void;
};

/** What the supervisor says when it stops restarting the database: what happened, what to do. */
export class DatabaseGaveUpError extends Error {
  override readonly name = 'DatabaseGaveUpError';
  constructor(
    readonly path: string,
    readonly deaths: number,
    readonly windowMs: number,
    readonly lastDeath: string,
    readonly lastOutput: string,
  ) {
    super(
      `The sandbox's database (dynalite, data in ${path}) died ${deaths} times within ` +
        `${Math.round(windowMs / 1000)} s and is not restarted again (last: ${lastDeath}).` +
        (lastOutput ? ` Its last output: ${lastOutput}` : '') +
        ' The sandbox stops instead of failing every request. Nothing acknowledged is lost:' +
        ' webhooks answered 200 wait in the queue journal and are processed on the next start.' +
        ' Start it again with `npm start`; if the database keeps dying, the request or queue' +
        ' record it was handling is the likely cause (the logs before this line,' +
        ' `npm run dlq -- list`).',
    );
  }
}

const childScript = fileURLToPath(new URL('./dynalite-child.mjs', import.meta.url));
const outputTail = 2_000;

type Started = { child: ChildProcess; port: number; output: () => string };

/** Spawns a child on `path` asking for `port` (0: any); resolves once it prints the port it got. */
function spawnDynalite(path: string, port: number, timeoutMs: number): Promise<Started> {
  const child = spawn(process.execPath, [childScript, path, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-outputTail);
  };
  return new Promise<Started>((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dynalite did not listen within ${timeoutMs} ms: ${output.trim()}`));
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(
        new Error(`dynalite ${describeExit(code, signal)} before listening: ${output.trim()}`),
      );
    };
    let seen = '';
    const onPort = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /PORT (\d+)/.exec(seen);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.off('data', onPort);
      resolveStart({ child, port: Number(match[1]), output: () => output.trim() });
    };
    child.stdout.on('data', onPort);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('exit', onExit);
    // A parent that dies closes the child's stdin; the child then exits (see dynalite-child.mjs).
    child.stdin.on('error', () => {});
  });
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

export class DynaliteSupervisor {
  private readonly maxRestarts: number;
  private readonly windowMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly startTimeoutMs: number;
  private current: Started | undefined;
  private currentState: DatabaseState = 'up';
  private currentPort: number;
  /** When the child died, for each death still inside the window. */
  private deaths: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private nextStartAt = 0;
  private downSince = 0;
  private lastStartMs = 0;
  private failure: DatabaseGaveUpError | undefined;
  private readonly waiters = new Set<() => void>();
  /** Completed restarts since the first start. */
  restarts = 0;

  private constructor(
    private readonly opts: DynaliteSupervisorOptions,
    first: Started,
    startMs: number,
  ) {
    this.maxRestarts = opts.maxRestarts ?? 5;
    this.windowMs = opts.windowMs ?? 60_000;
    this.backoff = opts.backoff ?? { initialMs: 100, maxMs: 5_000 };
    this.startTimeoutMs = opts.startTimeoutMs ?? 20_000;
    this.currentPort = first.port;
    this.lastStartMs = startMs;
    this.attach(first);
  }

  /** Starts the first child; a first start that fails throws (nothing to fall back on). */
  static async start(opts: DynaliteSupervisorOptions): Promise<DynaliteSupervisor> {
    await mkdir(opts.path, { recursive: true });
    const t0 = Date.now();
    const first = await spawnDynalite(opts.path, 0, opts.startTimeoutMs ?? 20_000);
    return new DynaliteSupervisor(opts, first, Date.now() - t0);
  }

  get state(): DatabaseState {
    return this.currentState;
  }

  /** The port the database listens on now (a restart keeps it unless it was taken meanwhile). */
  get port(): number {
    return this.currentPort;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.currentPort}`;
  }

  /** The running child's pid; undefined while it is restarting. */
  get pid(): number | undefined {
    return this.current?.child.pid;
  }

  /**
   * Resolves when the database is up (at once if it is); rejects with DatabaseUnavailableError at
   * `deadline` (epoch ms) while it is still restarting, or at once when it failed or was stopped.
   */
  whenUp(deadline: number): Promise<void> {
    if (this.currentState === 'up') return Promise.resolve();
    if (this.currentState !== 'restarting' || Date.now() >= deadline) {
      return Promise.reject(this.unavailableError());
    }
    return new Promise<void>((resolveUp, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        if (this.currentState === 'up') resolveUp();
        else reject(this.unavailableError());
      };
      const timer = setTimeout(done, deadline - Date.now());
      this.waiters.add(done);
    });
  }

  /** The error a caller that cannot wait any longer gets, with a Retry-After for its caller. */
  unavailableError(): DatabaseUnavailableError {
    if (this.currentState === 'failed' || this.currentState === 'stopped') {
      return new DatabaseUnavailableError(
        this.failure
          ? 'The database could not be kept running; the sandbox is stopping.'
          : 'The database has been stopped.',
        30,
      );
    }
    const downFor = Math.round((Date.now() - this.downSince) / 100) / 10;
    return new DatabaseUnavailableError(
      this.currentState === 'restarting'
        ? `The database is restarting (down for ${downFor} s); retry shortly.`
        : 'The database did not answer; retry shortly.',
      this.retryAfterSeconds(),
    );
  }

  /** Whole seconds until the database should be back: the rest of the backoff plus one start. */
  retryAfterSeconds(): number {
    const remaining = Math.max(0, this.nextStartAt - Date.now());
    return Math.max(1, Math.ceil((remaining + this.lastStartMs) / 1000));
  }

  /** Ends the child (stdin closed, SIGKILL after 5 s) and any pending restart; `failed` stays. */
  async stop(): Promise<void> {
    if (this.currentState === 'stopped') return;
    if (this.currentState !== 'failed') this.currentState = 'stopped';
    clearTimeout(this.restartTimer);
    this.wake();
    const current = this.current;
    this.current = undefined;
    if (current) await endChild(current.child);
  }

  private attach(started: Started): void {
    this.current = started;
    started.child.once('exit', (code, signal) => {
      if (this.current !== started) return;
      this.current = undefined;
      if (this.currentState === 'stopped') return;
      this.died(`${describeExit(code, signal)}`, started.output());
    });
  }

  private died(how: string, output: string): void {
    const now = Date.now();
    if (this.currentState === 'up') this.downSince = now;
    this.deaths = this.deaths.filter((at) => now - at < this.windowMs);
    this.deaths.push(now);
    if (this.deaths.length > this.maxRestarts) {
      this.giveUp(how, output);
      return;
    }
    this.currentState = 'restarting';
    const delay = Math.min(
      this.backoff.maxMs,
      this.backoff.initialMs * 2 ** (this.deaths.length - 1),
    );
    this.nextStartAt = now + delay;
    this.opts.log.error('database process died; restarting it', {
      path: this.opts.path,
      how,
      restartInMs: delay,
      deathsInWindow: this.deaths.length,
      maxRestarts: this.maxRestarts,
      output: output.slice(-500),
    });
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    const t0 = Date.now();
    let started: Started;
    try {
      started = await spawnDynalite(this.opts.path, this.currentPort, this.startTimeoutMs);
    } catch (err) {
      if (this.currentState === 'stopped') return;
      this.died(`did not restart: ${(err as Error).message}`, '');
      return;
    }
    if (this.currentState === 'stopped') {
      await endChild(started.child);
      return;
    }
    this.lastStartMs = Date.now() - t0;
    if (started.port !== this.currentPort) {
      this.opts.log.warn('database restarted on another port', {
        from: this.currentPort,
        to: started.port,
      });
    }
    this.currentPort = started.port;
    this.attach(started);
    this.currentState = 'up';
    this.restarts++;
    this.opts.log.warn('database restarted', {
      pid: started.child.pid,
      port: started.port,
      downMs: Date.now() - this.downSince,
      restarts: this.restarts,
    });
    this.wake();
  }

  private giveUp(how: string, output: string): void {
    this.currentState = 'failed';
    this.failure = new DatabaseGaveUpError(
      this.opts.path,
      this.deaths.length,
      this.windowMs,
      how,
      output.slice(-500),
    );
    this.opts.log.error('database process keeps dying; giving up', {
      path: this.opts.path,
      error: this.failure.message,
    });
    this.wake();
    this.opts.onGiveUp?.(this.failure);
  }

  private wake(): void {
    for (const done of [...this.waiters]) done();
  }
}

function endChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolveEnd) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveEnd();
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveEnd();
    });
    child.stdin?.end();
  });
}

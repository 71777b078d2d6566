import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QueueLockedError } from './queue-errors';
import {
  acquireLock,
  holderAlive,
  lockContent,
  parseLockContent,
  parseProcStat,
  releaseLock,
} from './queue-lock';

const linux = process.platform === 'linux';
const dirs: string[] = [];
const held: string[] = [];
const children: ChildProcess[] = [];

function lockPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'queue-lock-'));
  dirs.push(dir);
  return join(dir, 'main.lock');
}

afterEach(async () => {
  for (const path of held.splice(0)) await releaseLock(path);
  for (const child of children.splice(0)) {
    child.stdin?.end();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A process that stays alive until the test ends. */
async function liveProcess(): Promise<ChildProcess> {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => child.once('spawn', r));
  return child;
}

/**
 * A real zombie: `sh` starts a background child that outlives it by a moment, then execs into a
 * `sleep` that never waits for children. When the background child exits, its parent is that
 * `sleep`, so nothing reaps it until the test ends. (An earlier version relied on `sh` not
 * reaping while blocked in `read`; some shells do, and CI saw the pid vanish.)
 * Resolves the zombie's pid once /proc shows it as `Z`.
 */
async function zombie(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 60'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(parent);
  const pid = await new Promise<number>((resolve) =>
    parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
  );
  for (let i = 0; i < 300; i++) {
    let state: string | undefined;
    try {
      state = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state;
    } catch {
      throw new Error(`pid ${pid} was reaped before it could be seen as a zombie`);
    }
    if (state === 'Z') return pid;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`pid ${pid} never became a zombie`);
}

describe('parseProcStat', () => {
  it('reads the state and start time, whatever the command name holds', () => {
    // Prepare: real lines, one with a name full of spaces and parentheses.
    const plain =
      '16415 (sh) Z 16414 16410 11088 0 -1 4227148 23 0 0 0 0 0 0 0 20 0 1 0 852969 0 0 18446744073709551615 0 0';
    const odd =
      '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 12 3 0 0 20 0 11 0 123456789 1000 50';

    // Act / Assess
    expect(parseProcStat(plain)).toEqual({ state: 'Z', startTime: '852969' });
    expect(parseProcStat(odd)).toEqual({ state: 'S', startTime: '123456789' });
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parseProcStat('1 (init) S 0 1')).toBeUndefined();
  });
});

describe('lock content', () => {
  it('is `<pid> <start time>` on Linux, and the older `<pid>` form still parses', () => {
    // Act
    const mine = parseLockContent(lockContent());

    // Assess
    expect(mine?.pid).toBe(process.pid);
    if (linux) expect(mine?.startTime).toMatch(/^\d+$/);
    expect(parseLockContent('1234\n')).toEqual({ pid: 1234 });
    expect(parseLockContent('')).toBeUndefined();
    expect(parseLockContent('-3')).toBeUndefined();
  });
});

describe('acquireLock', () => {
  it('refuses a lock whose holder is running', async () => {
    // Prepare: a live process's lock, with its real start time.
    const path = lockPath();
    const child = await liveProcess();
    const start = linux
      ? parseProcStat(readFileSync(`/proc/${child.pid}/stat`, 'utf8'))!.startTime
      : undefined;
    writeFileSync(path, start ? `${child.pid} ${start}` : String(child.pid));

    // Act / Assess
    await expect(acquireLock(path, 'main')).rejects.toBeInstanceOf(QueueLockedError);
  });

  it('takes over the lock of a process that is gone', async () => {
    // Prepare: a process that ran and was reaped.
    const path = lockPath();
    const child = spawn('true');
    await new Promise((r) => child.once('exit', r));
    writeFileSync(path, String(child.pid));

    // Act
    await acquireLock(path, 'main');
    held.push(path);

    // Assess
    expect(parseLockContent(readFileSync(path, 'utf8'))?.pid).toBe(process.pid);
  });

  it.runIf(linux)(
    'takes over the lock of a killed holder the system has not reaped yet (a zombie)',
    async () => {
      // Prepare: the lock of a zombie, which `kill(pid, 0)` still reports as alive.
      const path = lockPath();
      const pid = await zombie();
      writeFileSync(path, String(pid));
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(holderAlive({ pid })).toBe(false);

      // Act
      await acquireLock(path, 'main');
      held.push(path);

      // Assess
      expect(parseLockContent(readFileSync(path, 'utf8'))?.pid).toBe(process.pid);
    },
  );

  it.runIf(linux)('takes over a lock whose pid now belongs to another process', async () => {
    // Prepare: a live pid, but the lock says it started at another time (the pid was reused).
    const path = lockPath();
    const child = await liveProcess();
    writeFileSync(path, `${child.pid} 1`);

    // Act
    await acquireLock(path, 'main');
    held.push(path);

    // Assess
    expect(parseLockContent(readFileSync(path, 'utf8'))?.pid).toBe(process.pid);
  });

  it('refuses a second open in the same process, even while the first is still taking it', async () => {
    // Prepare
    const path = lockPath();

    // Act
    const results = await Promise.allSettled([
      acquireLock(path, 'main'),
      acquireLock(path, 'main'),
    ]);
    held.push(path);

    // Assess
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('treats an empty lock as being written, unless it is old', async () => {
    // Prepare: an empty lock file from a crash between creating and writing it, long ago.
    const path = lockPath();
    writeFileSync(path, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);

    // Act
    await acquireLock(path, 'main');
    held.push(path);

    // Assess
    expect(parseLockContent(readFileSync(path, 'utf8'))?.pid).toBe(process.pid);
  });
});

// Lock: one open LocalQueue per journal, across and within processes.
//
// The lock file holds `<pid> <start>`: the holder's pid and, on Linux, its start time (field 22
// of /proc/<pid>/stat, clock ticks since boot). A lock is stale when its holder is gone: no such
// process, a zombie (killed but not reaped yet: `kill(pid, 0)` still succeeds on one, which is
// why it is not enough), or a pid now used by another process (its start time differs). Where
// /proc cannot be read, `kill(pid, 0)` is the check. A lock of the older `<pid>` form is judged
// on the pid alone.
import { readFileSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { isErrno, writeNewFile } from './durable-fs';
import { QueueLockedError } from './queue-errors';

const openLocks = new Set<string>();

export type ProcStat = { state: string; startTime: string };

/**
 * The state (R, S, D, Z, X, …) and start time of a /proc/<pid>/stat line. The command name, in
 * parentheses, may itself hold spaces and parentheses: fields are counted after the last `)`.
 */
export function parseProcStat(line: string): ProcStat | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  // After the name: state is field 3, starttime field 22, so index 0 and 19 of the rest.
  const rest = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = rest[0];
  const startTime = rest[19];
  if (!state || !startTime || !/^\d+$/.test(startTime)) return undefined;
  return { state, startTime };
}

/** /proc/<pid>/stat: undefined when there is no such process, 'unknown' when it cannot be read. */
function procStat(pid: number): ProcStat | undefined | 'unknown' {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) ?? 'unknown';
  } catch (err) {
    return isErrno(err, 'ENOENT') || isErrno(err, 'ESRCH') ? undefined : 'unknown';
  }
}

const hasProc = (() => {
  try {
    return process.platform === 'linux' && parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return undefined;
  }
})();

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

/** What this process writes into a lock it takes. */
export function lockContent(): string {
  return hasProc ? `${process.pid} ${hasProc.startTime}` : String(process.pid);
}

export type LockHolder = { pid: number; startTime?: string };

export function parseLockContent(text: string): LockHolder | undefined {
  const [pid, startTime] = text.trim().split(/\s+/);
  const n = Number(pid);
  if (!Number.isSafeInteger(n) || n <= 0) return undefined;
  return startTime && /^\d+$/.test(startTime) ? { pid: n, startTime } : { pid: n };
}

/** Is the process that wrote this lock still running? */
export function holderAlive(holder: LockHolder): boolean {
  if (hasProc) {
    const stat = procStat(holder.pid);
    if (stat === undefined) return false;
    if (stat !== 'unknown') {
      if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return false;
      return holder.startTime === undefined || holder.startTime === stat.startTime;
    }
  }
  return signalable(holder.pid);
}

const unwrittenLockMs = 2_000;

async function youngerThan(path: string, ms: number): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs < ms;
}

// A lock left by a SIGKILLed process (gone, a zombie, a reused pid, or our own pid after a
// container restart) is stale.
export async function acquireLock(lockPath: string, queue: string): Promise<void> {
  if (openLocks.has(lockPath)) throw new QueueLockedError(queue, 'in this process');
  // Claimed before the first await, so a second open in this process cannot race the first.
  openLocks.add(lockPath);
  try {
    await takeLockFile(lockPath, queue);
  } catch (err) {
    openLocks.delete(lockPath);
    throw err;
  }
}

async function takeLockFile(lockPath: string, queue: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await writeNewFile(lockPath, lockContent());
      return;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    const holder = parseLockContent(await readFile(lockPath, 'utf8').catch(() => ''));
    if (holder && holder.pid !== process.pid && holderAlive(holder)) {
      throw new QueueLockedError(queue, `by pid ${holder.pid}`);
    }
    // An empty lock is being written by its new holder, unless it is old (a crash in between).
    if (!holder && (await youngerThan(lockPath, unwrittenLockMs))) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    await rm(lockPath, { force: true });
  }
  throw new QueueLockedError(queue, 'lock contended');
}

export async function releaseLock(lockPath: string): Promise<void> {
  openLocks.delete(lockPath);
  await rm(lockPath, { force: true });
}

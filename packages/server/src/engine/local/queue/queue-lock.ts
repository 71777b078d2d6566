// Lock: one open LocalQueue per journal, across and within processes.
import { readFile, rm } from 'node:fs/promises';
import { isErrno, writeNewFile } from './durable-fs';
import { QueueLockedError } from './queue-errors';

const openLocks = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

// A lock left by a SIGKILLed process (dead pid, or our own pid after a container restart) is stale.
export async function acquireLock(lockPath: string, queue: string): Promise<void> {
  if (openLocks.has(lockPath)) throw new QueueLockedError(queue, 'in this process');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeNewFile(lockPath, String(process.pid));
      openLocks.add(lockPath);
      return;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new QueueLockedError(queue, `by pid ${holder}`);
    }
    await rm(lockPath, { force: true });
  }
  throw new QueueLockedError(queue, 'lock contended');
}

export async function releaseLock(lockPath: string): Promise<void> {
  openLocks.delete(lockPath);
  await rm(lockPath, { force: true });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Db } from '../data/dynamo';
import { DatabaseUnavailableError } from '../errors';
import { silentLogger } from '../log';
import { table } from '../topology';
import { databaseAvailabilityMiddleware } from './database-availability';
import type { DatabaseGaveUpError } from './dynalite-supervisor';
import { DynaliteSupervisor, type DynaliteSupervisorOptions } from './dynalite-supervisor';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function supervise(
  opts: Partial<DynaliteSupervisorOptions> = {},
): Promise<{ supervisor: DynaliteSupervisor; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dynalite-supervisor-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'dynamodb');
  const supervisor = await DynaliteSupervisor.start({ path, log: silentLogger, ...opts });
  cleanups.push(() => supervisor.stop());
  return { supervisor, path };
}

async function connect(supervisor: DynaliteSupervisor): Promise<Db> {
  const db = Db.connect({
    endpoint: supervisor.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    tableName: table.logicalName,
    middleware: [databaseAvailabilityMiddleware(supervisor, { defaultWaitMs: 10_000 })],
  });
  cleanups.push(() => db.destroy());
  await db.ensureTable();
  return db;
}

/** SIGKILLs the current child and resolves once the supervisor has seen it die. */
async function killChild(supervisor: DynaliteSupervisor): Promise<number> {
  const pid = supervisor.pid!;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 500 && supervisor.pid === pid; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return pid;
}

async function untilUp(supervisor: DynaliteSupervisor): Promise<void> {
  await supervisor.whenUp(Date.now() + 15_000);
}

describe('DynaliteSupervisor', () => {
  it('restarts a SIGKILLed child on the same data and port, and a call in flight waits for it', async () => {
    // Prepare: an item stored before the crash.
    const { supervisor } = await supervise();
    const db = await connect(supervisor);
    const key = { PK: 'TEST#1', SK: 'ITEM' };
    await db.put({ ...key, value: 'before the crash' });
    const port = supervisor.port;

    // Act: kill the child, and read at once (the call waits through the restart).
    const oldPid = await killChild(supervisor);
    const item = await db.get(key);

    // Assess
    expect(item?.value).toBe('before the crash');
    expect(supervisor.state).toBe('up');
    expect(supervisor.restarts).toBe(1);
    expect(supervisor.pid).not.toBe(oldPid);
    expect(supervisor.port).toBe(port);
  });

  it('follows the database to another port when its own was taken meanwhile', async () => {
    // Prepare: a long backoff, so the old port can be taken before the restart.
    const { supervisor } = await supervise({ backoff: { initialMs: 300, maxMs: 300 } });
    const db = await connect(supervisor);
    await db.put({ PK: 'TEST#2', SK: 'ITEM', value: 'kept' });
    const port = supervisor.port;

    // Act
    await killChild(supervisor);
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => squatter.close(() => r())));
    const item = await db.get({ PK: 'TEST#2', SK: 'ITEM' });

    // Assess
    expect(item?.value).toBe('kept');
    expect(supervisor.port).not.toBe(port);
  });

  it('answers a caller that cannot wait with DatabaseUnavailableError and a Retry-After', async () => {
    // Prepare: a restart 3 s away.
    const { supervisor } = await supervise({ backoff: { initialMs: 3_000, maxMs: 3_000 } });

    // Act
    await killChild(supervisor);
    const error = await supervisor.whenUp(Date.now() + 100).catch((e: unknown) => e);

    // Assess
    expect(supervisor.state).toBe('restarting');
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as DatabaseUnavailableError).retryAfterSeconds).toBeGreaterThanOrEqual(3);
    expect((error as DatabaseUnavailableError).message).toMatch(/restarting/);
  });

  it('gives up, once and loudly, when the child dies more often than allowed', async () => {
    // Prepare
    const failures: DatabaseGaveUpError[] = [];
    const { supervisor, path } = await supervise({
      maxRestarts: 2,
      windowMs: 60_000,
      backoff: { initialMs: 10, maxMs: 50 },
      onGiveUp: (e) => failures.push(e),
    });

    // Act: three deaths in the window; the first two are restarted.
    for (let i = 0; i < 2; i++) {
      await killChild(supervisor);
      await untilUp(supervisor);
    }
    await killChild(supervisor);

    // Assess
    expect(supervisor.restarts).toBe(2);
    expect(supervisor.state).toBe('failed');
    expect(failures).toHaveLength(1);
    const message = failures[0]!.message;
    expect(message).toContain(path);
    expect(message).toMatch(/died 3 times within 60 s/);
    expect(message).toMatch(/killed by SIGKILL/);
    expect(message).toMatch(/npm start/);
    await expect(supervisor.whenUp(Date.now() + 10_000)).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(supervisor.pid).toBeUndefined();
  });

  it('does not restart after stop(), even with a restart pending', async () => {
    // Prepare
    const { supervisor } = await supervise({ backoff: { initialMs: 200, maxMs: 200 } });

    // Act
    await killChild(supervisor);
    await supervisor.stop();
    await new Promise((r) => setTimeout(r, 800));

    // Assess
    expect(supervisor.state).toBe('stopped');
    expect(supervisor.pid).toBeUndefined();
    expect(supervisor.restarts).toBe(0);
  });
});

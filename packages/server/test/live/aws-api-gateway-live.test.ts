import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteConnectionCommand,
  GoneException,
  LimitExceededException,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { liveEventSchema, type LiveEvent, type Role } from '@switchboard/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayLive } from '../../src/engine/aws/api-gateway-live';
import { DynaliteSupervisor } from '../../src/engine/local/dynalite-supervisor';
import { silentLogger, type Logger } from '../../src/engine/log';
import { LiveConnectionRepo } from '../../src/modules/live/live-connection.repo';
import { liveEventSamples } from './live-samples';
import { createConnectionsTable } from './connections-table';

// The deployed fan-out (ApiGatewayLive) over a real connections table (dynalite) and a stand-in
// for API Gateway's management API that keeps its contract: PostToConnection and DeleteConnection
// take a connection id, and a connection API Gateway no longer holds answers GoneException (410).

let dir: string;
let dynalite: DynaliteSupervisor;
let connections: LiveConnectionRepo;
let tableSeq = 0;

/** API Gateway's side: which sockets it holds, what each received, what was closed. */
class ManagementApiStandIn {
  readonly open = new Set<string>();
  readonly received = new Map<string, LiveEvent[]>();
  readonly deleted: string[] = [];
  /** Connections whose posts fail with a throttle (429), not a 410. */
  readonly throttled = new Set<string>();

  readonly client: Pick<ApiGatewayManagementApiClient, 'send'> = {
    send: (async (command: unknown) => {
      if (command instanceof PostToConnectionCommand) {
        const id = command.input.ConnectionId!;
        if (this.throttled.has(id)) {
          throw new LimitExceededException({ message: 'Rate exceeded', $metadata: {} });
        }
        if (!this.open.has(id)) throw gone();
        const data = command.input.Data;
        if (!(data instanceof Uint8Array)) throw new Error('Data must be bytes');
        const event = liveEventSchema.parse(JSON.parse(new TextDecoder().decode(data)));
        this.received.set(id, [...(this.received.get(id) ?? []), event]);
        return { $metadata: { httpStatusCode: 200 } };
      }
      if (command instanceof DeleteConnectionCommand) {
        const id = command.input.ConnectionId!;
        if (!this.open.delete(id)) throw gone();
        this.deleted.push(id);
        return { $metadata: { httpStatusCode: 204 } };
      }
      throw new Error(`unexpected command ${String(command)}`);
    }) as Pick<ApiGatewayManagementApiClient, 'send'>['send'],
  };

  eventsOf(id: string): LiveEvent[] {
    return this.received.get(id) ?? [];
  }
}

const gone = () => new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });

/** A log that keeps warnings, so a swallowed failure is still visible to the test. */
function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { ...silentLogger, warn: (msg: string) => void warnings.push(msg), warnings };
}

let api: ManagementApiStandIn;
let log: ReturnType<typeof recordingLog>;
let live: ApiGatewayLive;

async function connect(
  tenantId: string,
  userId: string,
  role: Role,
  opts: { sessionId?: string; open?: boolean } = {},
) {
  const connectionId = `${tenantId}-${userId}-${opts.sessionId ?? 's1'}`;
  await connections.put(
    { connectionId, tenantId, userId, role, sessionId: opts.sessionId ?? 's1' },
    new Date(),
  );
  if (opts.open !== false) api.open.add(connectionId);
  return connectionId;
}

const sample = (tenantId: string) =>
  liveEventSamples['message.created']({ tenantId, conversationId: 'c1', userId: 'u1' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aws-live-'));
  dynalite = await DynaliteSupervisor.start({ path: join(dir, 'db'), log: silentLogger });
}, 60_000);

afterAll(async () => {
  await dynalite?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A fresh table per test: each starts with no connections.
beforeEach(async () => {
  const db = await createConnectionsTable(
    `http://127.0.0.1:${dynalite.port}`,
    `LiveConnections-${++tableSeq}`,
  );
  connections = new LiveConnectionRepo(db);
  api = new ManagementApiStandIn();
  log = recordingLog();
  live = new ApiGatewayLive({
    connections,
    client: api.client,
    socketUrl: 'wss://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod',
    log,
  });
});

describe('ApiGatewayLive fan-out', () => {
  it('posts an event to its tenant’s connections only', async () => {
    const a1 = await connect('tA', 'u1', 'agent');
    const a2 = await connect('tA', 'u2', 'viewer');
    const b1 = await connect('tB', 'u3', 'owner');
    const event = sample('tA');
    await live.deliver('tA', event, {});
    expect(api.eventsOf(a1)).toEqual([event]);
    expect(api.eventsOf(a2)).toEqual([event]);
    expect(api.eventsOf(b1)).toEqual([]);
  });

  it('honours the audience: a minimum role, named people', async () => {
    const owner = await connect('tA', 'u1', 'owner');
    const agent = await connect('tA', 'u2', 'agent');
    const viewer = await connect('tA', 'u3', 'viewer');
    const adminsOnly = { ...sample('tA'), id: 'evt_admins' };
    await live.deliver('tA', adminsOnly, { minRole: 'admin' });
    const mention = { ...sample('tA'), id: 'evt_mention' };
    await live.deliver('tA', mention, { userIds: ['u3'] });
    expect(api.eventsOf(owner).map((e) => e.id)).toEqual(['evt_admins']);
    expect(api.eventsOf(agent)).toEqual([]);
    expect(api.eventsOf(viewer).map((e) => e.id)).toEqual(['evt_mention']);
  });

  it('deletes a connection API Gateway answers 410 for, and keeps delivering to the rest', async () => {
    await connect('tA', 'u1', 'agent', { open: false });
    const fresh = await connect('tA', 'u2', 'agent');
    await live.deliver('tA', sample('tA'), {});
    expect(api.eventsOf(fresh)).toHaveLength(1);
    expect((await connections.list({ tenantId: 'tA' })).map((c) => c.connectionId)).toEqual([
      fresh,
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('keeps a connection whose post failed otherwise (a throttle), and says so', async () => {
    const busy = await connect('tA', 'u1', 'agent');
    api.throttled.add(busy);
    await live.deliver('tA', sample('tA'), {});
    expect((await connections.list({ tenantId: 'tA' })).map((c) => c.connectionId)).toEqual([busy]);
    expect(log.warnings).toEqual(['live post failed']);
  });

  it('names the socket URL it was given', () => {
    expect(live.url()).toBe('wss://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod');
  });
});

describe('ApiGatewayLive closeWhere', () => {
  it('closes a person’s sockets in every workspace but the kept session, and deletes their rows', async () => {
    const kept = await connect('tA', 'u1', 'agent', { sessionId: 'keep' });
    const other = await connect('tA', 'u1', 'agent', { sessionId: 'other' });
    const elsewhere = await connect('tB', 'u1', 'owner', { sessionId: 'other' });
    const someoneElse = await connect('tA', 'u2', 'agent');
    await live.closeWhere({ userId: 'u1', exceptSessionId: 'keep' }, 'session_ended');
    expect(api.deleted.sort()).toEqual([elsewhere, other].sort());
    const left = async (tenantId: string) =>
      (await connections.list({ tenantId })).map((c) => c.connectionId).sort();
    expect(await left('tA')).toEqual([kept, someoneElse].sort());
    expect(await left('tB')).toEqual([]);
  });

  it('closes a whole workspace’s sockets and no other’s', async () => {
    const a1 = await connect('tA', 'u1', 'agent');
    const a2 = await connect('tA', 'u2', 'owner');
    const b1 = await connect('tB', 'u3', 'owner');
    await live.closeWhere({ tenantId: 'tA' }, 'forbidden');
    expect(api.deleted.sort()).toEqual([a1, a2].sort());
    expect(api.open.has(b1)).toBe(true);
    expect(await connections.list({ tenantId: 'tA' })).toEqual([]);
    expect(await connections.list({ tenantId: 'tB' })).toHaveLength(1);
  });

  it('deletes the row of a socket that was already gone (410 on DeleteConnection)', async () => {
    await connect('tA', 'u1', 'agent', { open: false });
    await live.closeWhere({ tenantId: 'tA', userId: 'u1' }, 'session_ended');
    expect(api.deleted).toEqual([]);
    expect(await connections.list({ tenantId: 'tA' })).toEqual([]);
    expect(log.warnings).toEqual([]);
  });
});

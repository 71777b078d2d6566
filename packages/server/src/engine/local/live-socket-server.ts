import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { liveCloseCodes, type LiveEvent } from '@switchboard/contracts';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log';
import {
  audienceAllows,
  connectionMatches,
  type LiveCloseReason,
  type LiveConnectionFilter,
  type LiveConnections,
  type LiveIdentity,
} from '../ports/live-connections';
import type { EventAudience, EventSink } from '../ports/workspace-events';

// The sandbox's live socket: `ws://<host>:<port>/live?ticket=…` on the sandbox's own HTTP server
// (API Gateway's WebSocket API deployed). It is an EventSink of the sandbox's EventFanout: each
// event goes to the open sockets of its tenant that its audience allows, and nowhere else. A
// socket takes nothing from the client but pings; its identity is the ticket's, fixed at open.

export const LIVE_PATH = '/live';

export type LiveSocketServerOptions = {
  /** Takes a ticket once: the identity it was issued to, or undefined (refused with a 401). */
  redeem: (ticket: string | null) => Promise<LiveIdentity | undefined>;
  log: Logger;
  /** Server pings this often; a socket that missed the previous pong is dropped (default 25 s). */
  heartbeatMs?: number;
};

type Connection = LiveIdentity & { socket: WebSocket; alive: boolean };

const closeCodeOf: Record<LiveCloseReason, number> = {
  session_ended: liveCloseCodes.sessionEnded,
  forbidden: liveCloseCodes.forbidden,
};
const closeReasonOf: Record<LiveCloseReason, string> = {
  session_ended: 'session ended',
  forbidden: 'access ended',
};

function refuse(socket: Duplex, status: 401 | 404): void {
  const text = status === 401 ? 'Unauthorized' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export class LiveSocketServer implements EventSink, LiveConnections {
  readonly name = 'live-sockets';
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  /** Open connections by tenant: an event is matched against its own tenant's only. */
  private readonly byTenant = new Map<string, Set<Connection>>();
  private heartbeat?: NodeJS.Timeout;
  private origin?: string;

  constructor(private readonly opts: LiveSocketServerOptions) {}

  /** Takes the `/live` upgrades of the sandbox's HTTP server; other paths are refused. */
  attach(server: Server, origin: string): void {
    this.origin = origin.replace(/^http/, 'ws');
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(req, socket, head);
    });
    const every = this.opts.heartbeatMs ?? 25_000;
    this.heartbeat = setInterval(() => this.beat(), every);
    this.heartbeat.unref();
  }

  url(): string | undefined {
    return this.origin && `${this.origin}${LIVE_PATH}`;
  }

  /** Open sockets (tests and the bench read it). */
  get size(): number {
    let n = 0;
    for (const set of this.byTenant.values()) n += set.size;
    return n;
  }

  async deliver(tenantId: string, event: LiveEvent, audience: EventAudience): Promise<void> {
    const conns = this.byTenant.get(tenantId);
    if (!conns) return;
    const frame = JSON.stringify(event);
    for (const conn of conns) {
      if (conn.tenantId !== tenantId || !audienceAllows(conn, audience)) continue;
      if (conn.socket.readyState === conn.socket.OPEN) conn.socket.send(frame);
    }
  }

  async closeWhere(filter: LiveConnectionFilter, reason: LiveCloseReason): Promise<void> {
    const sets =
      'tenantId' in filter ? [this.byTenant.get(filter.tenantId)] : this.byTenant.values();
    for (const set of sets) {
      for (const conn of set ?? []) {
        if (!connectionMatches(conn, filter)) continue;
        this.remove(conn);
        conn.socket.close(closeCodeOf[reason], closeReasonOf[reason]);
        // A peer that never answers the close handshake is cut off shortly after.
        setTimeout(() => conn.socket.terminate(), 1000).unref();
      }
    }
  }

  /** Closes every socket (the sandbox stops). */
  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const set of this.byTenant.values()) {
      for (const conn of set) conn.socket.terminate();
    }
    this.byTenant.clear();
    this.wss.close();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname !== LIVE_PATH) return refuse(socket, 404);
    let identity: LiveIdentity | undefined;
    try {
      identity = await this.opts.redeem(url.searchParams.get('ticket'));
    } catch (error) {
      this.opts.log.warn('live ticket could not be checked', { error: String(error) });
    }
    if (!identity) return refuse(socket, 401);
    const who = identity;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, who));
  }

  private open(socket: WebSocket, identity: LiveIdentity): void {
    const conn: Connection = { ...identity, socket, alive: true };
    const set = this.byTenant.get(conn.tenantId) ?? new Set<Connection>();
    set.add(conn);
    this.byTenant.set(conn.tenantId, set);
    socket.on('pong', () => (conn.alive = true));
    // Only pings are taken from a client (the browser cannot send protocol pings): anything else
    // is ignored, and nothing a client sends can change what the socket receives.
    socket.on('message', (data, isBinary) => {
      conn.alive = true;
      if (!isBinary && data.toString() === '{"type":"ping"}') socket.send('{"type":"pong"}');
    });
    socket.on('close', () => this.remove(conn));
    socket.on('error', () => this.remove(conn));
  }

  private remove(conn: Connection): void {
    const set = this.byTenant.get(conn.tenantId);
    if (!set) return;
    set.delete(conn);
    if (set.size === 0) this.byTenant.delete(conn.tenantId);
  }

  private beat(): void {
    for (const set of this.byTenant.values()) {
      for (const conn of set) {
        if (!conn.alive) {
          this.remove(conn);
          conn.socket.terminate();
          continue;
        }
        conn.alive = false;
        conn.socket.ping();
      }
    }
  }
}

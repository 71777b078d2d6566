import { liveEventSchema, liveTicketSchema, type LiveEvent } from '@switchboard/contracts';
import WebSocket from 'ws';
import type { TestSandbox } from '../helpers/harness';

// A live socket as a screen opens it: a ticket from the REST API, then `url?ticket=…`. It keeps
// every frame it receives (each checked against the one event schema) and how it closed.

export type LiveClient = {
  socket: WebSocket;
  events: LiveEvent[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first received event that matches, or rejects after `timeoutMs`. */
  next(match: (event: LiveEvent) => boolean, timeoutMs?: number): Promise<LiveEvent>;
  close(): void;
};

export async function issueTicket(t: TestSandbox, token: string) {
  const res = await t.api.request('POST', '/live/tickets', { token });
  if (res.status !== 201) throw new Error(`ticket failed: ${res.status} ${res.text}`);
  return liveTicketSchema.parse(res.json);
}

/** Opens the socket with a ticket; rejects with the HTTP status when the upgrade is refused. */
export function openWithTicket(url: string, ticket?: string): Promise<LiveClient> {
  const target = ticket === undefined ? url : `${url}?ticket=${encodeURIComponent(ticket)}`;
  const socket = new WebSocket(target);
  const events: LiveEvent[] = [];
  const waiters: { match: (e: LiveEvent) => boolean; resolve: (e: LiveEvent) => void }[] = [];
  socket.on('message', (data) => {
    if (data.toString() === '{"type":"pong"}') return;
    const event = liveEventSchema.parse(JSON.parse(data.toString()));
    events.push(event);
    for (const w of [...waiters]) {
      if (w.match(event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const client: LiveClient = {
    socket,
    events,
    closed,
    next(match, timeoutMs = 10_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no matching live event')), timeoutMs);
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_req, res) =>
      reject(
        Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }),
      ),
    );
    socket.once('error', reject);
  });
}

export async function openLive(t: TestSandbox, token: string): Promise<LiveClient> {
  const { ticket, url } = await issueTicket(t, token);
  return openWithTicket(url, ticket);
}

/** The HTTP status an upgrade was refused with (or 'open' if it was not). */
export async function upgradeStatus(url: string, ticket?: string): Promise<number | 'open'> {
  try {
    const client = await openWithTicket(url, ticket);
    client.close();
    return 'open';
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

/** A round trip through the socket: once the pong is back, every frame sent before it arrived. */
export function roundTrip(client: LiveClient): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      if (data.toString() !== '{"type":"pong"}') return;
      client.socket.off('message', onMessage);
      resolve();
    };
    client.socket.on('message', onMessage);
    client.socket.send('{"type":"ping"}');
  });
}

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import type { Logger } from '../log';
import { healthPath } from './served-functions';
import { viewerIpOf } from './container-env';

// The container's HTTP server: the API app on Node, a health answer for the load balancer, the
// viewer's address from the edge's header where one is configured, and a graceful stop.

type Fetch = (request: Request, env: HttpBindings) => Response | Promise<Response>;

export type ContainerServerOptions = {
  fetch: Fetch;
  port: number;
  host: string;
  log: Logger;
  /** See VIEWER_IP_HEADER in container-env.ts. */
  viewerIpHeader?: string;
};

export type ContainerServer = {
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (at most `graceMs`), then resolves. */
  stop(graceMs: number): Promise<void>;
};

// Longer than the load balancer's idle timeout (60 s): otherwise Node may close a kept-alive
// connection the ALB is about to reuse, and the ALB answers that request with a 502.
const keepAliveMs = 65_000;

function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

/**
 * The bindings the app sees. Behind the edge the transport peer is the load balancer; the viewer's
 * TCP address is what CloudFront saw, handed over in a header it overwrites on every request (a
 * client cannot set it), so the app's per-key IP ranges and throttles see the real client. It is
 * read only when configured, and only when it is exactly one IP address.
 */
function bindingsFor(env: HttpBindings, header: string | undefined): HttpBindings {
  if (!header) return env;
  const raw = env.incoming.headers[header];
  const viewerIp = viewerIpOf(Array.isArray(raw) ? undefined : raw);
  if (!viewerIp) return env;
  const socket = {
    remoteAddress: viewerIp,
    remotePort: undefined,
    remoteFamily: viewerIp.includes(':') ? 'IPv6' : 'IPv4',
  };
  // `server` is where @hono/node-server's conninfo reads a connection from when it is present.
  return { ...env, server: { incoming: { socket } } } as HttpBindings;
}

export async function startContainerServer(opts: ContainerServerOptions): Promise<ContainerServer> {
  let draining = false;
  const handler = (request: Request, env: HttpBindings | Http2Bindings) => {
    const path = new URL(request.url).pathname;
    if (path === healthPath && (request.method === 'GET' || request.method === 'HEAD')) {
      // Draining: tell the load balancer to stop sending before the process goes away.
      return draining ? json({ status: 'draining' }, 503) : json({ status: 'ok' }, 200);
    }
    return opts.fetch(request, bindingsFor(env as HttpBindings, opts.viewerIpHeader));
  };

  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: handler, port: opts.port, hostname: opts.host }, () =>
      resolve(s as Server),
    ) as Server;
    s.once('error', reject);
  });
  server.keepAliveTimeout = keepAliveMs;
  server.headersTimeout = keepAliveMs + 1_000;
  const { port } = server.address() as AddressInfo;
  const shown = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  let stopping: Promise<void> | undefined;
  const stop = (graceMs: number) =>
    (stopping ??= new Promise<void>((resolve) => {
      draining = true;
      const startedAt = Date.now();
      // close() stops accepting and resolves once every connection has ended.
      server.close(() => {
        clearInterval(idle);
        clearTimeout(deadline);
        opts.log.info('server stopped', { drainedMs: Date.now() - startedAt });
        resolve();
      });
      // A kept-alive connection goes idle once its response is sent: close it then, not later.
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => {
        opts.log.warn('grace period over: closing connections still in flight');
        server.closeAllConnections();
      }, graceMs);
    }));

  return { url: `http://${shown}:${port}`, port, stop };
}

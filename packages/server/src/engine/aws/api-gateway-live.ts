import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { LiveEvent } from '@switchboard/contracts';
import type { LiveConnectionRepo } from '../../modules/live/live-connection.repo';
import { type LiveConnection } from '../../modules/live/live-connection.repo';
import type { Logger } from '../log';
import {
  audienceAllows,
  connectionMatches,
  type LiveCloseReason,
  type LiveConnectionFilter,
  type LiveConnections,
} from '../ports/live-connections';
import type { EventAudience, EventSink } from '../ports/workspace-events';

// The deployed live fan-out: API Gateway's WebSocket API holds the sockets, the connections table
// says whose each is. An event is posted (PostToConnection) to each connection of its tenant
// that its audience allows, a few at a time; a connection API Gateway no longer has (410 Gone)
// is deleted from the table. Best effort, as a screen is: failures are logged, never thrown, so
// a broken socket never fails the write that raised the event.

/** PostToConnection calls in flight at once, per event. */
const FANOUT_CONCURRENCY = 16;

export type ApiGatewayLiveOptions = {
  connections: LiveConnectionRepo;
  /** The stage's management endpoint: `https://<api-id>.execute-api.<region>.amazonaws.com/<stage>`. */
  client: Pick<ApiGatewayManagementApiClient, 'send'>;
  /** `wss://…/<stage>`, given out with tickets. */
  socketUrl: string;
  log: Logger;
};

async function eachBounded<T>(items: T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class ApiGatewayLive implements EventSink, LiveConnections {
  readonly name = 'live-api-gateway';

  constructor(private readonly opts: ApiGatewayLiveOptions) {}

  static fromEndpoint(opts: Omit<ApiGatewayLiveOptions, 'client'> & { endpoint: string }) {
    const client = new ApiGatewayManagementApiClient({ endpoint: opts.endpoint });
    return new ApiGatewayLive({ ...opts, client });
  }

  url(): string {
    return this.opts.socketUrl;
  }

  async deliver(tenantId: string, event: LiveEvent, audience: EventAudience): Promise<void> {
    try {
      const targets = (await this.opts.connections.list({ tenantId })).filter(
        (conn) => conn.tenantId === tenantId && audienceAllows(conn, audience),
      );
      const data = new TextEncoder().encode(JSON.stringify(event));
      await eachBounded(targets, FANOUT_CONCURRENCY, (conn) => this.post(conn, data));
    } catch (error) {
      this.opts.log.warn('live fan-out failed', {
        tenantId,
        eventId: event.id,
        error: String(error),
      });
    }
  }

  async closeWhere(filter: LiveConnectionFilter, reason: LiveCloseReason): Promise<void> {
    try {
      const matching = (await this.opts.connections.list(filter)).filter((conn) =>
        connectionMatches(conn, filter),
      );
      await eachBounded(matching, FANOUT_CONCURRENCY, async (conn) => {
        // API Gateway closes the socket (1001) and runs $disconnect, which deletes the item too.
        await this.opts.client
          .send(new DeleteConnectionCommand({ ConnectionId: conn.connectionId }))
          .catch((error: unknown) => {
            if (!(error instanceof GoneException)) throw error;
          });
        await this.opts.connections.delete(conn.tenantId, conn.connectionId);
      });
      if (matching.length > 0) {
        this.opts.log.info('live connections closed', { reason, count: matching.length });
      }
    } catch (error) {
      this.opts.log.warn('live connections could not be closed', { reason, error: String(error) });
    }
  }

  private async post(conn: LiveConnection, data: Uint8Array): Promise<void> {
    try {
      await this.opts.client.send(
        new PostToConnectionCommand({ ConnectionId: conn.connectionId, Data: data }),
      );
    } catch (error) {
      if (error instanceof GoneException) {
        await this.opts.connections.delete(conn.tenantId, conn.connectionId);
        return;
      }
      this.opts.log.warn('live post failed', {
        connectionId: conn.connectionId,
        error: String(error),
      });
    }
  }
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queueNameSchema } from '@switchboard/contracts';
import {
  busRules,
  deployedRoutes,
  functions,
  leadEventSource,
  liveSocket,
  queues,
  table,
  tableStream,
} from './topology';

describe('topology', () => {
  it('lets a platform admin list and redrive the dead letters of every queue', () => {
    expect([...queueNameSchema.options].sort()).toEqual(Object.keys(queues).sort());
  });

  it('grants the cursor key to every function that serves a paginated route', () => {
    const paginated = deployedRoutes.filter(
      (route) => route.query instanceof z.ZodObject && 'cursor' in route.query.shape,
    );
    expect(paginated.length).toBeGreaterThan(5);
    const missing = paginated
      .filter((route) => !functions[route.function].secrets.includes('cursorKey'))
      .map((route) => `${route.id} on ${route.function}`);
    expect(missing).toEqual([]);
  });

  it('has one stream consumer, on a table with both images, publishing what the rules consume', () => {
    expect(table.stream).toBe('NEW_AND_OLD_IMAGES');
    const consumers = Object.values(functions).filter((f) => f.consumesTableStream);
    expect(consumers.map((f) => f.name)).toEqual([tableStream.consumer]);
    const [consumer] = consumers;
    // It reads the stream, never the table, and puts events on the bus.
    expect(consumer).toMatchObject({ table: 'none', publishesEvents: true, sendsTo: [] });
    expect(consumer!.consumes).toBeUndefined();
    expect(tableStream.retryAttempts).toBeGreaterThan(0);
    // The CRM sync it raises is what a rule delivers.
    const sync = busRules.find(
      (r) => r.target.kind === 'queue' && r.target.queue === 'CrmSyncQueue',
    );
    expect(sync?.pattern).toMatchObject({
      source: [leadEventSource],
      'detail-type': expect.arrayContaining(['LeadUpserted', 'LeadSyncRequested']),
    });
  });

  it('lets the functions that raise workspace events or close sockets reach the live sockets', () => {
    // Who holds `events` / `live` from awsRuntime(): the HTTP functions whose handlers emit or
    // close (Api, AuthService) and the consumers that emit (the processor, the fetcher, the
    // campaign sender's progress).
    const fanout = Object.values(functions)
      .filter((f) => f.live === 'fanout')
      .map((f) => f.name)
      .sort();
    expect(fanout).toEqual([
      'Api',
      'AuthService',
      'CampaignSender',
      'MediaFetcher',
      'MessageProcessor',
    ]);
  });

  it('serves the live socket with its own two functions, neither an HTTP nor a queue function', () => {
    const authorizer = functions[liveSocket.authorizer];
    const socket = functions[liveSocket.routes];
    // The authorizer takes tickets (a conditional delete in the table) and reads the session.
    expect(authorizer).toMatchObject({ table: 'readwrite', sendsTo: [], secrets: [] });
    expect(authorizer.live).toBeUndefined();
    // The routes' function keeps the connections and only reads the table (the session check).
    expect(socket).toMatchObject({ table: 'read', live: 'connections', sendsTo: [], secrets: [] });
    for (const fn of [authorizer, socket]) {
      expect(fn.consumes, fn.name).toBeUndefined();
      expect(
        deployedRoutes.filter((r) => r.function === fn.name),
        fn.name,
      ).toEqual([]);
    }
    expect([...liveSocket.routeKeys].sort()).toEqual(['$connect', '$default', '$disconnect']);
    expect(liveSocket.connectionsTable).toMatchObject({
      partitionKey: 'PK',
      sortKey: 'SK',
      ttlAttribute: 'expiresAt',
      indexes: [{ name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' }],
    });
  });
});

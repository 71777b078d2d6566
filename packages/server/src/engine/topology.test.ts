import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queueNameSchema } from '@switchboard/contracts';
import {
  busRules,
  deployedRoutes,
  functions,
  leadEventSource,
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
});

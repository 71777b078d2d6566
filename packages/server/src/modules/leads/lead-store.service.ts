import type { Db } from '../../engine/data/dynamo';
import type { TenantDbFactory } from '../../engine/data/tenant-data';
import type { Logger } from '../../engine/log';
import type { SqsBatchHandler } from '../../engine/ports/queue';
import { leadRules } from '../../engine/topology';
import { createEventConsumer } from './event-consumer';
import { leadSubmittedSchema } from './lead-events';

/** LeadStore: keeps every submission exactly as accepted (the raw leads store). */
export function createLeadStore(deps: {
  db: Db;
  tenantDb?: TenantDbFactory;
  log: Logger;
  now?: () => Date;
}): SqsBatchHandler {
  const now = deps.now ?? (() => new Date());
  return createEventConsumer({
    rule: leadRules.store,
    schema: leadSubmittedSchema,
    db: deps.db,
    tenantDb: deps.tenantDb,
    log: deps.log,
    now,
    async handle(event, { data }) {
      await data.submissions.storeOnce({
        id: event.submissionId,
        source: event.source,
        formId: event.formId,
        formVersion: event.formVersion,
        raw: event.raw,
        values: event.values,
        submittedAt: event.submittedAt,
        meta: event.meta,
        storedAt: now().toISOString(),
      });
    },
  });
}

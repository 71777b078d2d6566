import type { Db } from '../../engine/data/dynamo';
import type { TenantDbFactory } from '../../engine/data/tenant-data';
import type { Logger } from '../../engine/log';
import type { SqsBatchHandler } from '../../engine/ports/queue';
import { leadRules } from '../../engine/topology';
import { createEventConsumer } from './event-consumer';
import { leadSubmittedSchema } from './lead-events';

/** LeadStore: keeps every submission as accepted, its validated values (the raw leads store). */
export function createLeadStore(deps: {
  db: Db;
  tenantDb?: TenantDbFactory;
  log: Logger;
  now?: () => Date;
  /** How long a tenant's active/suspended status is trusted in memory (event-consumer.ts). */
  tenantStatusTtlMs?: number;
}): SqsBatchHandler {
  const now = deps.now ?? (() => new Date());
  return createEventConsumer({
    rule: leadRules.store,
    schema: leadSubmittedSchema,
    db: deps.db,
    tenantDb: deps.tenantDb,
    log: deps.log,
    now,
    tenantStatusTtlMs: deps.tenantStatusTtlMs,
    subject: (event) => ({ type: 'submission', id: event.submissionId }),
    async handle(event, { data }) {
      await data.submissions.storeOnce({
        id: event.submissionId,
        source: event.source,
        formId: event.formId,
        formVersion: event.formVersion,
        values: event.values,
        submittedAt: event.submittedAt,
        meta: event.meta,
        storedAt: now().toISOString(),
      });
      // A ticked WhatsApp opt-in box is recorded by the merge, which knows the lead.
    },
  });
}

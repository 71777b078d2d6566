import { awsRuntime } from '../aws/deps';
import { createLeadMerge } from '../../modules/leads/lead-merge.service';
import { outboundDepsOf } from '../../modules/messaging/outbound-deps';

// Bus rule MergeLead -> LeadMergeQueue -> here: contact and lead merge (the table's stream then
// raises LeadUpserted through StreamConsumer).
const { db, tenantDb, log, cipher, events } = awsRuntime('LeadMerge');
// Forms' WhatsApp follow-ups go out from here, once the lead exists (leads/whatsapp-handoff).
const outbound = outboundDepsOf({ db, cipher, log, events });

export const handler = createLeadMerge({ db, tenantDb, log, outbound: () => outbound });

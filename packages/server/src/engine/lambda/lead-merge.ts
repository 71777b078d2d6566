import { awsRuntime } from '../aws/deps';
import { createLeadMerge } from '../../modules/leads/lead-merge.service';

// Bus rule MergeLead -> LeadMergeQueue -> here: contact and lead merge (the table's stream then
// raises LeadUpserted through StreamConsumer).
const { db, tenantDb, log } = awsRuntime('LeadMerge');

export const handler = createLeadMerge({ db, tenantDb, log });

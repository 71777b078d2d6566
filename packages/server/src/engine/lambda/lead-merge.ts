import { awsRuntime } from '../aws/deps';
import { awsEventBus } from '../aws/lead-deps';
import { createLeadMerge } from '../../modules/leads/lead-merge.service';

// Bus rule MergeLead -> LeadMergeQueue -> here: contact and lead merge, then LeadUpserted.
const { db, tenantDb, log } = awsRuntime('LeadMerge');

export const handler = createLeadMerge({ db, tenantDb, log, bus: awsEventBus(process.env) });

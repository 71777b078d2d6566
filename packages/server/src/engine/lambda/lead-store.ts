import { awsRuntime } from '../aws/deps';
import { createLeadStore } from '../../modules/leads/lead-store.service';

// Bus rule StoreRawLead -> LeadStoreQueue -> here: the raw leads store (partial batch failures).
const { db, tenantDb, log } = awsRuntime('LeadStore');

export const handler = createLeadStore({ db, tenantDb, log });

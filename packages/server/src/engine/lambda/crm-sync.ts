import { SQSClient } from '@aws-sdk/client-sqs';
import { awsRuntime } from '../aws/deps';
import { awsLeadDeps } from '../aws/lead-deps';
import { sqsDelayRetry } from '../aws/sqs-visibility';
import { createCrmSync } from '../../modules/leads/crm-sync.service';

// Bus rule SyncLeadToCrm -> CrmSyncQueue -> here: pushes leads to tenants' CRMs, with backoff set
// on each failed record's visibility and the queue's DLQ after maxReceiveCount.
const { db, tenantDb, log, cipher, secrets } = awsRuntime('CrmSync');

export const handler = createCrmSync({
  db,
  tenantDb,
  log,
  cipher,
  crm: awsLeadDeps(secrets, process.env).crm,
  delayRetry: sqsDelayRetry(new SQSClient({})),
});

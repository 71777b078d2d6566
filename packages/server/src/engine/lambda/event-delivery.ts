import { SQSClient } from '@aws-sdk/client-sqs';
import { awsRuntime } from '../aws/deps';
import { awsLeadDeps } from '../aws/lead-deps';
import { sqsDelayRetry } from '../aws/sqs-visibility';
import { createEventDelivery } from '../../modules/integrations/event-delivery.service';

// Bus rules DeliverIntegrationEvent and ForwardConversationEventsToIntegrations ->
// IntegrationEventsQueue -> here: signed POSTs to tenants' event webhooks, with backoff set on
// each failed record's visibility and the queue's DLQ after maxReceiveCount.
const { db, tenantDb, log, cipher, secrets } = awsRuntime('EventDelivery');

export const handler = createEventDelivery({
  db,
  tenantDb,
  log,
  cipher,
  http: awsLeadDeps(secrets, process.env).crm,
  delayRetry: sqsDelayRetry(new SQSClient({})),
});

import { handle } from 'hono/aws-lambda';
import { awsAppDeps, awsRuntime } from '../aws/deps';
import { createApp } from '../http/app';

// Meta webhooks: verify, archive the raw body (Firehose), enqueue. The Meta secrets load at cold start.
const deps = await awsAppDeps(awsRuntime('WebhookReceiver'));

export const handler = handle(createApp(deps, { functions: ['WebhookReceiver'] }));

import { handle } from 'hono/aws-lambda';
import { awsAppDeps, awsRuntime } from '../aws/deps';
import { createApp } from '../http/app';

// Lead ingestion: public form config, embed script and submissions, and `POST /leads` (API keys).
const deps = await awsAppDeps(awsRuntime('LeadIngest'));

export const handler = handle(createApp(deps, { functions: ['LeadIngest'] }));

import { handle } from 'hono/aws-lambda';
import { awsAppDeps, awsRuntime } from '../aws/deps';
import { createApp } from '../http/app';

// The tenant API (inbox, channels, admin tools). Signing keys load on the first verified request.
const deps = await awsAppDeps(awsRuntime('Api'));

export const handler = handle(createApp(deps, { functions: ['Api'] }));

import { handle } from 'hono/aws-lambda';
import { awsAppDeps, awsRuntime } from '../aws/deps';
import { envNames } from '../aws/env-names';
import { createApp } from '../http/app';
import { bootstrapPlatformAdmin } from '../../modules/platform/bootstrap-admin.service';

// Sign-in, tokens, JWKS and tenant administration.
const runtime = awsRuntime('AuthService');
const deps = await awsAppDeps(runtime);

// First deploy: the platform admin is created from the stack's generated adminPassword secret.
// A failure here must not take sign-in down for everyone else; the next cold start retries.
const adminEmail = process.env[envNames.adminEmail];
if (adminEmail && process.env[envNames.secretArn('adminPassword')]) {
  await bootstrapPlatformAdmin(runtime.db, runtime.secrets, adminEmail).catch((err: unknown) =>
    runtime.log.error('platform admin bootstrap failed', { error: String(err) }),
  );
}

export const handler = handle(createApp(deps, { functions: ['AuthService'] }));

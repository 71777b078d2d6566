import { awsAppDeps, awsRuntime } from '../aws/deps';
import { envNames } from '../aws/env-names';
import { createApp } from '../http/app';
import { createLogger } from '../log';
import { bootstrapPlatformAdmin } from '../../modules/platform/bootstrap-admin.service';
import { readContainerEnv } from './container-env';
import { startContainerServer } from './container-server';
import { containerFunctions } from './served-functions';
import { webCors } from './web-cors';

// The API as a container (ECS Fargate behind an ALB, `-c apiRuntime=ecs`): the same Hono app the
// Api, AuthService and LeadIngest Lambdas serve, composed with the same AWS adapters from the
// same environment variables (engine/aws/env-names.ts), which the task definition sets to the
// union of those functions' environments. Only the Meta webhook stays on Lambda.

const env = readContainerEnv();
const level = process.env[envNames.logLevel];
const log = createLogger(
  level === 'debug' || level === 'warn' || level === 'error' || level === 'silent' ? level : 'info',
  { runtime: 'container' },
);
const runtime = { ...awsRuntime('Api'), log };
const deps = await awsAppDeps(runtime);

// First deploy: the platform admin is created from the generated adminPassword secret, as the
// AuthService Lambda does. A failure must not keep the API down; the next task start retries.
const adminEmail = process.env[envNames.adminEmail];
if (adminEmail && process.env[envNames.secretArn('adminPassword')]) {
  await bootstrapPlatformAdmin(runtime.db, runtime.secrets, adminEmail).catch((err: unknown) =>
    log.error('platform admin bootstrap failed', { error: String(err) }),
  );
}

const app = createApp(deps, { functions: [...containerFunctions] });
const cors = webCors(() => deps.webOrigin?.(), containerFunctions);
const server = await startContainerServer({
  fetch: async (request, bindings) =>
    cors.preflight(request) ?? cors.decorate(request, await app.fetch(request, bindings)),
  port: env.PORT,
  host: env.HOST,
  log,
  viewerIpHeader: env.VIEWER_IP_HEADER,
});
log.info('listening', { url: server.url, serves: containerFunctions.join(',') });
process.stdout.write(`Switchboard API container listening on ${server.url}\n`);

// ECS sends SIGTERM once the target is deregistered, then SIGKILL after the stopTimeout.
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    server.stop(env.SHUTDOWN_GRACE_MS).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('stop failed', { error: String(err) });
        process.exit(1);
      },
    );
  });
}

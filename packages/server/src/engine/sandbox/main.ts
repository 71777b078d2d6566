import { readEnv } from '../config';
import { createLogger } from '../log';
import { startSandbox } from './sandbox';
import type { DatabaseEngine } from './supervised-database';

// `npm start`: the whole product on localhost, data under DATA_DIR surviving restarts.
const env = readEnv();
const log = createLogger(env.LOG_LEVEL);

const sandbox = await startSandbox({
  dataDir: env.DATA_DIR,
  port: env.PORT,
  host: env.HOST,
  metaAppSecret: env.META_APP_SECRET,
  metaVerifyToken: env.META_VERIFY_TOKEN,
  adminEmail: env.ADMIN_EMAIL,
  adminPassword: env.ADMIN_PASSWORD,
  metaGraphBaseUrl: env.META_GRAPH_BASE_URL,
  // DYNAMODB_ENDPOINT: another DynamoDB API engine (DynamoDB Local, a real table), not dynalite.
  dynamodb: env.DYNAMODB_ENDPOINT
    ? {
        endpoint: env.DYNAMODB_ENDPOINT,
        region: env.DYNAMODB_REGION ?? process.env.AWS_REGION ?? 'local',
        tableName: env.DYNAMODB_TABLE,
      }
    : undefined,
  log,
  // The database keeps dying: the sandbox has stopped itself; say so and exit non-zero, so a
  // supervisor (or the developer) sees it instead of a server that fails every request.
  onFatal: (error) => {
    process.stderr.write(`\n  Switchboard sandbox stopped: ${error.message}\n\n`);
    process.exit(1);
  },
});

function describeEngine(engine: DatabaseEngine): string {
  return engine.kind === 'dynalite'
    ? `dynalite (embedded, ${engine.endpoint}), table ${engine.tableName}`
    : `${engine.endpoint} (DYNAMODB_ENDPOINT, region ${engine.region}), table ${engine.tableName}`;
}

const banner = `
  Switchboard sandbox is running
  ─────────────────────────────────────────────────────────────
  Web app             ${sandbox.url}/  (sign in as the platform admin below)
  API                 ${sandbox.url}
  Meta webhook URL    ${sandbox.url}/webhooks/meta
  Meta verify token   ${sandbox.meta.verifyToken}
  Meta app secret     ${env.META_APP_SECRET ? '(from META_APP_SECRET)' : sandbox.meta.appSecret}
  Meta Graph API      ${sandbox.metaStandIn ? `${sandbox.graphBaseUrl}  (built-in stand-in: accepts sends, posts signed status webhooks back)` : `${sandbox.graphBaseUrl}  (META_GRAPH_BASE_URL)`}
  Platform admin      ${sandbox.admin.email} / ${env.ADMIN_PASSWORD ? '(from ADMIN_PASSWORD)' : sandbox.admin.password}
  Database            ${describeEngine(sandbox.database.engine)}
  Data                ${sandbox.dataDir}
  ─────────────────────────────────────────────────────────────
  Sign in:  curl -s ${sandbox.url}/auth/login -H 'content-type: application/json' \\
              -d '{"email":"${sandbox.admin.email}","password":"…"}'
  DLQ:      npm run dlq -- list | redrive
  API docs: ${sandbox.url}/docs  (OpenAPI: ${sandbox.url}/openapi.json)
  Stop:     Ctrl+C
`;
process.stdout.write(banner);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    sandbox.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('stop failed', { error: String(err) });
        process.exit(1);
      },
    );
  });
}

// The one path into @switchboard/server for the CDK app: the topology both runtimes read and the
// environment variable names both sides share. (Relative, so tsc and tsx resolve it the same way.)
export * from '../../server/src/engine/topology';
export {
  envNames,
  pendingSecretKey,
  rawWebhookPrefix,
  rawArchiveDailyPrefix,
  rawArchiveErrorPrefix,
  rawLargeBodyPrefix,
  lostWakeupSweep,
  campaignSchedulePrefix,
} from '../../server/src/engine/aws/env-names';
export type { SecretName } from '../../server/src/engine/ports/secrets';
export { ssoEnvNames } from '../../server/src/engine/aws/sso-env';

import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const lambdaEntryDir = fileURLToPath(
  new URL('../../server/src/engine/lambda/', import.meta.url),
);
/** Resolves the server's own dependencies (re2-wasm, which the bundles carry in node_modules). */
export const serverPackageJson = fileURLToPath(
  new URL('../../server/package.json', import.meta.url),
);

import type { TestProject } from 'vitest/node';
import { dynamoDbLocalUnavailable, startDynamoDbLocal } from '../helpers/dynamodb-local';

// The `dynamodb-local` project's one DynamoDB Local for the whole run (a JVM starts in seconds;
// one per file would cost more than the tests). Every sandbox gets its own table on it
// (helpers/harness.ts, testDatabaseEngine). Without `java` nothing starts and the tests that need
// it skip with a message (helpers/dynamodb-local.ts).

declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local's endpoint, or '' when it could not run here (no `java`). */
    dynamodbLocalEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // This runs in vitest's main process, which the config's `env` does not reach.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const unavailable = dynamoDbLocalUnavailable();
  if (unavailable) {
    process.stderr.write(`\n  dynamodb-local: ${unavailable}\n\n`);
    project.provide('dynamodbLocalEndpoint', '');
    return async () => {};
  }
  const local = await startDynamoDbLocal();
  project.provide('dynamodbLocalEndpoint', local.endpoint);
  return () => local.stop();
}

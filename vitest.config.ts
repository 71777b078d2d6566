import { spawnSync } from 'node:child_process';
import { defineConfig } from 'vitest/config';

// One runner for the whole repo. `npm test` runs the default project (unit, integration against
// dynalite and real HTTP, infra assertions, browser) and the dynamodb-local project (the server's
// integration suite again, on Amazon's DynamoDB Local, which is stricter than dynalite, plus the
// Streams tests); faults and fuzz have their own commands.

// Without a JVM the dynamodb-local project holds only its own tests, which skip with a message.
const hasJava = spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0;
const dynamoDbLocalTests = 'packages/server/test/dynamodb-local/**/*.test.ts';
const dataLayerSuites = [
  dynamoDbLocalTests,
  'packages/server/test/inbound.test.ts',
  'packages/server/test/cursors.test.ts',
  'packages/server/test/leads/**/*.test.ts',
  'packages/server/test/channels/**/*.test.ts',
  'packages/server/test/outbound/inbox.test.ts',
  'packages/server/test/auth/{tenant-isolation,api-keys,team}.test.ts',
];
export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: [
            '**/node_modules/**',
            '**/*.faults.test.ts',
            '**/*.fuzz.test.ts',
            dynamoDbLocalTests,
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'dynamodb-local',
          // The integration tests that exercise the data layer most, each sandbox on one DynamoDB
          // Local (its own table each): the whole suite costs ~1.7x its dynalite time and would
          // take CI past 20 minutes (docs/architecture.md, Tests). The rest of packages/server/test
          // passes on it too, but two-factor (see Tests); not crash.test.ts, which kills dynalite.
          include: hasJava ? dataLayerSuites : [dynamoDbLocalTests],
          exclude: [
            '**/node_modules/**',
            '**/*.faults.test.ts',
            '**/*.fuzz.test.ts',
            // Pure functions: no database in them.
            'packages/server/test/leads/{form-schema,safe-regex,lead-units,custom-limits}.test.ts',
          ],
          env: {
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            SWITCHBOARD_TEST_DYNAMODB: 'local',
          },
          globalSetup: ['packages/server/test/dynamodb-local/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          include: ['packages/*/test/**/*.faults.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'fuzz',
          include: ['packages/*/test/**/*.fuzz.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';

// One runner for the whole repo. `npm test` runs the default project (unit, integration against
// dynalite and real HTTP, infra assertions, browser); faults and fuzz have their own commands.
export default defineConfig({
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.faults.test.ts', '**/*.fuzz.test.ts'],
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

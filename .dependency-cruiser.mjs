// Module boundaries, checked by `npm run lint:deps` (part of `npm test`) and by
// packages/server/test/architecture/boundaries.test.ts, which also proves the rules fire.
// Paths are relative to the repository root; `depcruise packages` cruises every workspace.
import { fileURLToPath } from 'node:url';

const SERVER = '^packages/server/src/';
const SANDBOX = `${SERVER}engine/sandbox/`;
const HANDLER_FILE = '[.]handlers[.]ts$';
const HANDLER_REGISTRY = `${SERVER}modules/handlers[.]ts$`;
const TEST_FILE = '[.]test[.]tsx?$';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'sandbox-is-local-only',
      comment:
        'The sandbox composes local adapters for `npm start` and tests. Production code (Lambda ' +
        'entry points, modules, the rest of the engine) must not reach into it, or local-only ' +
        'wiring ends up in a Lambda bundle. Only the sandbox itself, the server and web tests and ' +
        'bench/ may import it.',
      severity: 'error',
      from: {
        pathNot: [SANDBOX, '^packages/server/test/', '^packages/web/test/', '^bench/'],
      },
      to: { path: SANDBOX },
    },
    {
      name: 'lambda-entry-points-are-leaves',
      comment:
        'engine/lambda/*.ts are thin adapters that CDK bundles as entry points. Nothing imports ' +
        'them: shared code belongs in a module or the engine, where both runtimes can reach it.',
      severity: 'error',
      from: {},
      to: { path: `${SERVER}engine/lambda/` },
    },
    {
      name: 'handlers-only-from-registry',
      comment:
        'Handlers are thin HTTP adapters, registered in one place (modules/handlers.ts). Anything ' +
        'else that imports a handler file is reusing HTTP glue as if it were a service: move the ' +
        'shared piece into a service (or a view module) and import that instead.',
      severity: 'error',
      from: { pathNot: HANDLER_REGISTRY },
      to: { path: HANDLER_FILE },
    },
    {
      name: 'engine-core-is-domain-free',
      comment:
        'The data layer (dynamo, keys, update expressions), the ports, the local adapters, ' +
        'security, errors and log sit below every module and below HTTP. Importing a module or ' +
        'engine/http from them inverts the layering and drags HTTP or domain code into every ' +
        'consumer (queue consumers, the stream consumer, the sandbox).',
      severity: 'error',
      from: {
        path: [
          `${SERVER}engine/data/(dynamo|keys|update-expression)[.]ts$`,
          `${SERVER}engine/ports/`,
          `${SERVER}engine/local/`,
          `${SERVER}engine/security/`,
          `${SERVER}engine/(errors|log)[.]ts$`,
        ],
      },
      to: { path: [`${SERVER}modules/`, `${SERVER}engine/http/`] },
    },
    {
      name: 'services-know-no-http',
      comment:
        'Services and repositories run in HTTP handlers and in queue/stream consumers alike, so ' +
        'they take plain inputs (tenant, caller, parsed body) and never the Hono app or its ' +
        'request Context. Only *.handlers.ts (and their registry) adapt HTTP to services. Any ' +
        'import of hono counts, type-only ones included (tsPreCompilationDeps).',
      severity: 'error',
      from: { path: `${SERVER}modules/`, pathNot: [HANDLER_FILE, HANDLER_REGISTRY, TEST_FILE] },
      to: { path: [`${SERVER}engine/http/app[.]ts$`, '(^|/)node_modules/hono/'] },
    },
    {
      name: 'contracts-depend-only-on-zod',
      comment:
        'packages/contracts is shared by the server, the web client and infra, and runs in the ' +
        'browser: it may import only zod and itself, never a workspace that imports it back, ' +
        'nor Node built-ins.',
      severity: 'error',
      from: { path: '^packages/contracts/', pathNot: TEST_FILE },
      to: { pathNot: ['^packages/contracts/', '(^|/)node_modules/zod/'] },
    },
    {
      name: 'web-is-a-client',
      comment:
        'The web app is a static export typed by packages/contracts. Importing server or infra ' +
        'code would bundle Node-only code (AWS SDK, dynalite, secrets) into the browser. Its ' +
        'tests (packages/web/test) are exempt: they start the sandbox through the server test ' +
        'harness, as sandbox-is-local-only allows.',
      severity: 'error',
      from: { path: '^packages/web/', pathNot: '^packages/web/test/' },
      to: { path: '^packages/(server|infra)/' },
    },
    {
      name: 'no-circular-in-server',
      comment:
        'A cycle makes module load order matter (undefined imports at start-up) and means two ' +
        'files cannot be understood or changed apart. Break it with a port or by moving the ' +
        'shared piece down a layer.',
      severity: 'error',
      from: { path: SERVER },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'An import that does not resolve to a file on disk is a typo, a file moved without its ' +
        'importers, or an undeclared package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports count: a service importing Hono's Context type is still coupled to HTTP.
    tsPreCompilationDeps: true,
    // Packages are resolved (the hono and zod rules look at them) but not cruised into.
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: {
      path: [
        '^packages/[^/]+/node_modules/',
        '(^|/)(out|[.]next|cdk[.]out)/',
        '^bench/results/',
        // Only TypeScript and ES module sources are ours to check.
        '^(packages|bench)/.*[.](js|cjs|jsx|json|css)$',
      ],
    },
    // packages/web's `@/*` alias (see that file for why it is not read from the web tsconfig).
    webpackConfig: {
      fileName: fileURLToPath(new URL('.dependency-cruiser.resolve.mjs', import.meta.url)),
    },
    enhancedResolveOptions: {
      // Workspaces (@switchboard/*, via node_modules symlinks) and most dependencies resolve
      // through package.json `exports`.
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      mainFields: ['types', 'typings', 'module', 'main'],
      extensions: ['.ts', '.tsx', '.d.ts', '.mjs', '.js', '.json'],
    },
    skipAnalysisNotInRules: true,
    // Violations in files their owners are rewriting now; each is an exact from → to pair, so
    // any other import of the same kind still fails. Delete an entry once its import is gone.
  },
};

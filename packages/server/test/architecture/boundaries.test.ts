import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cruise,
  type ICruiseOptions,
  type ICruiseResult,
  type IResolveOptions,
  type IViolation,
} from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractWebpackResolveConfig from 'dependency-cruiser/config-utl/extract-webpack-resolve-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The same rules `npm run lint:deps` applies, run through dependency-cruiser's API: once against
// the real tree (it must pass), once against a fixture that breaks them (each rule must fire).

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const configFile = path.join(repoRoot, '.dependency-cruiser.mjs');

let options: ICruiseOptions;
// What the CLI passes for `options.webpackConfig`: our file holds only `resolve.alias`, so the
// enhanced-resolve type and dependency-cruiser's own differ only in fields we do not set.
let resolveOptions: Partial<IResolveOptions>;

beforeAll(async () => {
  options = await extractDepcruiseOptions(configFile);
  const webpackConfig = options.webpackConfig?.fileName;
  if (!webpackConfig) throw new Error(`${configFile} names no webpackConfig`);
  resolveOptions = (await extractWebpackResolveConfig(webpackConfig)) as Partial<IResolveOptions>;
});

async function cruiseFrom(baseDir: string): Promise<ICruiseResult> {
  const { output } = await cruise(['packages'], { ...options, baseDir }, resolveOptions);
  if (typeof output === 'string') throw new Error('expected a cruise result, got a report');
  return output;
}

const errorsOf = (result: ICruiseResult): IViolation[] =>
  result.summary.violations.filter((v) => v.rule.severity === 'error');

const describeViolation = (v: IViolation): string => `${v.rule.name}: ${v.from} -> ${v.to}`;

describe('module boundaries (.dependency-cruiser.mjs)', () => {
  it('hold for the whole tree', async () => {
    const result = await cruiseFrom(repoRoot);
    expect(errorsOf(result).map(describeViolation)).toEqual([]);
    // A cruise that resolved nothing would pass trivially.
    expect(result.summary.totalCruised).toBeGreaterThan(200);
    expect(result.modules.some((m) => m.source === 'packages/server/src/modules/handlers.ts')).toBe(
      true,
    );
  }, 30_000);

  describe('fail on a tree that breaks them', () => {
    let fixture: string;
    let violations: string[];

    // A miniature repository with the real layout: each import below breaks one rule.
    const files: Record<string, string> = {
      'packages/server/src/engine/sandbox/sandbox.ts': 'export const sandbox = 1;\n',
      'packages/server/src/engine/lambda/api.ts': 'export const handler = 1;\n',
      'packages/server/src/engine/http/app.ts': 'export type AppEnv = { a: 1 };\n',
      'packages/server/src/modules/x/x.handlers.ts': 'export const xHandlers = 1;\n',
      'packages/server/src/modules/handlers.ts': "export * from './x/x.handlers';\n",
      'packages/server/src/modules/x/foo.service.ts': [
        "import { sandbox } from '../../engine/sandbox/sandbox';",
        "import { xHandlers } from './x.handlers';",
        "import { handler } from '../../engine/lambda/api';",
        "import type { AppEnv } from '../../engine/http/app';",
        "import type { Context } from 'hono';",
        "import { missing } from './missing';",
        'export const used = [sandbox, xHandlers, handler, missing];',
        'export type Env = AppEnv | Context;',
        '',
      ].join('\n'),
      // A stand-in package, so the type-only hono import resolves as it does in the repo.
      'node_modules/hono/package.json': '{ "name": "hono", "types": "./index.d.ts" }\n',
      'node_modules/hono/index.d.ts': 'export type Context = { req: unknown };\n',
      'packages/server/src/engine/local/bar.ts':
        "import { foo } from '../../modules/x/foo.service';\nexport const bar = foo;\n",
      'packages/server/src/modules/x/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'packages/server/src/modules/x/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
      'packages/contracts/src/index.ts':
        "import { a } from '../../server/src/modules/x/a';\nexport const c = a;\n",
      'packages/web/src/page.ts':
        "import { sandbox } from '../../server/src/engine/sandbox/sandbox';\nexport const w = sandbox;\n",
      'packages/server/test/uses-sandbox.test.ts':
        "import { sandbox } from '../src/engine/sandbox/sandbox';\nexport const t = sandbox;\n",
    };

    beforeAll(async () => {
      fixture = fs.mkdtempSync(path.join(os.tmpdir(), 'boundaries-'));
      for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
        fs.writeFileSync(path.join(fixture, file), text);
      }
      violations = errorsOf(await cruiseFrom(fixture)).map(describeViolation);
    }, 30_000);

    afterAll(() => fs.rmSync(fixture, { recursive: true, force: true }));

    const service = 'packages/server/src/modules/x/foo.service.ts';

    it('sandbox-is-local-only: production code may not import the sandbox, tests may', () => {
      expect(violations).toContain(
        `sandbox-is-local-only: ${service} -> packages/server/src/engine/sandbox/sandbox.ts`,
      );
      expect(violations).toContain(
        'sandbox-is-local-only: packages/web/src/page.ts -> packages/server/src/engine/sandbox/sandbox.ts',
      );
      expect(violations.filter((v) => v.includes('packages/server/test/'))).toEqual([]);
    });

    it('handlers-only-from-registry: only modules/handlers.ts imports a handler file', () => {
      expect(violations).toContain(
        `handlers-only-from-registry: ${service} -> packages/server/src/modules/x/x.handlers.ts`,
      );
      expect(violations.filter((v) => v.includes('modules/handlers.ts ->'))).toEqual([]);
    });

    it('the other rules fire too', () => {
      expect(violations).toEqual(
        expect.arrayContaining([
          `lambda-entry-points-are-leaves: ${service} -> packages/server/src/engine/lambda/api.ts`,
          `services-know-no-http: ${service} -> packages/server/src/engine/http/app.ts`,
          `services-know-no-http: ${service} -> node_modules/hono/index.d.ts`,
          `not-to-unresolvable: ${service} -> ./missing`,
          `engine-core-is-domain-free: packages/server/src/engine/local/bar.ts -> ${service}`,
          'contracts-depend-only-on-zod: packages/contracts/src/index.ts -> packages/server/src/modules/x/a.ts',
          'web-is-a-client: packages/web/src/page.ts -> packages/server/src/engine/sandbox/sandbox.ts',
          'no-circular-in-server: packages/server/src/modules/x/a.ts -> packages/server/src/modules/x/b.ts',
        ]),
      );
    });
  });
});

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuildScript, ensureWebBuilt } from './helpers/web-harness';

// `npm start` and the browser tests build the web app through scripts/ensure-web-build.mjs. Many
// shells export NODE_ENV=development and vitest sets NODE_ENV=test; neither may change how Next
// builds (under `development` the export used to crash on /_global-error with "Cannot read
// properties of null (reading 'useContext')"). Each case runs the real entry from scratch into its
// own export dir, so the out/ a running sandbox serves is never replaced. The harness builds out/
// with NODE_ENV=test: when it just did, that build is the `test` case and is not repeated.

const execFileAsync = promisify(execFile);
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const sharedOut = join(repoRoot, 'packages/web/out');
// Next only exports inside the workspace; node_modules/.cache is ignored by git, eslint and prettier.
const scratch = join(repoRoot, 'node_modules/.cache');
let tmp: string;
let harnessBuiltUnderTest = false;

/** Pages the static export must contain, one directory per screen. */
const pages = [
  'index.html',
  '404.html',
  'login/index.html',
  'invite/index.html',
  'f/index.html',
  'app/inbox/index.html',
  'app/leads/index.html',
  'app/contacts/index.html',
  'app/forms/index.html',
  'app/settings/index.html',
  'app/admin/index.html',
];

const builtAt = () => statSync(join(sharedOut, 'index.html'), { throwIfNoEntry: false })?.mtimeMs;

beforeAll(() => {
  // Build the shared out/ first (a no-op when fresh): the builds below hold the build lock for a
  // while, and a browser test in another worker must then find out/ ready instead of waiting.
  const before = builtAt();
  ensureWebBuilt(); // NODE_ENV=test, explicitly
  harnessBuiltUnderTest = builtAt() !== before;
  mkdirSync(scratch, { recursive: true });
  tmp = mkdtempSync(join(scratch, 'switchboard-web-build-'));
}, 300_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Runs the build entry as `npm start` does, under the given NODE_ENV, into a fresh dir. */
async function buildInto(nodeEnv: string): Promise<string> {
  const outDir = join(tmp, nodeEnv);
  const { stdout, stderr } = await execFileAsync(
    process.execPath,
    [ensureWebBuildScript, `--out-dir=${outDir}`],
    {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: nodeEnv, NEXT_TELEMETRY_DISABLED: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  ).catch((err: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  });
  expect(`${stdout}\n${stderr}`).toMatch(/web: built in/);
  return outDir;
}

function expectExport(outDir: string) {
  const missing = pages.filter((p) => !existsSync(join(outDir, p)));
  expect(missing).toEqual([]);
  const index = readFileSync(join(outDir, 'index.html'), 'utf8');
  expect(index).toMatch(/^<!DOCTYPE html>/i);
  expect(index).toContain('/_next/static/');
}

describe('web build whatever NODE_ENV the caller has', () => {
  it('NODE_ENV=development: the build entry exports every page', async () => {
    expectExport(await buildInto('development'));
  }, 180_000);

  it('NODE_ENV=test: the build entry exports every page', async () => {
    expectExport(harnessBuiltUnderTest ? sharedOut : await buildInto('test'));
  }, 180_000);
});

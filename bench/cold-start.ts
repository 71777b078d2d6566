import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { functions } from '../packages/server/src/engine/topology';
import { round } from './lib';

// Cold start, per Lambda: each entry point in packages/server/src/engine/lambda bundled with esbuild the way
// the CDK app does (packages/infra/lib/functions.construct.ts: ESM, node22, mainFields module,main,
// the createRequire banner, the AWS SDK bundled, minified, with a separate source map), its size
// (raw and gzipped, close to the deployed zip), and its module init time: the bundle imported in a
// fresh Node process with --enable-source-maps (the deployed NODE_OPTIONS), median of a few runs.
// The entry points do no network I/O at import without their environment; AWS_ENDPOINT_URL points
// at 127.0.0.1 all the same, so nothing could leave the machine.

const lambdaDir = join(import.meta.dirname, '../packages/server/src/engine/lambda');
const outDir = join(import.meta.dirname, '.cache/bundles');
const requireShim =
  "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);";

export type ColdStartRow = {
  entry: string;
  function: string;
  bundleKiB: number;
  gzipKiB: number;
  initMsP50: number;
  initMsMax: number;
  processMsP50: number;
};

function initTime(file: string): { initMs: number; processMs: number } {
  const script =
    'const t = performance.now(); await import(process.argv[1]); ' +
    'process.stdout.write(JSON.stringify({ initMs: performance.now() - t, processMs: performance.now() }));';
  const out = execFileSync(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', script, file],
    {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      timeout: 30_000,
    },
  ).toString();
  return JSON.parse(out) as { initMs: number; processMs: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchColdStart(
  runs: number,
): Promise<{ rows: ColdStartRow[]; notes: string[] }> {
  const notes: string[] = [];
  if (!existsSync(lambdaDir))
    return { rows: [], notes: ['skipped: packages/server/src/engine/lambda is missing'] };
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const byEntry = new Map(Object.values(functions).map((f) => [f.entry, f.name as string]));
  const entries = readdirSync(lambdaDir).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
  );
  const rows: ColdStartRow[] = [];
  for (const entry of entries) {
    const outfile = join(outDir, entry.replace(/\.ts$/, ''), 'index.mjs');
    try {
      await build({
        entryPoints: [join(lambdaDir, entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: { js: requireShim },
        minify: true,
        sourcemap: true,
        logLevel: 'error',
      });
    } catch (err) {
      notes.push(`${entry}: bundle failed: ${String(err).slice(0, 200)}`);
      continue;
    }
    const code = readFileSync(outfile);
    const times: { initMs: number; processMs: number }[] = [];
    try {
      for (let i = 0; i < runs; i++) times.push(initTime(outfile));
    } catch (err) {
      notes.push(`${entry}: import failed: ${String(err).slice(0, 300)}`);
      continue;
    }
    rows.push({
      entry,
      function: byEntry.get(entry) ?? '(not in topology.functions)',
      bundleKiB: round(statSync(outfile).size / 1024, 0),
      gzipKiB: round(gzipSync(code).length / 1024, 0),
      initMsP50: round(median(times.map((t) => t.initMs)), 0),
      initMsMax: round(Math.max(...times.map((t) => t.initMs)), 0),
      processMsP50: round(median(times.map((t) => t.processMs)), 0),
    });
  }
  return { rows, notes };
}

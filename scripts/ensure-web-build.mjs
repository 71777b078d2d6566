#!/usr/bin/env node
// Builds the web app (packages/web, a Next.js static export) when packages/web/out is missing or
// older than its sources, so `npm install && npm start` serves the app at http://127.0.0.1:3000/.
// Used by the root `npm start` and by the browser tests. Safe to run concurrently: one builds,
// the others wait for it.
//
//   node scripts/ensure-web-build.mjs            build packages/web/out if it is stale
//   node scripts/ensure-web-build.mjs --force    build it anyway
//   node scripts/ensure-web-build.mjs --out-dir=DIR
//                                                always build, exporting to DIR instead of out/
//                                                (inside the repo, e.g. under node_modules/.cache)

import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'packages/web');
const marker = join(web, 'out/index.html');
const lockDir = join(web, '.next-build.lock');

/** What the export is built from: the app, its config, and the contracts it imports. */
const sources = [
  join(web, 'src'),
  join(web, 'public'),
  join(web, 'next.config.ts'),
  join(web, 'postcss.config.mjs'),
  join(web, 'package.json'),
  join(web, 'tsconfig.json'),
  join(root, 'packages/contracts/src'),
];

function newestMtime(path) {
  let info;
  try {
    info = statSync(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function webBuildIsFresh() {
  let built;
  try {
    built = statSync(marker).mtimeMs;
  } catch {
    return false;
  }
  return sources.every((s) => newestMtime(s) <= built);
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function acquireLock() {
  for (;;) {
    try {
      mkdirSync(lockDir);
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      // A build that died long ago left its lock behind.
      const age = Date.now() - statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs;
      if (age > 10 * 60_000) rmSync(lockDir, { recursive: true, force: true });
      else sleep(500);
    }
  }
}

/**
 * The environment `next build` runs in: the caller's, with NODE_ENV always `production`.
 *
 * Next keeps a NODE_ENV it inherits (it only fills it in when unset). Under
 * `NODE_ENV=development` the prerender step loads Next's development page runtime, which carries
 * its own development React, while the pages were compiled for production against production
 * React: two Reacts, so the first hook finds no dispatcher and `/_global-error` fails with
 * "Cannot read properties of null (reading 'useContext')". A shell or test runner that exports
 * NODE_ENV (vitest sets `test`) must not decide how the app is built.
 */
export function webBuildEnv(parentEnv = process.env, { outDir } = {}) {
  const env = { ...parentEnv, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
  delete env.SWITCHBOARD_WEB_OUT_DIR;
  // next.config.ts reads it as `distDir`, which Next resolves against packages/web.
  if (outDir) env.SWITCHBOARD_WEB_OUT_DIR = relative(web, resolve(outDir));
  return env;
}

/** Runs `next build` (under the build lock), exporting to `outDir` or to packages/web/out. */
function runNextBuild({ outDir, log }) {
  const target = outDir ? relative(root, resolve(outDir)) : 'packages/web/out';
  log(`web: building packages/web (next build) into ${target}…`);
  const started = Date.now();
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/next/dist/bin/next'), 'build'],
    {
      cwd: web,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: webBuildEnv(process.env, { outDir }),
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    throw new Error(`web: next build failed (exit ${result.status})`);
  }
  log(`web: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Builds packages/web/out when it is stale (or always, with `force`). With `outDir` it always
 * builds and exports there instead, leaving out/ alone (the build tests use this).
 */
export function ensureWebBuild({ force = false, outDir, log = console.log } = {}) {
  const checkFresh = !force && !outDir;
  if (checkFresh && webBuildIsFresh()) return false;
  acquireLock();
  try {
    // Someone else may have built it while we waited for the lock.
    if (checkFresh && webBuildIsFresh()) return false;
    runNextBuild({ outDir, log });
    return true;
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const outDirArg = process.argv.find((arg) => arg.startsWith('--out-dir='));
    ensureWebBuild({
      force: process.argv.includes('--force'),
      outDir: outDirArg?.slice('--out-dir='.length) || undefined,
    });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}

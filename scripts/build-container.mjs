// Bundles the API container's entry (packages/server/src/engine/container/main.ts) the way the
// Lambda bundles are built (packages/infra/lib/functions.construct.ts: esbuild, ESM, node22, the
// `require` banner, re2-wasm kept as a real package beside the bundle). The Dockerfile runs this
// in its build stage; `npm run build:container` runs it here, and the container test starts the
// result, so the image's CMD target is proven without Docker.
//
//   node scripts/build-container.mjs [outDir]   (default: dist/container)
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const serverDir = join(root, 'packages/server');

/** The same banner and externals as the Lambda bundles (`esmBundling`; ecs.test.ts compares). */
export const containerBundle = {
  entry: join(serverDir, 'src/engine/container/main.ts'),
  banner:
    "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);",
  externalModules: ['re2-wasm'],
  /** What re2-wasm needs at run time (its JavaScript and the binary) and its licence. */
  re2Files: ['package.json', 'LICENSE', 'build'],
};

export async function buildContainer(outDir) {
  await rm(outDir, { recursive: true, force: true });
  await build({
    entryPoints: [containerBundle.entry],
    outfile: join(outDir, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: containerBundle.banner },
    external: containerBundle.externalModules,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'error',
  });
  const re2Dir = dirname(
    createRequire(join(serverDir, 'package.json')).resolve('re2-wasm/package.json'),
  );
  const manifest = JSON.parse(await readFile(join(re2Dir, 'package.json'), 'utf8'));
  if (Object.keys(manifest.dependencies ?? {}).length > 0) {
    throw new Error('re2-wasm now has dependencies: they must be copied beside the bundle too');
  }
  const target = join(outDir, 'node_modules', 're2-wasm');
  await mkdir(target, { recursive: true });
  for (const file of containerBundle.re2Files) {
    await cp(join(re2Dir, file), join(target, file), { recursive: true });
  }
  return join(outDir, 'main.mjs');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? join(root, 'dist/container'));
  const main = await buildContainer(out);
  process.stdout.write(`container bundle: ${main}\n`);
}
